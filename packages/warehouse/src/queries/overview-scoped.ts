import type { Warehouse, SqlParams } from '../db.ts';
import { scopeKey, scopeWhere } from './filter-sql.ts';
import type { Overview } from './overview.ts';

/**
 * The overview's counts within the caller's org scope (a manager's or viewer's subtrees): the
 * company-wide counts would tell them the size of units they may not see. Rows are counted by
 * the unit they belong to (an assessment by the unit at the time of the assessment).
 */
export function overviewScoped(wh: Warehouse): Promise<Overview> {
  // Kept until the next write, per scope (the key names the units).
  return wh.memo(`overview:${scopeKey()}`, () => countInScope(wh));
}

async function countInScope(wh: Warehouse): Promise<Overview> {
  const params: SqlParams = {};
  const where: string[] = [];
  scopeWhere(where, params, 'org_unit_id');
  const inScope = where.join(' AND ');
  // The same $scope parameters again, over the units' own ids.
  const units: string[] = [];
  scopeWhere(units, params, 'id');
  const rows = await wh.query<Overview>(
    `
    WITH people AS (SELECT id FROM employees WHERE ${inScope})
    SELECT
      (SELECT count(*) FROM people)::INTEGER AS "employees",
      (SELECT count(*) FROM org_units WHERE ${units.join(' AND ')})::INTEGER AS "orgUnits",
      (SELECT count(*) FROM periods)::INTEGER AS "periods",
      (SELECT count(*) FROM assessments WHERE ${inScope})::INTEGER AS "assessments",
      (SELECT count(*) FROM kpi_lines k JOIN employee_keys e ON e.key = k.employee_key WHERE e.id IN (SELECT id FROM people))::INTEGER AS "kpiLines",
      (SELECT count(*) FROM rater_scores WHERE employee_id IN (SELECT id FROM people))::INTEGER AS "raterScores",
      (SELECT min(p.id) FROM periods p WHERE p.kind = 'month') AS "firstPeriod",
      (SELECT max(p.id) FROM periods p WHERE p.kind = 'month') AS "lastPeriod"
  `,
    params,
  );
  return rows[0]!;
}
