import { z } from 'zod';
import { GRADES, GROUP_BY, analysisFiltersSchema, type Cycle, type Grade, type GroupBy } from '@perflens/core';
import type { Warehouse } from '../db.ts';
import { memoAnswer } from '../answer-memo.ts';
import { scopedFilterSql } from './filter-sql.ts';
import { withResolvedCycle } from './resolve-cycle.ts';

export const gradeDistributionInputSchema = analysisFiltersSchema.extend({
  groupBy: z.enum(GROUP_BY).default('none'),
})
  // No input at all (a bare GET) means all defaults; prefault runs {} through the schema.
  .prefault({});
export type GradeDistributionInput = z.input<typeof gradeDistributionInputSchema>;

export interface GradeGroup {
  key: string;
  label: string;
  /** Graded rows of the group (the denominator of the shares). */
  total: number;
  counts: Record<Grade, number>;
  shares: Record<Grade, number>;
}

export interface GradeDistribution {
  /** The cycle counted: the caller's, or the finest one with data in the filter. */
  cycle: Cycle;
  grades: Grade[];
  /** Rows in the filter without a canonical grade (not assessed, or not yet graded). */
  ungraded: number;
  groups: GradeGroup[];
}

/**
 * Group key / label / ordering expressions per groupBy. The only way a group column reaches
 * SQL is through this table, keyed by the zod-validated enum.
 */
const GROUPING: Record<GroupBy, { key: string; extra: string; label: string; join: string; order: string }> = {
  none: { key: `'all'`, extra: `NULL::DATE`, label: `'all'`, join: '', order: 'label, key' },
  orgUnit: {
    key: 'a.org_unit_id',
    extra: `NULL::DATE`,
    // A unit missing from org_units still shows, under its id.
    label: 'coalesce(o.name, g.key)',
    join: 'LEFT JOIN org_units o ON o.id = g.key',
    order: 'label, key',
  },
  role: { key: 'a.role::VARCHAR', extra: `NULL::DATE`, label: 'g.key', join: '', order: 'label, key' },
  period: { key: 'a.period_id', extra: 'a.period_start', label: 'g.key', join: '', order: 'g.extra, key' },
};

/** Grade counts and shares per group; aggregates (group, grade) first so the labels join a tiny result. */
export async function gradeDistribution(wh: Warehouse, input: GradeDistributionInput): Promise<GradeDistribution> {
  // Parsed first: a bad input is refused before anything touches the database. The answer is
  // kept until the next write (answer-memo.ts): the overview's panels repeat for everyone.
  const parsed = gradeDistributionInputSchema.parse(input);
  return memoAnswer(wh, 'grades', parsed, () => read(wh, parsed));
}

async function read(wh: Warehouse, parsed: z.output<typeof gradeDistributionInputSchema>): Promise<GradeDistribution> {
  const f = await withResolvedCycle(wh, parsed);
  // The cube (migration 004) already counts rows per period, unit, role and grade.
  const fs = await scopedFilterSql(wh, f, 'cube');
  const g = GROUPING[f.groupBy];
  const rows = await wh.query<{ key: string; label: string; grade: string | null; n: number }>(
    `${fs.with}
    SELECT g.key, ${g.label} AS label, g.grade, g.n
      FROM (SELECT ${g.key} AS key, ${g.extra} AS extra, a.grade, sum(a.n)::INTEGER AS n
              FROM ${fs.from}
             GROUP BY ALL) g
      ${g.join}
     ORDER BY ${g.order}`,
    fs.params,
  );
  const known = new Set<string>(GRADES);
  const groups = new Map<string, GradeGroup>();
  let ungraded = 0;
  for (const r of rows) {
    let grp = groups.get(r.key);
    if (!grp) {
      const zero = () => Object.fromEntries(GRADES.map((x) => [x, 0])) as Record<Grade, number>;
      grp = { key: r.key, label: r.label, total: 0, counts: zero(), shares: zero() };
      groups.set(r.key, grp);
    }
    if (r.grade !== null && known.has(r.grade)) {
      grp.counts[r.grade as Grade] += r.n;
      grp.total += r.n;
    } else ungraded += r.n;
  }
  // The UI always gets its one 'all' group, even for an empty filter.
  if (f.groupBy === 'none' && groups.size === 0) {
    const zero = () => Object.fromEntries(GRADES.map((x) => [x, 0])) as Record<Grade, number>;
    groups.set('all', { key: 'all', label: 'all', total: 0, counts: zero(), shares: zero() });
  }
  for (const grp of groups.values())
    for (const x of GRADES) grp.shares[x] = grp.total === 0 ? 0 : grp.counts[x] / grp.total;
  return { cycle: f.cycle, grades: [...GRADES], ungraded, groups: [...groups.values()] };
}
