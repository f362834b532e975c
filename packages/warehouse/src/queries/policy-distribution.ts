import { GRADES, type DistributionInputs, type GradeCounts } from '@perflens/core';
import type { Warehouse } from '../db.ts';
import { ensureAnalytics } from '../analytics.ts';
import { controlRolesSql, policyScopeCtes, policyScopeParams, TREATED_SQL, type PolicyScopeParams } from './policy-scope-sql.ts';

/**
 * Raw assessment scores and grades of the treated and control groups, before and after the
 * policy, as value counts (one scan, two grouping sets): the rank and chi-square tests need the
 * distributions, not millions of individual scores.
 */
export async function policyDistribution(wh: Warehouse, input: PolicyScopeParams): Promise<DistributionInputs> {
  await ensureAnalytics(wh);
  // Counted per org unit, role, side and value first (the window as a period_start range, the
  // side as period_start ≥ effective date: no per-row joins over millions of facts), then the
  // few thousand groups are classified as treated / control.
  const rows = await wh.query<DistributionCountRow>(
    `${policyScopeCtes()},
    bounds AS (SELECT min(p.start_date) AS lo, max(p.start_date) AS hi FROM per p JOIN win w ON w.period_id = p.id),
    agg AS (SELECT s.org_unit_id, s.role, s.period_start >= (SELECT effective_from FROM pol) AS post, s.score, s.grade,
                   count(*) AS n, grouping(s.score) AS g
              FROM assessment_facts s
             WHERE s.period_kind = $cycle::period_kind_t
               AND s.period_start >= (SELECT lo FROM bounds) AND s.period_start <= (SELECT hi FROM bounds)
             GROUP BY GROUPING SETS ((s.org_unit_id, s.role, post, s.score), (s.org_unit_id, s.role, post, s.grade))),
    cl AS (SELECT s.*, ${TREATED_SQL} AS treated, c.may_control, c.in_scope FROM agg s JOIN cls c ON c.org_unit_id = s.org_unit_id, pol),
    same AS (SELECT bool_or(NOT x.in_scope AND x.may_control AND list_contains(pol.roles, x.role)) AS v FROM cl x, pol)
    SELECT treated, post, score, grade, sum(n)::INTEGER AS n, g::INTEGER AS g
      FROM cl x, pol
     WHERE treated OR (may_control AND ${controlRolesSql('x.role', '(SELECT v FROM same)')})
     GROUP BY treated, post, score, grade, g`,
    policyScopeParams(input),
  );
  return distributionFromCounts(rows);
}

/** One value count: g = 0 for a (treated, post, score) row, 1 for a (treated, post, grade) row. */
export interface DistributionCountRow {
  treated: boolean;
  post: boolean | null;
  score: number | null;
  grade: string | null;
  n: number;
  g: number | null;
}

/** Value counts → the inputs of the rank and chi-square tests (shared with policyAssessmentPanel). */
export function distributionFromCounts(rows: readonly DistributionCountRow[]): DistributionInputs {
  const zero = (): GradeCounts => ({ A: 0, B: 0, C: 0, D: 0, E: 0 });
  const out: DistributionInputs = {
    scores: { treated: [], control: [] },
    grades: { treated: { before: zero(), after: zero() }, control: { before: zero(), after: zero() } },
  };
  const scoreMaps = { treated: new Map<number, { value: number; x: number; y: number }>(), control: new Map<number, { value: number; x: number; y: number }>() };
  for (const r of rows) {
    const group = r.treated ? 'treated' : 'control';
    if (r.g === 0) {
      if (r.score === null) continue;
      const m = scoreMaps[group];
      const c = m.get(r.score) ?? { value: r.score, x: 0, y: 0 };
      // x = after, y = before: Cliff's delta > 0 means scores rose.
      if (r.post) c.x += r.n;
      else c.y += r.n;
      m.set(r.score, c);
    } else if (r.grade !== null && (GRADES as readonly string[]).includes(r.grade)) {
      out.grades[group][r.post ? 'after' : 'before'][r.grade as keyof GradeCounts] += r.n;
    }
  }
  out.scores.treated = [...scoreMaps.treated.values()];
  out.scores.control = [...scoreMaps.control.values()];
  return out;
}
