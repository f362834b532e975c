import { rankingForced, rankingForcedInputSchema } from '@perflens/warehouse';
import { publicProcedure, router } from '../trpc.ts';

/** Forced ranking (强制分布); the SQL lives in the warehouse's named query. */
export const rankingRouter = router({
  forced: publicProcedure.input(rankingForcedInputSchema).query(({ ctx, input }) => rankingForced(ctx.wh, input)),
});
