import { parseOutcome, type OutcomeId, type PanelObservation } from '@perflens/core';
import type { Warehouse } from '../db.ts';
import { ensureAnalytics } from '../analytics.ts';
import { policyScopeCtes, policyScopeParams, TREATED_SQL, type PolicyScopeParams } from './policy-scope-sql.ts';

/**
 * Outcome source per kind: rows (employee_id, period_id, org_unit_id, role, v). Employee-level
 * sources take the org unit and role recorded with the assessment of that period (people move);
 * employee metrics fall back to the employee's current unit when there is no assessment.
 * Constant fragments; the only value inside is `$code`.
 */
const SOURCES = {
  score: `SELECT employee_id, period_id, org_unit_id, role, score AS v FROM assessment_facts
           WHERE period_kind = $cycle AND score IS NOT NULL`,
  bonus: `SELECT employee_id, period_id, org_unit_id, role, CAST(bonus AS DOUBLE) AS v FROM assessment_facts
           WHERE period_kind = $cycle AND bonus IS NOT NULL`,
  grade: `SELECT employee_id, period_id, org_unit_id, role, CASE WHEN grade = $code THEN 100.0 ELSE 0.0 END AS v
            FROM assessment_facts WHERE period_kind = $cycle AND grade IS NOT NULL`,
  kpi: `SELECT k.employee_id, k.period_id, a.org_unit_id, a.role, k.actual AS v
          FROM kpi_results k JOIN assessment_facts a ON a.employee_id = k.employee_id AND a.period_id = k.period_id
         WHERE a.period_kind = $cycle AND k.kpi_code = $code AND k.actual IS NOT NULL`,
  emetric: `SELECT m.employee_id, m.period_id, coalesce(a.org_unit_id, e.org_unit_id) AS org_unit_id,
                   coalesce(a.role, e.role) AS role, m.value AS v
              FROM metrics m JOIN employees e ON e.id = m.employee_id
              LEFT JOIN assessment_facts a ON a.employee_id = m.employee_id AND a.period_id = m.period_id
             WHERE m.metric = $code AND m.employee_id IS NOT NULL`,
  metric: `SELECT NULL::VARCHAR AS employee_id, period_id, org_unit_id, NULL::VARCHAR AS role, value AS v FROM metrics
            WHERE metric = $code AND employee_id IS NULL AND org_unit_id IS NOT NULL`,
} as const;

/** Unit keys: an employee, or an org unit split by treatment (a role scope can split a unit in two). */
const UNIT_KEYS = {
  employee: `s.employee_id`,
  orgUnit: `s.org_unit_id || CASE WHEN ${TREATED_SQL} THEN '|T' ELSE '|C' END`,
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
export async function policyPanel(wh: Warehouse, input: PolicyPanelInput): Promise<PanelObservation[]> {
  const { kind, code } = parseOutcome(input.outcome);
  if (kind !== 'metric' && kind !== 'emetric') await ensureAnalytics(wh);
  const unit = kind === 'metric' ? 'orgUnit' : input.unit;
  const treated = kind === 'metric' ? 'c.in_scope' : TREATED_SQL;
  const unitKey = kind === 'metric' ? 's.org_unit_id' : UNIT_KEYS[unit];
  const params = { ...policyScopeParams(input), ...(code !== null ? { code } : {}) };
  return wh.query<PanelObservation>(
    `${policyScopeCtes()}
    SELECT unit, rel, period_id AS "periodId", treated, avg(v) AS value, count(*)::INTEGER AS n
      FROM (SELECT ${unitKey} AS unit, w.rel, w.period_id, ${treated} AS treated, c.may_control, s.v
              FROM (${SOURCES[kind]}) s
              JOIN win w ON w.period_id = s.period_id
              JOIN cls c ON c.org_unit_id = s.org_unit_id, pol) x
     WHERE treated OR may_control
     GROUP BY unit, rel, period_id, treated
     ORDER BY unit, rel`,
    params,
  );
}
