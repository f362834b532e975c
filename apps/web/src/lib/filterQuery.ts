import { CYCLES, ROLES, type Cycle, type Role } from '@perflens/core/domain';

/**
 * The analysis filters of the dashboard and their URL form (a view can be shared as a link).
 * Kept apart from the Pinia store so the start-up prefetch can read them without Vue.
 */
export interface FilterState {
  from?: string;
  to?: string;
  cycle: Cycle;
  orgUnitId?: string;
  role?: Role;
}

export type LocationQuery = Record<string, string | null | (string | null)[] | undefined>;

const PERIOD_RE = /^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$/;

function one(v: LocationQuery[string]): string | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  return s == null || s === '' ? undefined : s;
}

/**
 * Reads filters from a URL query, dropping anything malformed rather than sending it to the
 * server (a hand-edited link should degrade to "no filter", not to an error page).
 */
export function filtersFromQuery(q: LocationQuery): FilterState {
  const cycle = one(q.cycle);
  const role = one(q.role);
  const from = one(q.from);
  const to = one(q.to);
  const org = one(q.org);
  return {
    cycle: (CYCLES as readonly string[]).includes(cycle ?? '') ? (cycle as Cycle) : 'month',
    ...(from && PERIOD_RE.test(from) ? { from } : {}),
    ...(to && PERIOD_RE.test(to) ? { to } : {}),
    ...(org && org.length <= 64 ? { orgUnitId: org } : {}),
    ...(role && (ROLES as readonly string[]).includes(role) ? { role: role as Role } : {}),
  };
}

/** The inverse of filtersFromQuery; defaults are left out to keep links short. */
export function filtersToQuery(f: FilterState): Record<string, string> {
  const q: Record<string, string> = {};
  if (f.from) q.from = f.from;
  if (f.to) q.to = f.to;
  if (f.cycle !== 'month') q.cycle = f.cycle;
  if (f.orgUnitId) q.org = f.orgUnitId;
  if (f.role) q.role = f.role;
  return q;
}

export function sameFilters(a: FilterState, b: FilterState): boolean {
  return JSON.stringify(filtersToQuery(a)) === JSON.stringify(filtersToQuery(b));
}
