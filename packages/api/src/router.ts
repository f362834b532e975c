import { router } from './trpc.ts';
import { metaRouter } from './routers/meta.ts';
import { distributionRouter } from './routers/distribution.ts';
import { employeesRouter } from './routers/employees.ts';
import { importRouter } from './routers/import.ts';

/** One router per capability; the procedure names are the public HTTP API (see README). */
export const appRouter = router({
  meta: metaRouter,
  distribution: distributionRouter,
  employees: employeesRouter,
  import: importRouter,
});

export type AppRouter = typeof appRouter;
