import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
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
  private closed = false;
  private generation = 0;

  private constructor(
    readonly instance: DuckDBInstance,
    readonly path: string,
    private readonly poolSize: number,
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
      });
    } catch (err) {
      const message = String((err as Error).message ?? err);
      if (/lock/i.test(message)) {
        const pid = /PID (\d+)/.exec(message);
        throw new DatabaseLockedError(options.path, pid ? Number(pid[1]) : null, err);
      }
      throw err;
    }
    const wh = new Warehouse(instance, options.path, Math.max(1, options.poolSize ?? 4));
    await wh.migrate();
    return wh;
  }

  private async acquire(): Promise<DuckDBConnection> {
    if (this.closed) throw new Error('warehouse is closed');
    const c = this.idle.pop();
    if (c) return c;
    if (this.all.length < this.poolSize) {
      const conn = await this.instance.connect();
      this.all.push(conn);
      return conn;
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(c: DuckDBConnection): void {
    const next = this.waiting.shift();
    if (next) next(c);
    else this.idle.push(c);
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
    const value = load();
    this.memos.set(key, { generation, value });
    value.catch(() => {
      if (this.memos.get(key)?.value === value) this.memos.delete(key);
    });
    return value;
  }

  private async use<T>(fn: (conn: DuckDBConnection) => Promise<T>, writes: boolean): Promise<T> {
    const conn = await this.acquire();
    try {
      return await fn(conn);
    } finally {
      // Bumped after the work (and its commit) so a check that started earlier is not trusted.
      if (writes) this.generation++;
      this.release(conn);
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

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.all) c.closeSync();
    this.instance.closeSync();
  }
}
