import { parseOutcome, type OutcomeId, type PanelObservation } from '@perflens/core';
import type { Warehouse } from '../db.ts';
import { ensureAnalytics } from '../analytics.ts';
import { chainCtes, controlRolesSql, policyChainParam, policyScopeCtes, policyScopeParams, TREATED_SQL, type PolicyScopeParams } from './policy-scope-sql.ts';

/**
 * Outcome source per kind: rows (employee_id, period_id, org_unit_id, role, v). Employee-level
 * sources take the org unit and role recorded with the assessment of that period (people move);
 * employee metrics fall back to the employee's current unit when there is no assessment.
 * Constant fragments; the only value inside is `$code`.
 */
const SOURCES = {
  score: `SELECT employee_id, period_id, org_unit_id, role, score AS v FROM assessment_facts
           WHERE period_kind = $cycle::period_kind_t AND score IS NOT NULL`,
  bonus: `SELECT employee_id, period_id, org_unit_id, role, CAST(bonus AS DOUBLE) AS v FROM assessment_facts
           WHERE period_kind = $cycle::period_kind_t AND bonus IS NOT NULL`,
  grade: `SELECT employee_id, period_id, org_unit_id, role, CASE WHEN grade = $code::grade_t THEN 100.0 ELSE 0.0 END AS v
            FROM assessment_facts WHERE period_kind = $cycle::period_kind_t AND grade IS NOT NULL`,
  kpi: `SELECT k.employee_id, k.period_id, a.org_unit_id, a.role, k.actual AS v
          FROM kpi_results k JOIN assessment_facts a ON a.employee_id = k.employee_id AND a.period_id = k.period_id
         WHERE a.period_kind = $cycle::period_kind_t AND k.kpi_code = $code AND k.actual IS NOT NULL`,
  emetric: `SELECT m.employee_id, m.period_id, coalesce(a.org_unit_id, e.org_unit_id) AS org_unit_id,
                   coalesce(a.role, e.role) AS role, m.value AS v
              FROM metrics m JOIN employees e ON e.id = m.employee_id
              LEFT JOIN assessment_facts a ON a.employee_id = m.employee_id AND a.period_id = m.period_id
             WHERE m.metric = $code AND m.employee_id IS NOT NULL`,
  metric: `SELECT NULL::VARCHAR AS employee_id, period_id, org_unit_id, NULL::VARCHAR AS role, value AS v FROM metrics
            WHERE metric = $code AND employee_id IS NULL AND org_unit_id IS NOT NULL`,
} as const;

/**
 * Unit keys: an employee, or an org unit split by treatment (a role scope can split a unit in
 * two). The source is first summed per (employee,) org unit, role and period — one streaming
 * aggregate over the facts — and only those few groups are classified and joined to the window.
 */
const UNITS = {
  employee: { group: 's.employee_id, s.org_unit_id, s.role, s.period_id', key: 'a.employee_id' },
  orgUnit: { group: 's.org_unit_id, s.role, s.period_id', key: `a.org_unit_id || CASE WHEN treated THEN '|T' ELSE '|C' END` },
} as const;

export interface PolicyPanelInput extends PolicyScopeParams {
  outcome: OutcomeId;
  unit: 'employee' | 'orgUnit';
}

/**
 * The outcome panel of one policy: one row per unit of analysis and period inside the window,
 * with the mean of the outcome over the records in that cell and their count. Org-unit metrics
 * carry no role, so for them the role scope is ignored (the caller warns).
 */
export async function policyPanel(wh: Warehouse, input: PolicyPanelInput): Promise<Array<PanelObservation & { sameRoleControl: boolean | null }>> {
  const { kind, code } = parseOutcome(input.outcome);
  if (kind !== 'metric' && kind !== 'emetric') await ensureAnalytics(wh);
  // Org-unit metrics carry no role: treatment by org scope only, one unit per org unit.
  const u = kind === 'metric' ? { group: UNITS.orgUnit.group, key: 'a.org_unit_id' } : UNITS[input.unit];
  const treated = kind === 'metric' ? 'c.in_scope' : TREATED_SQL.replaceAll('s.role', 'a.role');
  const params = { ...policyScopeParams(input), chain: await policyChainParam(wh, input.policyId), ...(code !== null ? { code } : {}) };
  return wh.query<PanelObservation & { sameRoleControl: boolean | null }>(
    `${policyScopeCtes()},
    agg AS (SELECT ${u.group}, sum(s.v) AS sv, count(*) AS n FROM (${SOURCES[kind]}) s GROUP BY ALL),
    ${chainCtes('agg', kind === 'metric' ? 'NULL::VARCHAR' : 'role')},
    cl AS (SELECT a.*, w.rel, ${treated} AS treated, c.may_control, c.in_scope, cm.cohort
             FROM agg a JOIN win w ON w.period_id = a.period_id JOIN cls c ON c.org_unit_id = a.org_unit_id
             LEFT JOIN covmap cm ON cm.org_unit_id = a.org_unit_id${kind === 'metric' ? '' : ' AND cm.role IS NOT DISTINCT FROM CAST(a.role AS VARCHAR)'}, pol),
    same AS (SELECT bool_or(NOT a.in_scope AND a.may_control AND list_contains(pol.roles, a.role)) AS v FROM cl a, pol)
    SELECT ${u.key} AS unit, rel, period_id AS "periodId", treated, sum(sv) / sum(n) AS value, sum(n)::INTEGER AS n,
           (SELECT v FROM same) AS "sameRoleControl", min(cohort) AS cohort
      FROM cl a, pol
     WHERE treated OR (may_control${kind === 'metric' ? '' : ` AND ${controlRolesSql('a.role', '(SELECT v FROM same)')}`})
     GROUP BY ALL
     ORDER BY unit, rel`,
    params,
  );
}
