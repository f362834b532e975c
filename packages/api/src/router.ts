import { router } from './trpc.ts';
import { metaRouter } from './routers/meta.ts';

/** One router per capability; the procedure names are the public HTTP API (see README). */
export const appRouter = router({
  meta: metaRouter,
});

export type AppRouter = typeof appRouter;
