import { TRPCError } from '@trpc/server';
import { InfeasibleGuidelineError } from '@perflens/core';
import { CalibrationError, rankingForced, rankingForcedInputSchema } from '@perflens/warehouse';
import { router } from '../trpc.ts';
import { procedure } from '../access.ts';

/** Forced ranking (强制分布); the SQL lives in the warehouse's named query. */
export const rankingRouter = router({
  forced: procedure('read.people', { scoped: true }).input(rankingForcedInputSchema).query(async ({ ctx, input }) => {
    try {
      return await rankingForced(ctx.wh, input);
    } catch (err) {
      // Guideline ranges that no quota can meet, or options that do not combine: the caller's to fix.
      if (err instanceof InfeasibleGuidelineError || err instanceof CalibrationError)
        throw new TRPCError({ code: 'BAD_REQUEST', message: err.message, cause: err });
      throw err;
    }
  }),
});
