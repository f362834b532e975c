import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { AsyncLocalStorage } from 'node:async_hooks';
import { setMaxListeners } from 'node:events';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MIGRATIONS } from './migrations/index.ts';

export type SqlParams = Record<string, string | number | boolean | null | bigint>;

export interface WarehouseOptions {
  /** DuckDB file, or ':memory:'. */
  path: string;
  /** DuckDB worker threads; explicit so a benchmark on 2 cores is reproducible. */
  threads?: number;
  memoryLimit?: string;
  /** Connections kept open; each runs one statement at a time. */
  poolSize?: number;
  /**
   * Open the file read-only (a published snapshot served by `perflens serve --read-only`): DuckDB
   * refuses every write, several processes may open the file at once, and migrations are not run.
   */
  readOnly?: boolean;
}

/** Raised when another process holds the DuckDB file's write lock. */
export class DatabaseLockedError extends Error {
  constructor(
    readonly path: string,
    readonly holderPid: number | null,
    cause: unknown,
  ) {
    super(
      `The database file ${path} is in use by another process${holderPid ? ` (PID ${holderPid})` : ''}. ` +
        `Only one process may open it read-write: stop that process, or send the command to the running server. / ` +
        `数据库文件 ${path} 正被另一个进程占用${holderPid ? `（PID ${holderPid}）` : ''}，同一时间只能有一个进程写入：请先停止该进程，或通过正在运行的服务器执行命令。`,
      { cause },
    );
    this.name = 'DatabaseLockedError';
  }
}

/**
 * Raised by work whose signal fired (the request's time limit, or a client that went away): the
 * statement in flight was interrupted in DuckDB, and no later statement of that work was started.
 * The message is for people and names no SQL; `reason` is the signal's.
 */
export class WorkAbortedError extends Error {
  constructor(
    readonly reason: unknown,
    cause?: unknown,
  ) {
    super('The work was stopped before it finished. / 操作未完成即被停止。', { cause });
    this.name = 'WorkAbortedError';
  }
}

/**
 * The signal of the work running in the current async context (set by `withSignal`). Kept here
 * rather than passed as an argument so the named queries, which take a Warehouse and call
 * `query`, stop with their request without a parameter threaded through every one of them.
 */
const currentSignal = new AsyncLocalStorage<AbortSignal>();

/** Statements still allowed once the signal fired: they only undo (a rollback, dropping a temp table). */
const CLEANUP = /^\s*(ROLLBACK|ABORT|DROP)\b/i;

/**
 * The connection as `fn` sees it under a signal: every call refuses once the signal fired, so
 * work stopped between two statements does not go on to the next (an import's COMMIT after its
 * caller was told it had stopped), apart from statements that only clean up.
 */
function guarded(conn: DuckDBConnection, signal: AbortSignal): DuckDBConnection {
  return new Proxy(conn, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return value;
      const method = value as (...a: unknown[]) => unknown;
      // An async method refuses with a rejected promise, as it fails otherwise (`.catch()` chains
      // on it must still catch); the few synchronous ones throw.
      const isAsync = method.constructor.name === 'AsyncFunction';
      return (...args: unknown[]) => {
        if (signal.aborted && !(typeof args[0] === 'string' && CLEANUP.test(args[0]))) {
          const err = new WorkAbortedError(signal.reason);
          if (isAsync) return Promise.reject(err);
          throw err;
        }
        return method.apply(target, args);
      };
    },
  });
}

/**
 * Statements that cannot change data. Anything else (INSERT, CREATE, a WITH … INSERT …)
 * counts as a write; a false "write" only costs one extra signature check.
 */
const READ_ONLY_START = /^\s*(SELECT|FROM|EXPLAIN|DESCRIBE|SUMMARIZE|SHOW|VALUES)\b/i;
/** A WITH statement may end in a write (WITH … INSERT); one naming no write verb cannot. */
const WRITE_VERB = /\b(INSERT|UPDATE|DELETE|MERGE|COPY|CREATE|DROP|ALTER|ATTACH|CHECKPOINT|VACUUM|TRUNCATE)\b/i;

