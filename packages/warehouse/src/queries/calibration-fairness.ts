import { z } from 'zod';
import { AGE_BANDS, GRADES, TENURE_BANDS, adverseImpact, analysisFiltersSchema, bandCaseSql, type Cycle, type ImpactRow } from '@perflens/core';
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
 * birth_year at the period's year) and tenure band (whole years of service from hire_date to the
 * period start: anniversaries reached, DuckDB date_sub — not date_diff, which counts calendar-year
 * boundaries and gives someone hired 2022-12-15 one year on 2023-01-01). The rate is per graded
 * assessment; the group minimum counts distinct people, since one person rated every month of the
 * range is one person. The band cut points live in core (AGE_BANDS, TENURE_BANDS) and are spliced
 * into the statement as constants; SQL returns one row per group of each dimension.
 */
export async function calibrationFairness(wh: Warehouse, input: CalibrationFairnessInput): Promise<CalibrationFairness> {
  // Parsed first: a bad input is refused before anything touches the database.
  const f = await withResolvedCycle(wh, calibrationFairnessInputSchema.parse(input));
  await ensureAnalytics(wh);
  const fs = filterSql(f);
  const ageSql = bandCaseSql('(year(a.period_start) - e.birth_year)', AGE_BANDS);
  const tenureSql = bandCaseSql("date_sub('year', e.hire_date, a.period_start)", TENURE_BANDS);
  const rows = await wh.query<{ dim: 'gender' | 'age' | 'tenure'; key: string | null; n: number; top: number; people: number }>(
    `${withClause(fs)}
     SELECT CASE WHEN grouping(gender) = 0 THEN 'gender' WHEN grouping(age) = 0 THEN 'age' ELSE 'tenure' END AS dim,
            coalesce(gender, age, tenure) AS key,
            count(*)::INTEGER AS n, count(*) FILTER (WHERE top)::INTEGER AS top, count(DISTINCT employee_id)::INTEGER AS people
       FROM (SELECT a.employee_id, nullif(e.gender, '') AS gender, ${ageSql} AS age, ${tenureSql} AS tenure,
                    list_contains(string_split($top, ','), a.grade::VARCHAR) AS top
               FROM ${fs.from} LEFT JOIN employees e ON e.id = a.employee_id
              WHERE a.grade IN ('A', 'B', 'C', 'D', 'E')) x
      GROUP BY GROUPING SETS ((gender), (age), (tenure))`,
    { ...fs.params, top: [...new Set(f.topGrades)].join(',') },
  );
  const tally = (dim: 'gender' | 'age' | 'tenure') => {
    let unknown = 0;
    const groups = [];
    for (const r of rows) {
      if (r.dim !== dim) continue;
      if (r.key === null) unknown += r.n;
      else groups.push({ key: r.key, n: r.n, top: r.top, people: r.people });
    }
    groups.sort((a, b) => (a.key < b.key ? -1 : 1));
    return { rows: adverseImpact(groups, f.minN), unknown };
  };
  const g = tally('gender');
  const a = tally('age');
  const t = tally('tenure');
  return {
    cycle: f.cycle,
    topGrades: f.topGrades,
    gender: g.rows,
    ageBand: a.rows,
    tenureBand: t.rows,
    unknown: { gender: g.unknown, ageBand: a.unknown, tenureBand: t.unknown },
  };
}
