import { parseOutcome, type DistributionInputs, type OutcomeId, type PanelObservation } from '@perflens/core';
import type { SqlParams, Warehouse } from '../db.ts';
import { ensureAnalytics } from '../analytics.ts';
import { distributionFromCounts, type DistributionCountRow } from './policy-distribution.ts';
import { controlRolesSql, policyScopeCtes, policyScopeParams, TREATED_SQL, type PolicyScopeParams } from './policy-scope-sql.ts';

/** Outcomes read from the assessment facts themselves, which one scan can serve with the distribution. */
export type AssessmentOutcomeKind = 'score' | 'bonus' | 'grade';
export const isAssessmentOutcome = (kind: string): kind is AssessmentOutcomeKind => kind === 'score' || kind === 'bonus' || kind === 'grade';

/**
 * Per fine cell (org unit, role, period, score, grade): the outcome's sum over the records where
 * it is defined and their count. Constant fragments; the only value inside is `$code`.
 * The same definitions as policyPanel's sources, summed once more (score × n = Σ score).
 */
const CELL_SUMS: Record<AssessmentOutcomeKind, { sv: string; nv: string }> = {
  score: { sv: 'CASE WHEN score IS NULL THEN 0.0 ELSE score * n END', nv: 'CASE WHEN score IS NULL THEN 0 ELSE n END' },
  bonus: { sv: 'sb', nv: 'nb' },
  grade: {
    sv: 'CASE WHEN grade = $code::grade_t THEN 100.0 * n ELSE 0.0 END',
    nv: 'CASE WHEN grade IS NULL THEN 0 ELSE n END',
  },
};

export interface PolicyAssessmentPanelInput extends PolicyScopeParams {
  outcome: OutcomeId;
}

/**
 * The org-unit panel of an assessment outcome (score, bonus, a grade's share) and the score and
 * grade distributions, from ONE scan of the facts. policyPanel and policyDistribution each scan
 * 7.2 million rows at 200k employees × 36 months and, run side by side on two cores, competed for
 * them (≈ 360–560 ms together); here the facts are counted once per (org unit, role, period,
 * score, grade) — about 110k cells — and both results are rolled up from those cells.
 * Same rows, same treatment and like-for-like control rule as the two separate queries
 * (warehouse test/policy.test.ts checks hand-computed values; api test/policy.test.ts compares
 * both paths on the demo company).
 */
export async function policyAssessmentPanel(
  wh: Warehouse,
  input: PolicyAssessmentPanelInput,
): Promise<{ panel: Array<PanelObservation & { sameRoleControl: boolean | null }>; distribution: DistributionInputs }> {
  const { kind, code } = parseOutcome(input.outcome);
  if (!isAssessmentOutcome(kind)) throw new Error(`policyAssessmentPanel: outcome ${input.outcome} is not read from assessments`);
  await ensureAnalytics(wh);
  const sums = CELL_SUMS[kind];
  const params: SqlParams = { ...policyScopeParams(input), ...(code !== null ? { code } : {}) };
  // A window narrower than the history becomes a constant start-date range on the scan (zone maps
  // skip the rest); as a subquery bound DuckDB plans it as a per-row nested-loop join instead.
  const windowed = input.before != null || input.after != null;
  if (windowed) {
    const [b] = await wh.query<{ lo: string | null; hi: string | null }>(
      `${policyScopeCtes()} SELECT CAST(min(p.start_date) AS VARCHAR) AS lo, CAST(max(p.start_date) AS VARCHAR) AS hi FROM per p JOIN win w ON w.period_id = p.id`,
      policyScopeParams(input),
    );
    Object.assign(params, { lo: b?.lo ?? null, hi: b?.hi ?? null });
  }
  type Row = { part: 'p' | 'd' } & Partial<PanelObservation> & { sameRoleControl: boolean | null } & DistributionCountRow;
  const rows = await wh.query<Row>(
    `${policyScopeCtes()},
    f AS (SELECT s.org_unit_id, s.role, s.period_id, s.score, s.grade, count(*) AS n${kind === 'bonus' ? ', sum(CAST(s.bonus AS DOUBLE)) AS sb, count(s.bonus) AS nb' : ''}
            FROM assessment_facts s
           WHERE s.period_kind = $cycle::period_kind_t${windowed ? ' AND s.period_start BETWEEN CAST($lo AS DATE) AND CAST($hi AS DATE)' : ''}
           GROUP BY ALL),
    cl AS (SELECT s.*, ${sums.sv} AS sv, ${sums.nv} AS nv, w.rel, ${TREATED_SQL} AS treated, c.may_control, c.in_scope
             FROM f s JOIN win w ON w.period_id = s.period_id JOIN cls c ON c.org_unit_id = s.org_unit_id, pol),
    -- Whether people of the scoped roles work outside the scope: among rows with the outcome
    -- for the panel, among all rows for the distribution (as the two separate queries decide).
    same AS (SELECT bool_or(NOT x.in_scope AND x.may_control AND list_contains(pol.roles, x.role) AND x.nv > 0) AS p,
                    bool_or(NOT x.in_scope AND x.may_control AND list_contains(pol.roles, x.role)) AS d FROM cl x, pol),
    pan AS (SELECT 'p' AS part, x.org_unit_id || CASE WHEN treated THEN '|T' ELSE '|C' END AS unit, rel, period_id AS "periodId", treated,
                   sum(sv) / sum(nv) AS value, sum(nv)::INTEGER AS n, (SELECT p FROM same) AS "sameRoleControl",
                   NULL::BOOLEAN AS post, NULL::DOUBLE AS score, NULL::VARCHAR AS grade, NULL::INTEGER AS g
              FROM cl x, pol
             WHERE nv > 0 AND (treated OR (may_control AND ${controlRolesSql('x.role', '(SELECT p FROM same)')}))
             GROUP BY ALL),
    dk AS (SELECT treated, rel >= 0 AS post, score, grade::VARCHAR AS grade, n FROM cl x, pol
            WHERE treated OR (may_control AND ${controlRolesSql('x.role', '(SELECT d FROM same)')})),
    dis AS (SELECT 'd' AS part, NULL::VARCHAR AS unit, NULL::INTEGER AS rel, NULL::VARCHAR AS "periodId", treated,
                   NULL::DOUBLE AS value, sum(n)::INTEGER AS n, NULL::BOOLEAN AS "sameRoleControl",
                   post, score, grade, grouping(score)::INTEGER AS g
              FROM dk GROUP BY GROUPING SETS ((treated, post, score), (treated, post, grade)))
    SELECT * FROM pan UNION ALL SELECT * FROM dis
    ORDER BY part DESC, unit, rel`,
    params,
  );
  const panel: Array<PanelObservation & { sameRoleControl: boolean | null }> = [];
  const counts: DistributionCountRow[] = [];
  for (const r of rows) {
    if (r.part === 'p') panel.push({ unit: r.unit!, rel: r.rel!, periodId: r.periodId!, treated: r.treated, value: r.value!, n: r.n, sameRoleControl: r.sameRoleControl });
    else counts.push({ treated: r.treated, post: r.post, score: r.score, grade: r.grade, n: r.n, g: r.g });
  }
  return { panel, distribution: distributionFromCounts(counts) };
}
