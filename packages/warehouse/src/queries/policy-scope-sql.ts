import { subtreeIds, type Policy } from '@perflens/core';
import type { SqlParams, Warehouse } from '../db.ts';
import { listPolicies } from './policy-list.ts';
import { listOrgUnits } from './org-units.ts';

/**
 * Shared CTEs of the policy queries (constants: user values only travel as `$params`).
 * - pol: the policy's date and scope (empty lists = everything);
 * - scope_units / control_units: the org subtrees of the scope and of a chosen control group
 *   (UNION stops on a cycle in bad parent data);
 * - cls: per org unit, whether it is inside the scope and whether it may serve as control;
 * - win: the periods of the cycle inside the window with their index relative to the policy
 *   (0 = the first period starting on or after the effective date).
 * A row is treated when its org unit is in scope and (no role scope or its role is in it);
 * control when it is not treated and its unit may serve as control.
 */
export function policyScopeCtes(): string {
  return `WITH RECURSIVE
    pol AS (SELECT effective_from, coalesce(scope_org_unit_ids, []::VARCHAR[]) AS orgs,
                   coalesce(scope_roles, []::VARCHAR[]) AS roles FROM policies WHERE id = $policyId),
    scope_units(id) AS (
      SELECT unnest(orgs) FROM pol
      UNION
      SELECT o.id FROM org_units o JOIN scope_units s ON o.parent_id = s.id),
    control_units(id) AS (
      SELECT unnest(CAST(from_json($controlOrgs, '["VARCHAR"]') AS VARCHAR[]))
      UNION
      SELECT o.id FROM org_units o JOIN control_units s ON o.parent_id = s.id),
    cls AS (
      SELECT o.id AS org_unit_id,
             (len(pol.orgs) = 0 OR o.id IN (SELECT id FROM scope_units)) AS in_scope,
             ($controlOrgs IS NULL OR o.id IN (SELECT id FROM control_units)) AS may_control
        FROM org_units o, pol),
    per AS (SELECT id, start_date, (row_number() OVER (ORDER BY start_date, id) - 1)::INTEGER AS idx
              FROM periods WHERE kind = $cycle),
    t0 AS (SELECT count(*)::INTEGER AS idx FROM per, pol WHERE per.start_date < pol.effective_from),
    win AS (SELECT per.id AS period_id, per.idx - t0.idx AS rel FROM per, t0
             WHERE per.idx - t0.idx >= -coalesce($before, 1000000) AND per.idx - t0.idx < coalesce($after, 1000000))`;
}

export interface PolicyScopeParams {
  policyId: string;
  cycle: string;
  before?: number;
  after?: number;
  controlOrgUnitIds?: string[];
}

export function policyScopeParams(p: PolicyScopeParams): SqlParams {
  return {
    policyId: p.policyId,
    cycle: p.cycle,
    before: p.before ?? null,
    after: p.after ?? null,
    controlOrgs: p.controlOrgUnitIds ? JSON.stringify(p.controlOrgUnitIds) : null,
  };
}

/** Treated flag of a fact row `s` joined to `cls c` (per-row role check against the policy). */
export const TREATED_SQL = `(c.in_scope AND (len(pol.roles) = 0 OR list_contains(pol.roles, s.role)))`;

/**
 * Which untreated rows of a role-scoped policy serve as control. Like for like: the same roles
 * outside the scope (跟单二部's merchandisers for a 跟单一部 merchandiser pilot), because other
 * roles are scored on other KPIs and follow other trends. Only when nobody of those roles is
 * outside the scope (a role-wide policy) do the other roles stand in, and the analysis says so.
 * `same` is a boolean subquery: do same-role control rows exist? `role` is the row's role.
 */
export function controlRolesSql(role: string, same: string): string {
  return `(len(pol.roles) = 0 OR list_contains(pol.roles, ${role}) OR NOT coalesce(${same}, false))`;
}

/**
 * Staggered adoption: the chain of policies this policy belongs to — the same intervention
 * (same non-null `schemeAfter`) taking effect at other dates in other units: a pilot in one
 * department and its later roll-out to the others, with overlapping roles. Other policies that
 * merely overlap the scope at another date (overlappingPolicies) are a different treatment: they
 * are flagged as contamination by the analysis, never pooled into cohorts, or the headline of
 * one policy would report another's effect. Each chain member as its org subtree (null = every
 * unit), roles ([] = every role) and date, JSON for the `$chain` parameter; '[]' without a chain
 * (then no row gets a cohort and the analysis is not staggered).
 */
export async function policyChainParam(wh: Warehouse, policyId: string): Promise<string> {
  const [policies, orgUnits] = await Promise.all([listPolicies(wh), listOrgUnits(wh)]);
  const target = policies.find((p) => p.id === policyId);
  if (!target || target.schemeAfter === null) return '[]';
  const roleOverlap = (p: Policy) => target.scopeRoles.length === 0 || p.scopeRoles.length === 0 || p.scopeRoles.some((r) => target.scopeRoles.includes(r));
  const chain = policies.filter((p) => p.id === target.id || (p.schemeAfter === target.schemeAfter && p.effectiveFrom !== target.effectiveFrom && roleOverlap(p)));
  if (chain.length < 2) return '[]';
  return JSON.stringify(
    chain.map((p) => {
      const sub = subtreeIds(p.scopeOrgUnitIds, orgUnits);
      return { orgs: sub === null ? null : [...sub], roles: p.scopeRoles, d: p.effectiveFrom };
    }),
  );
}

