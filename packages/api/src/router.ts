import { router } from './trpc.ts';
import { metaRouter } from './routers/meta.ts';
import { distributionRouter } from './routers/distribution.ts';
import { employeesRouter } from './routers/employees.ts';
import { rankingRouter } from './routers/ranking.ts';
import { calibrationRouter } from './routers/calibration.ts';
import { importRouter } from './routers/import.ts';
import { policyRouter } from './routers/policy.ts';
import { schemeRouter } from './routers/scheme.ts';
import { simulationRouter } from './routers/simulation.ts';
import { scenarioRouter } from './routers/scenario.ts';
import { rolesRouter } from './routers/roles.ts';
import { authRouter } from './routers/auth.ts';
import { adminRouter } from './routers/admin.ts';
import { reportRouter } from './routers/report.ts';
import { tableRouter } from './routers/table.ts';

/** One router per capability; the procedure names are the public HTTP API (see README). */
export const appRouter = router({
  meta: metaRouter,
  distribution: distributionRouter,
  employees: employeesRouter,
  ranking: rankingRouter,
  calibration: calibrationRouter,
  import: importRouter,
  policy: policyRouter,
  scheme: schemeRouter,
  simulation: simulationRouter,
  scenario: scenarioRouter,
  roles: rolesRouter,
  auth: authRouter,
  admin: adminRouter,
  report: reportRouter,
  table: tableRouter,
});

export type AppRouter = typeof appRouter;
