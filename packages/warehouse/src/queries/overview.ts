import type { Warehouse } from '../db.ts';

export interface Overview {
  employees: number;
  orgUnits: number;
  periods: number;
  assessments: number;
  kpiLines: number;
  raterScores: number;
  firstPeriod: string | null;
  lastPeriod: string | null;
}

/** Row counts and the span of monthly periods that have assessments. */
export function overview(wh: Warehouse): Promise<Overview> {
  // Asked by every dashboard visit: kept until the next write rather than counted each time.
  return wh.memo('overview', async () => (await wh.query<Overview>(`
    SELECT
      (SELECT count(*) FROM employees)::INTEGER AS "employees",
      (SELECT count(*) FROM org_units)::INTEGER AS "orgUnits",
      (SELECT count(*) FROM periods)::INTEGER AS "periods",
      (SELECT count(*) FROM assessments)::INTEGER AS "assessments",
      (SELECT count(*) FROM kpi_lines)::INTEGER AS "kpiLines",
      (SELECT count(*) FROM rater_scores)::INTEGER AS "raterScores",
      (SELECT min(p.id) FROM periods p WHERE p.kind = 'month') AS "firstPeriod",
      (SELECT max(p.id) FROM periods p WHERE p.kind = 'month') AS "lastPeriod"
  `))[0]!);
}
