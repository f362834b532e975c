import { initTRPC, TRPCError } from '@trpc/server';
import { roleCodeSchema } from '@perflens/core';
import { unknownRoleCodes, type Warehouse } from '@perflens/warehouse';
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

/** Where role codes sit in the procedures' inputs: filters, policy scope, a scheme, a ranking. */
function roleCodesIn(input: unknown): string[] {
  const codes: string[] = [];
  const add = (v: unknown) => {
    // Only well-formed codes, trimmed as the schema trims them; anything else is the parser's to reject.
    const r = roleCodeSchema.safeParse(v);
    if (r.success) codes.push(r.data);
  };
  const obj = (v: unknown): Record<string, unknown> | null => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null);
  const top = obj(input);
  if (!top) return codes;
  add(top.role);
  if (Array.isArray(top.scopeRoles)) top.scopeRoles.forEach(add);
  for (const nested of ['scheme', 'base', 'ranking']) add(obj(top[nested])?.role);
  return codes;
}

/**
 * Roles are data (the `roles` table: the built-in seven and every role a company imported), so
 * the input schemas accept any well-formed code and this layer checks it exists: an unknown or
 * misspelt role answers 400 naming it, instead of an empty analysis or a policy scoped to nobody.
 * tRPC runs a base procedure's middlewares before the procedure's own input parser, so this reads
 * the raw input; the codes come from the table cached until the next write (Warehouse.memo), and
 * a request without role codes costs nothing.
 */
const rolesMustExist = t.middleware(async ({ ctx, getRawInput, next }) => {
  let raw: unknown;
  try {
    raw = await getRawInput();
  } catch {
    // Unreadable input (`?input=undefined` from a client that sends it to procedures without
    // input): such procedures never read it and have always answered, and a procedure with an
    // input parser reports the same error itself.
    return next();
  }
  const codes = roleCodesIn(raw);
  const unknown = await unknownRoleCodes(ctx.wh, codes);
  if (unknown.length > 0)
    throw new TRPCError({
      code: 'BAD_REQUEST',
      message: `未知岗位${unknown.map((c) => `“${c}”`).join('、')} / unknown role${unknown.length > 1 ? 's' : ''} ${unknown.map((c) => `"${c}"`).join(', ')}`,
    });
  return next();
});

export const router = t.router;
export const publicProcedure = t.procedure.use(conflictsAreConflicts).use(rolesMustExist);
export const createCallerFactory = t.createCallerFactory;
