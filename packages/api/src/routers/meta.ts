import { overview } from '@perflens/warehouse';
import { publicProcedure, router } from '../trpc.ts';

export const metaRouter = router({
  overview: publicProcedure.query(({ ctx }) => overview(ctx.wh)),
});
