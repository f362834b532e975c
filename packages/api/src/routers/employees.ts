import { employeeAssessmentsInputSchema, listEmployeeAssessments } from '@perflens/warehouse';
import { router } from '../trpc.ts';
import { procedure } from '../access.ts';

export const employeesRouter = router({
  list: procedure('read.people', { scoped: true }).input(employeeAssessmentsInputSchema).query(({ ctx, input }) => listEmployeeAssessments(ctx.wh, input)),
});
