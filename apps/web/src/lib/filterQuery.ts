import { CYCLES, type Cycle } from '@perflens/core/domain';

/**
 * The analysis filters of the dashboard and their URL form (a view can be shared as a link).
 * Kept apart from the Pinia store so the start-up prefetch can read them without Vue.
 */
export interface FilterState {
  from?: string;
  to?: string;
  /** Absent = automatic: the server picks the finest cycle with data in the filter. */
  cycle?: Cycle;
  orgUnitId?: string;
  /** Any role code: a company's own job titles are roles too, so there is no fixed list to check. */
  role?: string;
}

export type LocationQuery = Record<string, string | null | (string | null)[] | undefined>;

const PERIOD_RE = /^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$/;
/** The shape of a code, not membership of a list: an unknown role simply matches no rows. */
const ROLE_RE = /^[^\s\u0000-\u001f][^\u0000-\u001f]{0,63}$/u;

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
    ...((CYCLES as readonly string[]).includes(cycle ?? '') ? { cycle: cycle as Cycle } : {}),
    ...(from && PERIOD_RE.test(from) ? { from } : {}),
    ...(to && PERIOD_RE.test(to) ? { to } : {}),
    ...(org && org.length <= 64 ? { orgUnitId: org } : {}),
    ...(role && ROLE_RE.test(role) ? { role } : {}),
  };
}

/** The inverse of filtersFromQuery; defaults (automatic cycle, no filter) are left out to keep links short. */
export function filtersToQuery(f: FilterState): Record<string, string> {
  const q: Record<string, string> = {};
  if (f.from) q.from = f.from;
  if (f.to) q.to = f.to;
  // An explicit cycle, month included, is a choice the link keeps; automatic is the absence.
  if (f.cycle) q.cycle = f.cycle;
  if (f.orgUnitId) q.org = f.orgUnitId;
  if (f.role) q.role = f.role;
  return q;
}

export function sameFilters(a: FilterState, b: FilterState): boolean {
  return JSON.stringify(filtersToQuery(a)) === JSON.stringify(filtersToQuery(b));
}
