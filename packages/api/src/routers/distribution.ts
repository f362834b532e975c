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
import { router } from '../trpc.ts';
import { procedure } from '../access.ts';

/** Grade / score distributions for HR fairness checks; the SQL lives in the warehouse's named queries. */
export const distributionRouter = router({
  grades: procedure('read.aggregate', { scoped: true }).input(gradeDistributionInputSchema).query(({ ctx, input }) => gradeDistribution(ctx.wh, input)),
  scores: procedure('read.aggregate', { scoped: true }).input(scoreDistributionInputSchema).query(({ ctx, input }) => scoreDistribution(ctx.wh, input)),
  byOrgUnit: procedure('read.aggregate', { scoped: true }).input(orgUnitBoxPlotsInputSchema).query(({ ctx, input }) => orgUnitBoxPlots(ctx.wh, input)),
  raters: procedure('read.people', { scoped: true }).input(raterLeniencyInputSchema).query(({ ctx, input }) => raterLeniency(ctx.wh, input)),
});
