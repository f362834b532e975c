import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { Warehouse } from '@perflens/warehouse';
import { isDatabaseInvalidated } from '@perflens/warehouse/backup';
import { log } from './log.ts';
import { sendJson, VERSION } from './http.ts';

/** One opened warehouse and the request handler bound to it (http.ts binds a Warehouse at creation). */
export interface Generation {
  wh: Warehouse;
  handle: RequestListener;
  /** What it serves: the database file, or a snapshot id. */
  label: string;
  inflight: number;
  retired: boolean;
  closed: boolean;
}

export interface SlotOptions {
  /** The request handler serving one warehouse (createAppServer bound to it). */
  handlerFor(wh: Warehouse): RequestListener;
  /** Opens the database again after DuckDB invalidated the instance. */
  reopen(): Promise<{ wh: Warehouse; label: string }>;
  /** Answers a request itself (a read-only server's refusals, its /healthz); true when it did. */
  intercept?(req: IncomingMessage, res: ServerResponse, gen: Generation): boolean;
  /** First pause between reopen attempts (doubles up to 30 s); tests shorten it. */
  retryMs?: number;
}

const pathOf = (req: IncomingMessage): string => {
  const target = req.url ?? '/';
  const q = target.indexOf('?');
  return q < 0 ? target : target.slice(0, q);
};

/**
 * A refusal in tRPC's own error shape for /trpc/ requests (one entry per procedure of a batch),
 * so the dashboard shows the message as it shows any other error; plain JSON elsewhere.
 */
export function refuse(req: IncomingMessage, res: ServerResponse, status: number, trpcCode: string, message: string, headers: Record<string, string> = {}): void {
  const path = pathOf(req);
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  if (!path.startsWith('/trpc/')) {
    sendJson(res, status, { error: message });
    return;
  }
  let procedures: string[];
  try {
    procedures = decodeURIComponent(path.slice('/trpc/'.length)).split(',');
  } catch {
    procedures = [path.slice('/trpc/'.length)];
  }
  const jsonRpc: Record<number, number> = { 403: -32003, 405: -32005, 503: -32603 };
  const one = (p: string) => ({ error: { message, code: jsonRpc[status] ?? -32603, data: { code: trpcCode, httpStatus: status, path: p } } });
  const batch = /[?&]batch=1(&|$)/.test(req.url ?? '');
  sendJson(res, status, batch ? procedures.map(one) : one(procedures[0] ?? ''));
}

/**
 * Holds the warehouse a server answers from, and lets it be replaced while the server runs:
 * - after DuckDB invalidated the database (a failed checkpoint or WAL write, an internal error:
 *   every later statement fails), the instance is closed and the file opened again, instead of
 *   every later request failing until someone restarts the process;
 * - on a read-only server, when a newer snapshot is published.
 * Each request is pinned to the warehouse current when it arrived, for its whole life: a request
 * never sees two snapshots, and a replaced warehouse is closed only once its requests finished and
 * none of its connections is in use.
 */
export class WarehouseSlot {
  private gen: Generation;
  private degraded: string | null = null;
  private probing = false;
  private stopped = false;
  private readonly retired = new Set<Generation>();

