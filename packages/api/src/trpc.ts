import { AsyncLocalStorage } from 'node:async_hooks';
import { initTRPC, TRPCError } from '@trpc/server';
import { roleCodeSchema } from '@perflens/core';
import { unknownRoleCodes, type Actor, type Warehouse } from '@perflens/warehouse';
import type { AuthService } from '@perflens/auth';
import './messages.ts';

export interface Context {
  wh: Warehouse;
  /** Preferred language of the caller (Accept-Language), for messages built server-side. */
  lang: 'zh' | 'en';
  /**
   * Time limits (ms) the HTTP server sets: `requestMs` for every procedure, `longMs` for the
   * LONG_PROCEDURES. Absent for in-process callers (the CLI, tests): no limit.
   */
  limits?: { requestMs: number; longMs: number };
  /**
   * Set by the HTTP server for every request (absent for in-process callers, who act as the
   * local operator: see access.ts). `actor` is the signed-in user or the owner of the bearer
   * token, null when the request carries neither (or an expired one).
   */
  http?: HttpAuth;
}

export interface HttpAuth {
  auth: AuthService;
  actor: (Actor & { mustChangePassword?: boolean }) | null;
  ip: string | null;
  /** The session secret from the cookie, for sign-out. */
  sessionToken: string | null;
  /** Sets (token) or clears (null) the session cookie on the answer. */
  setSession(token: string | null): void;
}

/** Procedures a batch may carry only a few of (core heavy-procedures.ts, shared with the dashboard). */
export { isHeavyProcedure } from '@perflens/core/heavy-procedures';
import { isHeavyProcedure } from '@perflens/core/heavy-procedures';

/**
 * Long by nature: an import validates and writes a file of up to 512 MB in one transaction, and
 * its preview reads that file. They run under their own, larger limit.
 */
export const LONG_PROCEDURES: ReadonlySet<string> = new Set(['import.run', 'import.preview']);

// No data transformer: the API must stay usable with plain JSON from curl or Python.
// isDev off: error responses carry the message and code, never the server's stack trace (tRPC
// adds it whenever NODE_ENV is not 'production', and `perflens serve` does not set it).
const t = initTRPC.context<Context>().meta<import('./access.ts').ProcedureMeta>().create({ isDev: false });

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

/**
 * Every procedure called over HTTP has a time limit. Its database work runs under a signal
 * (Warehouse.withSignal: the statement in flight is interrupted in DuckDB, the connection goes back
 * to the pool rolled back and checked, and no later statement starts) that fires at the deadline or
 * when the client goes away. The answer comes at the deadline even if the work is still between
 * statements. SERVICE_UNAVAILABLE (503) rather than TIMEOUT (408): browsers resend a request that
 * got a 408 on a reused connection, which would run the same runaway work a second time.
 */
function duration(ms: number): [zh: string, en: string] {
  if (ms < 1000) return [`${ms} 毫秒`, `${ms} ms`];
  if (ms < 120_000) {
    const s = Math.round(ms / 100) / 10;
    return [`${s} 秒`, `${s} s`];
  }
  const min = Math.round(ms / 6000) / 10;
  return [`${min} 分钟`, `${min} min`];
}

const timeLimited = t.middleware(async ({ ctx, path, signal, next }) => {
  const ms = ctx.limits ? (LONG_PROCEDURES.has(path) ? ctx.limits.longMs : ctx.limits.requestMs) : 0;
  if (!ms && !signal) return next();
  const deadline = new AbortController();
  const timer = ms ? setTimeout(() => deadline.abort(), ms) : undefined;
  const stop = signal ? AbortSignal.any([signal, deadline.signal]) : deadline.signal;
  let onStop = () => undefined as void;
  const stopped = new Promise<null>((resolve) => {
    onStop = () => resolve(null);
    stop.addEventListener('abort', onStop, { once: true });
  });
  try {
    const work = ctx.wh.withSignal(stop, () => next());
    work.catch(() => undefined); // answered at the deadline: a later failure has no one to tell
    const result = await Promise.race([work, stopped]);
    // Finished, or failed on its own: that is the answer, even if the deadline passed meanwhile.
    if (result && (result.ok || !stop.aborted)) return result;
    if (deadline.signal.aborted) {
      const [zh, en] = duration(ms);
      throw new TRPCError({
        code: 'SERVICE_UNAVAILABLE',
        message: LONG_PROCEDURES.has(path)
          ? `处理文件超过 ${zh}的时限，已停止，数据库未改动 / working on the file took longer than the ${en} limit and was stopped; the database is unchanged`
          : `请求超过 ${zh}的处理时限，已停止；请缩小筛选范围后重试 / the request took longer than the ${en} limit and was stopped; narrow the filters and try again`,
      });
    }
    throw new TRPCError({ code: 'CLIENT_CLOSED_REQUEST', message: '请求已被取消 / the request was cancelled' });
  } finally {
    clearTimeout(timer);
    stop.removeEventListener('abort', onStop);
  }
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
const rolesMustExist = t.middleware(async ({ ctx, path, getRawInput, next }) => {
  // There `role` is a user's role (admin, manager …), not a job role.
  if (path.startsWith('admin.') || path.startsWith('auth.')) return next();
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

/**
 * One heavy procedure at a time (PERFLENS_HEAVY_CONCURRENCY): each already uses every DuckDB
 * thread, so two at once only share the cores with each other and with the light panels. With
 * 50 users clicking as fast as they can (`pnpm bench load`, 100–500 ms pauses, 2 cores) the light
 * panels' p50 went from 200–310 to 49–71 ms and p95 from 307–536 to 145–262 ms, while a heavy
 * request now waits its turn (p50 0.5 → 3.9 s). At a reading pace (2–8 s) nothing changes: light
 * p95 ≤ 25 ms either way. A queued heavy request waits within its own time limit.
 */
const HEAVY_AT_ONCE = Math.max(1, Number(process.env.PERFLENS_HEAVY_CONCURRENCY ?? 1) || 1);
let heavyRunning = 0;
const heavyQueue: Array<() => void> = [];
/**
 * Set while a request holds a heavy slot. A heavy procedure that calls others (report.create asks
 * policy.effect and scenario.compare through their procedures) already holds the slot for them:
 * queueing those behind itself would wait until the time limit.
 */
const inHeavyLane = new AsyncLocalStorage<true>();
const heavyLane = t.middleware(async ({ path, next }) => {
  if (!isHeavyProcedure(path) || inHeavyLane.getStore()) return next();
  if (heavyRunning >= HEAVY_AT_ONCE) await new Promise<void>((resolve) => heavyQueue.push(resolve));
  else heavyRunning++;
  try {
    return await inHeavyLane.run(true, () => next());
  } finally {
    // Hand the slot straight to the next in line (the count stays), or free it.
    const nextInLine = heavyQueue.shift();
    if (nextInLine) nextInLine();
    else heavyRunning--;
  }
});

export const router = t.router;
export const middleware = t.middleware;
// The time limit is outermost: the access check's and the role check's queries run under it too.
/** Time limit and conflict handling; access.ts adds who may call, then the role-code check. */
export const baseProcedure = t.procedure.use(timeLimited).use(conflictsAreConflicts).use(heavyLane);
export { rolesMustExist };
/** No access check: only for in-process tests of the tRPC plumbing itself. */
export const publicProcedure = baseProcedure.use(rolesMustExist);
export const createCallerFactory = t.createCallerFactory;