/**
 * CTEs after policyScopeCtes(): `chain` (the `$chain` policies) and `covmap` — per org unit and
 * role of the CTE `source`, the relative period (as `win.rel`, on the cycle's period index) from
 * which the first policy of the chain covering it applies: the cohort of the staggered design.
 * `roleCol` is agg's role column (NULL for org-unit metrics, which match any role scope).
 */
export function chainCtes(source = 'agg', roleCol = 'role'): string {
  return `chain AS (SELECT unnest(CAST(from_json($chain, '[{"orgs":["VARCHAR"],"roles":["VARCHAR"],"d":"DATE"}]') AS STRUCT(orgs VARCHAR[], roles VARCHAR[], d DATE)[]), recursive := true)),
    covmap AS (SELECT x.org_unit_id, x.role,
                      min((SELECT count(*) FROM per p WHERE p.start_date < c.d)::INTEGER - (SELECT idx FROM t0)) AS cohort
                 FROM (SELECT DISTINCT org_unit_id, CAST(${roleCol} AS VARCHAR) AS role FROM ${source}) x
                 JOIN chain c ON (c.orgs IS NULL OR list_contains(c.orgs, x.org_unit_id))
                             AND (len(coalesce(c.roles, []::VARCHAR[])) = 0 OR x.role IS NULL OR list_contains(c.roles, x.role))
                GROUP BY ALL)`;
}

/**
 * Person-level distribution rows (one value per person and window), after policyScopeCtes() and a
 * `bounds` CTE (lo, hi: the window's first and last period start). Every fact row of the window is
 * classified as treated / control like the panel (its org unit against the scope, its role against
 * the role scope, the like-for-like control rule decided from the small assessment cube), then
 * grouped once by person, treatment and side of the date: each person contributes their mean score
 * and their median grade (the worse of the two middle grades when their number is even). Returns
 * CTEs and a SELECT in the DistributionCountRow shape (g = 0 scores, 1 grades). A person's monthly
 * ratings are repeated measures of one person: testing them as independent rows turns a small
 * shift into p = 1e-147.
 */
export function personDistributionSql(): { ctes: string; select: string } {
  return {
    ctes: `ppsame AS (SELECT bool_or(NOT c.in_scope AND c.may_control AND list_contains(pol.roles, x.role)) AS v
                 FROM (SELECT DISTINCT org_unit_id, role FROM assessment_cube
                        WHERE period_kind = $cycle::period_kind_t AND period_start >= (SELECT lo FROM bounds) AND period_start <= (SELECT hi FROM bounds)) x
                 JOIN cls c ON c.org_unit_id = x.org_unit_id, pol),
    prow AS (SELECT s.employee_id, s.score, s.grade, s.period_start >= pol.effective_from AS post, ${TREATED_SQL} AS treated, c.may_control, s.role
               FROM assessment_facts s JOIN cls c ON c.org_unit_id = s.org_unit_id, pol
              WHERE s.period_kind = $cycle::period_kind_t AND s.period_start >= (SELECT lo FROM bounds) AND s.period_start <= (SELECT hi FROM bounds)),
    person AS (SELECT employee_id, treated, post, sum(score) / nullif(count(score), 0) AS ms,
                      count(*) FILTER (WHERE grade = 'A') AS a, count(*) FILTER (WHERE grade = 'B') AS b,
                      count(*) FILTER (WHERE grade = 'C') AS c, count(*) FILTER (WHERE grade = 'D') AS d,
                      count(*) FILTER (WHERE grade = 'E') AS e
                 FROM prow x, pol
                WHERE treated OR (may_control AND ${controlRolesSql('x.role', '(SELECT v FROM ppsame)')})
                GROUP BY employee_id, treated, post),
    pmed AS (SELECT treated, post, ms,
                    CASE WHEN a + b + c + d + e = 0 THEN NULL
                         WHEN a >= (a + b + c + d + e) // 2 + 1 THEN 'A'
                         WHEN a + b >= (a + b + c + d + e) // 2 + 1 THEN 'B'
                         WHEN a + b + c >= (a + b + c + d + e) // 2 + 1 THEN 'C'
                         WHEN a + b + c + d >= (a + b + c + d + e) // 2 + 1 THEN 'D' ELSE 'E' END AS mg
               FROM person)`,
    select: `SELECT treated, post, ms AS score, NULL::VARCHAR AS grade, count(*)::INTEGER AS n, 0 AS g FROM pmed WHERE ms IS NOT NULL GROUP BY treated, post, ms
      UNION ALL
      SELECT treated, post, NULL::DOUBLE AS score, mg AS grade, count(*)::INTEGER AS n, 1 AS g FROM pmed WHERE mg IS NOT NULL GROUP BY treated, post, mg`,
  };
}