  constructor(
    server: Server,
    wh: Warehouse,
    label: string,
    private readonly opts: SlotOptions,
  ) {
    // The server keeps everything http.ts set on it (limits, checks); only the request listener is
    // put behind the slot, with the first handler serving the first warehouse.
    const [first] = server.listeners('request') as RequestListener[];
    server.removeAllListeners('request');
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      try {
        this.dispatch(req, res);
      } catch (err) {
        // As in http.ts: one bad request must never take the server down.
        log.error('request error', { url: req.url, err: String(err) });
        if (!res.headersSent) sendJson(res, 500, { error: 'Internal error. / 服务器内部错误。' });
        else res.end();
      }
    });
    this.gen = this.generation(wh, first ?? opts.handlerFor(wh), label);
  }

  get wh(): Warehouse {
    return this.gen.wh;
  }

  get label(): string {
    return this.gen.label;
  }

  /** Null while serving; the reason while the database is being reopened. */
  get degradedReason(): string | null {
    return this.degraded;
  }

  private generation(wh: Warehouse, handle: RequestListener, label: string): Generation {
    return { wh, handle, label, inflight: 0, retired: false, closed: false };
  }

  private dispatch(req: IncomingMessage, res: ServerResponse): void {
    if (this.degraded !== null) {
      if (pathOf(req) === '/healthz') {
        res.setHeader('retry-after', '1');
        sendJson(res, 503, { status: 'degraded', version: VERSION, reason: this.degraded });
      } else
        refuse(req, res, 503, 'SERVICE_UNAVAILABLE', '数据库发生内部错误，正在重新打开，请稍后重试 / The database hit an internal error and is being reopened; please retry in a moment.', {
          'retry-after': '1',
        });
      return;
    }
    const gen = this.gen;
    if (this.opts.intercept?.(req, res, gen)) return;
    gen.inflight++;
    res.once('close', () => {
      gen.inflight--;
      // A server error may be DuckDB having invalidated the database: one cheap statement tells.
      if (res.statusCode >= 500) this.probe(gen);
      if (gen.retired) this.closeWhenIdle(gen);
    });
    gen.handle(req, res);
  }

  /** Checks whether the current warehouse still answers; reopens it when DuckDB invalidated it. */
  probe(gen: Generation = this.gen): void {
    if (gen !== this.gen || this.probing || this.degraded !== null || this.stopped) return;
    this.probing = true;
    gen.wh
      .query('SELECT 1')
      .then(
        () => undefined,
        (err: unknown) => {
          if (isDatabaseInvalidated(err) && gen === this.gen) return this.recover(gen, err);
        },
      )
      .catch((err: unknown) => log.error('reopening the database failed', { err: String(err) }))
      .finally(() => {
        this.probing = false;
      });
  }

  private async recover(gen: Generation, err: unknown): Promise<void> {
    this.degraded = 'reopening the database after an internal error / 数据库发生内部错误，正在重新打开';
    log.error('DuckDB invalidated the database; reopening it', { db: gen.label, err: String(err) });
    // The old instance must be closed before the file is opened again: two instances on one file
    // in one process would both write it. Its statements fail fast now, so this is short.
    gen.retired = true;
    await this.closeWhenIdle(gen);
    const retry = this.opts.retryMs ?? 500;
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        const { wh, label } = await this.opts.reopen();
        if (this.stopped) {
          wh.close();
          return;
        }
        this.gen = this.generation(wh, this.opts.handlerFor(wh), label);
        this.degraded = null;
        log.info('database reopened', { db: label });
        return;
      } catch (e) {
        log.error('reopening the database failed; retrying', { err: String(e), attempt });
        await new Promise((r) => setTimeout(r, Math.min(30_000, retry * 2 ** attempt)).unref?.());
      }
    }
  }

  /** Serves `wh` to every request from now on; the old one closes once its requests are done. */
  swap(wh: Warehouse, label: string): void {
    const old = this.gen;
    this.gen = this.generation(wh, this.opts.handlerFor(wh), label);
    old.retired = true;
    void this.closeWhenIdle(old);
  }

  /**
   * Closes a retired warehouse once no request pinned to it is open and none of its connections
   * is busy (closing under a running statement is not safe). Requests have a time limit, so this
   * ends; a warning says when it takes long.
   */
  private closeWhenIdle(gen: Generation): Promise<void> {
    if (gen.closed) return Promise.resolve();
    this.retired.add(gen);
    const started = performance.now();
    let warned = false;
    return new Promise<void>((resolve) => {
      const check = () => {
        if (gen.closed) return resolve();
        if (gen.inflight <= 0 && gen.wh.busyConnections <= 0) {
          this.close(gen);
          return resolve();
        }
        if (!warned && performance.now() - started > 60_000) {
          warned = true;
          log.warn('a replaced database still has requests in flight after 60 s', { db: gen.label, inflight: gen.inflight });
        }
        setTimeout(check, 25);
      };
      check();
    });
  }

  private close(gen: Generation): void {
    if (gen.closed) return;
    gen.closed = true;
    this.retired.delete(gen);
    try {
      gen.wh.close();
    } catch (err) {
      // An invalidated instance may complain on the way out; it is being dropped either way.
      log.warn('closing a replaced database failed', { db: gen.label, err: String(err) });
    }
  }

  /**
   * Closes every warehouse (the server is already closed: no request is left) once work that
   * outlives requests, such as the refresh after an import, has finished.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    const all = [...this.retired, this.gen];
    await Promise.all(all.map((g) => g.wh.closeWhenIdle().catch(() => undefined)));
    for (const g of all) this.close(g);
  }
}
