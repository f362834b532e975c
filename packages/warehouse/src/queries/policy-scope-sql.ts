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
