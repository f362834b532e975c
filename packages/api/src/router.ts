import { router } from './trpc.ts';
import { metaRouter } from './routers/meta.ts';
import { distributionRouter } from './routers/distribution.ts';
import { employeesRouter } from './routers/employees.ts';
import { rankingRouter } from './routers/ranking.ts';
import { importRouter } from './routers/import.ts';
import { policyRouter } from './routers/policy.ts';

/** One router per capability; the procedure names are the public HTTP API (see README). */
export const appRouter = router({
  meta: metaRouter,
  distribution: distributionRouter,
  employees: employeesRouter,
  ranking: rankingRouter,
  import: importRouter,
  policy: policyRouter,
});

export type AppRouter = typeof appRouter;
