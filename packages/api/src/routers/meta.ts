import { listOrgUnits, listPeriods, listRoleRows, overview } from '@perflens/warehouse';
import { publicProcedure, router } from '../trpc.ts';

export const metaRouter = router({
  overview: publicProcedure.query(({ ctx }) => overview(ctx.wh)),
  /** Org tree flattened parents-first, for tree pickers. */
  orgUnits: publicProcedure.query(({ ctx }) => listOrgUnits(ctx.wh)),
  periods: publicProcedure.query(({ ctx }) => listPeriods(ctx.wh)),
  /** Every role that exists (built-ins and imported job titles), for pickers and the roles admin. */
  roles: publicProcedure.query(({ ctx }) => listRoleRows(ctx.wh)),
});
