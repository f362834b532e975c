import { employeeAssessmentsInputSchema, listEmployeeAssessments } from '@perflens/warehouse';
import { publicProcedure, router } from '../trpc.ts';

export const employeesRouter = router({
  list: publicProcedure.input(employeeAssessmentsInputSchema).query(({ ctx, input }) => listEmployeeAssessments(ctx.wh, input)),
});
