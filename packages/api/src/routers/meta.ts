import { currentActor, derivedState, listOrgUnits, listPeriods, listRoleRows, overview, overviewScoped, type Warehouse } from '@perflens/warehouse';
import { router } from '../trpc.ts';
import { procedure } from '../access.ts';

/**
 * The org tree the caller may see: everything, or for a scoped role (manager, viewer) the units
 * of their subtrees, each subtree's top shown as a root (its parent is not theirs to see).
 */
async function visibleOrgUnits(wh: Warehouse) {
  const units = await listOrgUnits(wh);
  const scope = currentActor()?.orgScopes;
  if (scope == null) return units;
  const mine = new Set(scope);
  return units.filter((u) => mine.has(u.id)).map((u) => (u.parentId !== null && !mine.has(u.parentId) ? { ...u, parentId: null } : u));
}

export const metaRouter = router({
  overview: procedure('read.aggregate', { scoped: true }).query(({ ctx }) => (currentActor()?.orgScopes == null ? overview(ctx.wh) : overviewScoped(ctx.wh))),
  /** Org tree flattened parents-first, for tree pickers. */
  orgUnits: procedure('read.aggregate', { scoped: true }).query(({ ctx }) => visibleOrgUnits(ctx.wh)),
  periods: procedure('read.aggregate', { scoped: true }).query(({ ctx }) => listPeriods(ctx.wh)),
  /** Every role that exists (built-ins and imported job titles), for pickers and the roles admin. */
  roles: procedure('read.aggregate', { scoped: true }).query(({ ctx }) => listRoleRows(ctx.wh)),
  /** Whether the derived tables are being refreshed after an import (the header says "updating"). */
  refreshState: procedure('read.aggregate', { scoped: true }).query(({ ctx }) => derivedState(ctx.wh)),
});
