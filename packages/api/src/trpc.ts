import { initTRPC, TRPCError } from '@trpc/server';
import type { Warehouse } from '@perflens/warehouse';
import './messages.ts';

export interface Context {
  wh: Warehouse;
  /** Preferred language of the caller (Accept-Language), for messages built server-side. */
  lang: 'zh' | 'en';
}

// No data transformer: the API must stay usable with plain JSON from curl or Python.
// isDev off: error responses carry the message and code, never the server's stack trace (tRPC
// adds it whenever NODE_ENV is not 'production', and `perflens serve` does not set it).
const t = initTRPC.context<Context>().create({ isDev: false });

/**
 * DuckDB aborts one of two transactions that change the same rows at the same moment (two HR
 * users adjusting one calibration session, two tabs saving one policy). That is not a server
 * fault: the caller gets CONFLICT and a message saying a retry will do, not a 500.
 */
const DUCKDB_CONFLICT = /TransactionContext Error: .*conflict/i;
const conflictsAreConflicts = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.code === 'INTERNAL_SERVER_ERROR') {
    const cause = result.error.cause ?? result.error;
    if (DUCKDB_CONFLICT.test(cause.message))
      throw new TRPCError({
        code: 'CONFLICT',
        message: '同一数据刚被另一个操作修改，请重试 / the same data was just changed by another request; please try again',
        cause,
      });
  }
  return result;
});

export const router = t.router;
export const publicProcedure = t.procedure.use(conflictsAreConflicts);
export const createCallerFactory = t.createCallerFactory;
