import { z } from 'zod';
import { GRADES, adverseImpact, ageBand, analysisFiltersSchema, tenureBand, type Cycle, type ImpactRow } from '@perflens/core';
import type { Warehouse } from '../db.ts';
import { ensureAnalytics } from '../analytics.ts';
import { filterSql, withClause } from './filter-sql.ts';
import { withResolvedCycle } from './resolve-cycle.ts';

export const calibrationFairnessInputSchema = analysisFiltersSchema
  .extend({
    /** Grades that count as "top" for the selection rate. */
    topGrades: z.array(z.enum(GRADES)).min(1).max(4).default(['A']),
    minN: z.number().int().min(1).max(100_000).default(5),
  })
  .prefault({});
export type CalibrationFairnessInput = z.input<typeof calibrationFairnessInputSchema>;

export interface CalibrationFairness {
  /** The cycle compared: the caller's, or the finest one with data in the filter. */
  cycle: Cycle;
  topGrades: string[];
  gender: ImpactRow[];
  ageBand: ImpactRow[];
  tenureBand: ImpactRow[];
  /** Graded rows whose attribute is unknown, per dimension (left out of that dimension). */
  unknown: { gender: number; ageBand: number; tenureBand: number };
}

/**
 * Adverse-impact ratios (four-fifths rule) of the top-grade rate by gender, age band (from
 * birth_year at the period's year) and tenure band (whole years from hire_date to the period
 * start). SQL aggregates to (attribute value, n, top) — a few hundred rows — and the bands are
 * applied in TS so their cut points live in one place (core/calibration/fairness.ts).
 */
export async function calibrationFairness(wh: Warehouse, input: CalibrationFairnessInput): Promise<CalibrationFairness> {
  // Parsed first: a bad input is refused before anything touches the database.
  const f = await withResolvedCycle(wh, calibrationFairnessInputSchema.parse(input));
  await ensureAnalytics(wh);
  const fs = filterSql(f);
  const rows = await wh.query<{ gender: string | null; age: number | null; tenure: number | null; n: number; top: number }>(
    `${withClause(fs)}
     SELECT e.gender, year(a.period_start) - e.birth_year AS age,
            CASE WHEN e.hire_date IS NULL THEN NULL ELSE date_diff('year', e.hire_date, a.period_start) END AS tenure,
            count(*)::INTEGER AS n, count(*) FILTER (WHERE list_contains(string_split($top, ','), a.grade))::INTEGER AS top
       FROM ${fs.from} LEFT JOIN employees e ON e.id = a.employee_id
      WHERE a.grade IN ('A', 'B', 'C', 'D', 'E') GROUP BY ALL`,
    { ...fs.params, top: [...new Set(f.topGrades)].join(',') },
  );
  const tally = (key: (r: (typeof rows)[number]) => string | null) => {
    const m = new Map<string, { n: number; top: number }>();
    let unknown = 0;
    for (const r of rows) {
      const k = key(r);
      if (k === null) {
        unknown += r.n;
        continue;
      }
      const t = m.get(k) ?? { n: 0, top: 0 };
      t.n += r.n;
      t.top += r.top;
      m.set(k, t);
    }
    const groups = [...m].map(([k, t]) => ({ key: k, ...t })).sort((a, b) => (a.key < b.key ? -1 : 1));
    return { rows: adverseImpact(groups, f.minN), unknown };
  };
  // Age is computed against the period's year; birth_year alone gives age within a year, enough for bands.
  const g = tally((r) => (r.gender === null || r.gender === '' ? null : r.gender));
  const a = tally((r) => (r.age === null ? null : ageBand(0, r.age)));
  const t = tally((r) => tenureBand(r.tenure));
  return {
    cycle: f.cycle,
    topGrades: f.topGrades,
    gender: g.rows,
    ageBand: a.rows,
    tenureBand: t.rows,
    unknown: { gender: g.unknown, ageBand: a.unknown, tenureBand: t.unknown },
  };
}
