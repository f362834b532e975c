import {
  gradeDistribution,
  gradeDistributionInputSchema,
  orgUnitBoxPlots,
  orgUnitBoxPlotsInputSchema,
  raterLeniency,
  raterLeniencyInputSchema,
  scoreDistribution,
  scoreDistributionInputSchema,
} from '@perflens/warehouse';
import { publicProcedure, router } from '../trpc.ts';

/** Grade / score distributions for HR fairness checks; the SQL lives in the warehouse's named queries. */
export const distributionRouter = router({
  grades: publicProcedure.input(gradeDistributionInputSchema).query(({ ctx, input }) => gradeDistribution(ctx.wh, input)),
  scores: publicProcedure.input(scoreDistributionInputSchema).query(({ ctx, input }) => scoreDistribution(ctx.wh, input)),
  byOrgUnit: publicProcedure.input(orgUnitBoxPlotsInputSchema).query(({ ctx, input }) => orgUnitBoxPlots(ctx.wh, input)),
  raters: publicProcedure.input(raterLeniencyInputSchema).query(({ ctx, input }) => raterLeniency(ctx.wh, input)),
});