export function isReadOnly(sql: string): boolean {
  if (READ_ONLY_START.test(sql)) return true;
  return /^\s*WITH\b/i.test(sql) && !WRITE_VERB.test(sql);
}

/**
 * One DuckDB instance per process with a small pool of connections. DuckDB parallelises a
 * single query across `threads`; the pool only lets a light query run while a heavy one is
 * in flight (the node bindings run each statement on the libuv thread pool, which the server
 * enlarges through UV_THREADPOOL_SIZE).
 */
export class Warehouse {
  private readonly idle: DuckDBConnection[] = [];
  private readonly waiting: Array<(c: DuckDBConnection) => void> = [];
  private readonly all: DuckDBConnection[] = [];
  /** Connections being opened: counted against the pool size before they exist. */
  private connecting = 0;
  private closed = false;
  private generation = 0;

  private constructor(
    readonly instance: DuckDBInstance,
    readonly path: string,
    private readonly poolSize: number,
    /** A published snapshot (WarehouseOptions.readOnly): nothing may be written, not even a session. */
    readonly readOnly = false,
  ) {}

  static async open(options: WarehouseOptions): Promise<Warehouse> {
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(options.path, {
        threads: String(options.threads ?? 2),
        memory_limit: options.memoryLimit ?? '4GB',
        // Nothing may be fetched at run time: only the built-in extensions are usable.
        autoinstall_known_extensions: 'false',
        autoload_known_extensions: 'true',
        ...(options.readOnly ? { access_mode: 'READ_ONLY' } : {}),
      });
    } catch (err) {
      const message = String((err as Error).message ?? err);
      if (/lock/i.test(message)) {
        const pid = /PID (\d+)/.exec(message);
        throw new DatabaseLockedError(options.path, pid ? Number(pid[1]) : null, err);
      }
      throw err;
    }
    const wh = new Warehouse(instance, options.path, Math.max(1, options.poolSize ?? 4), options.readOnly ?? false);
    // A read-only file cannot be upgraded; its schema version is checked by whoever opens it.
    if (!options.readOnly) await wh.migrate();
    return wh;
  }

  private async acquire(signal?: AbortSignal): Promise<DuckDBConnection> {
    if (this.closed) throw new Error('warehouse is closed');
    const c = this.idle.pop();
    if (c) return c;
    if (this.all.length + this.connecting < this.poolSize) return this.connect();
    return new Promise((resolve, reject) => {
      // A request that gives up while queued leaves the queue: it must not take a connection later.
      const onAbort = () => {
        const i = this.waiting.indexOf(take);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(new WorkAbortedError(signal!.reason));
      };
      const take = (conn: DuckDBConnection) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(conn);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(take);
    });
  }

  private async connect(): Promise<DuckDBConnection> {
    this.connecting++;
    try {
      const conn = await this.instance.connect();
      this.all.push(conn);
      return conn;
    } finally {
      this.connecting--;
    }
  }

  private release(c: DuckDBConnection): void {
    const next = this.waiting.shift();
    if (next) next(c);
    else this.idle.push(c);
  }

  /**
   * After work that was stopped: an interrupted statement inside a transaction leaves it aborted
   * (every later statement on that connection would fail until a ROLLBACK), so roll back whatever
   * is open and check the connection answers before the next caller gets it. One that does not is
   * closed and replaced, so a stopped request never costs the pool a connection.
   */
  private async recover(conn: DuckDBConnection): Promise<void> {
    await conn.run('ROLLBACK').catch(() => undefined); // "no transaction is active" is the usual answer
    try {
      await conn.run('SELECT 1');
      this.release(conn);
      return;
    } catch {
      /* replaced below */
    }
    const i = this.all.indexOf(conn);
    if (i >= 0) this.all.splice(i, 1);
    try {
      conn.closeSync();
    } catch {
      /* already unusable */
    }
    if (this.waiting.length > 0 && !this.closed) {
      // Someone is queued for the connection that just went: open its replacement for them.
      this.connect().then(
        (fresh) => this.release(fresh),
        () => undefined, // the next acquire opens one when it can
      );
    }
  }

  /**
   * Runs `fn` with `signal` governing every statement it (and anything it calls) runs through
   * this warehouse: when the signal fires, the statement in flight is interrupted in DuckDB
   * (`DuckDBConnection.interrupt()`), a caller still queued for a connection stops waiting, and
   * any later statement throws `WorkAbortedError` instead of starting. The connection goes back to
   * the pool rolled back and checked. Nested calls combine their signals (either one stops it).
   */
  /**
   * Runs shared work outside the current request's signal. A single-flight build (the derived
   * tables, the simulator's layout and base caches, the ranking cells, a memo) serves every caller
   * waiting on it: started under the first caller's signal, it would be stopped when that caller
   * cancels (a superseded dashboard query) and fail for all the others.
   */
  detached<T>(fn: () => T): T {
    const out = currentSignal.exit(fn);
    // Tracked so closeWhenIdle can wait for it: background work outlives the request that began it.
    if (out instanceof Promise) {
      const p = out.catch(() => undefined).finally(() => this.background.delete(p));
      this.background.add(p);
    }
    return out;
  }

  /** Detached work still running (a background refresh after an import, a shared build). */
  private readonly background = new Set<Promise<unknown>>();

  withSignal<T>(signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
    const outer = currentSignal.getStore();
    // A signal of our own: each statement (and each caller queued for a connection) listens to it
    // until it is done, so a procedure running 30 queries at once has 30 listeners, none leaked.
    const own = AbortSignal.any(outer ? [outer, signal] : [signal]);
    setMaxListeners(0, own);
    return currentSignal.run(own, fn);
  }

  /**
   * Counts the units of work that may have written, whatever their outcome. Only this process
   * can write the file (DuckDB allows one read-write opener), so an unchanged generation proves
   * the data unchanged and lets readers skip re-checking derived tables (ensureAnalytics).
   */
  get writeGeneration(): number {
    return this.generation;
  }

  private readonly memos = new Map<string, { generation: number; value: Promise<unknown> }>();

  /**
   * A value read from the database (the org tree, the stored schemes …), kept until the next
   * unit of work that could write. Concurrent callers share one read; a failed read is not kept.
   */
  memo<T>(key: string, load: () => Promise<T>): Promise<T> {
    const generation = this.generation;
    const hit = this.memos.get(key);
    if (hit && hit.generation === generation) return hit.value as Promise<T>;
    const value = this.detached(load);
    this.memos.set(key, { generation, value });
    value.catch(() => {
      if (this.memos.get(key)?.value === value) this.memos.delete(key);
    });
    return value;
  }

  private async use<T>(fn: (conn: DuckDBConnection) => Promise<T>, writes: boolean): Promise<T> {
    const signal = currentSignal.getStore();
    if (!signal) {
      const conn = await this.acquire();
      try {
        return await fn(conn);
      } finally {
        // Bumped after the work (and its commit) so a check that started earlier is not trusted.
        if (writes) this.generation++;
        this.release(conn);
      }
    }
    if (signal.aborted) throw new WorkAbortedError(signal.reason);
    const conn = await this.acquire(signal);
    const interrupt = () => conn.interrupt();
    signal.addEventListener('abort', interrupt, { once: true });
    try {
      return await fn(guarded(conn, signal));
    } catch (err) {
      // DuckDB's "INTERRUPT Error: Interrupted!" (or whatever the stopped work failed on next)
      // becomes one error that says what happened.
      if (signal.aborted && !(err instanceof WorkAbortedError)) throw new WorkAbortedError(signal.reason, err);
      throw err;
    } finally {
      signal.removeEventListener('abort', interrupt);
      if (writes) this.generation++;
      if (signal.aborted) await this.recover(conn);
      else this.release(conn);
    }
  }

  /**
   * Runs `fn` with one connection held for its whole duration (needed for transactions and temp
   * tables). Counted as a possible write: the caller has the raw connection.
   */
  withConnection<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.use(fn, true);
  }

  /** Rows as plain JSON values (BIGINT/DECIMAL come back as strings: cast in SQL where numbers are wanted). */
  query<T = Record<string, unknown>>(sql: string, params?: SqlParams): Promise<T[]> {
    return this.use(async (conn) => {
      const reader = await conn.runAndReadAll(sql, params as never);
      return reader.getRowObjectsJson() as unknown as T[];
    }, !isReadOnly(sql));
  }

  /**
   * Columns as arrays of JS values, for results that feed a computation rather than a JSON
   * reply: far cheaper than row objects when there are thousands of rows. Numbers stay numbers
   * only for INTEGER/DOUBLE columns (cast BIGINT in SQL).
   */
  columns<T extends Record<string, unknown[]>>(sql: string, params?: SqlParams): Promise<T> {
    return this.use(async (conn) => {
      const reader = await conn.runAndReadAll(sql, params as never);
      return reader.getColumnsObjectJS() as unknown as T;
    }, !isReadOnly(sql));
  }

  async run(sql: string, params?: SqlParams): Promise<void> {
    await this.use(async (conn) => {
      await conn.run(sql, params as never);
    }, !isReadOnly(sql));
  }

  /**
   * A write to access bookkeeping only (when a session or token was last used). Nothing derived
   * and nothing memoised reads those columns, so it does not count as a write: otherwise every
   * signed-in user's once-a-minute touch would throw away the memos and make the next request
   * re-check the derived tables.
   */
  async touch(sql: string, params?: SqlParams): Promise<void> {
    await this.use(async (conn) => {
      await conn.run(sql, params as never);
    }, false);
  }

  /**
   * All-or-nothing unit of work on one connection. Any throw rolls back, so a failed import
   * leaves the database exactly as it was.
   */
  async transaction<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.withConnection(async (conn) => {
      await conn.run('BEGIN TRANSACTION');
      try {
        const result = await fn(conn);
        await conn.run('COMMIT');
        return result;
      } catch (err) {
        await conn.run('ROLLBACK').catch(() => undefined);
        throw err;
      }
    });
  }

  private async migrate(): Promise<void> {
    await this.run(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)',
    );
    const done = new Set(
      (await this.query<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => r.version),
    );
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      await this.transaction(async (conn) => {
        await conn.run(m.sql);
        await conn.run('INSERT INTO schema_migrations (version, name) VALUES ($v, $n)', { v: m.version, n: m.name });
      });
    }
  }

  async schemaVersion(): Promise<number> {
    const rows = await this.query<{ v: number | null }>('SELECT max(version)::INTEGER AS v FROM schema_migrations');
    return rows[0]?.v ?? 0;
  }

  /** Flushes the WAL so the file is self-contained (after big loads). */
  async checkpoint(): Promise<void> {
    await this.run('CHECKPOINT');
  }

  /**
   * Connections handed out and not yet given back, plus callers queued for one: zero means no
   * statement of this warehouse is running, so it can be closed without cutting one short.
   */
  get busyConnections(): number {
    return this.all.length + this.connecting - this.idle.length + this.waiting.length;
  }

  /**
   * Closes once no statement runs: neither a caller's nor detached work such as the background
   * refresh an import starts. Closing DuckDB under a running statement can crash the process
   * (seen when a test closed its database while an import's refresh was still rebuilding).
   */
  async closeWhenIdle(): Promise<void> {
    await this.settled();
    this.close();
  }

  /** Resolves when no statement runs and no detached work is left (requests have time limits, so this ends). */
  async settled(): Promise<void> {
    while (!this.closed) {
      if (this.background.size) await Promise.allSettled([...this.background]);
      else if (this.busyConnections > 0) await new Promise((r) => setTimeout(r, 10));
      else return;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.all) c.closeSync();
    this.instance.closeSync();
  }
}
