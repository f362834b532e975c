import { randomBytes } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { refreshDerivedInBackground, Warehouse } from '@perflens/warehouse';
import { checkSnapshot, DATA_TABLES, readCurrentSnapshot, readManifest, replayWalAttached, WAL_REPLAY_FAILURE } from '@perflens/warehouse/backup';
import { loadDemo } from '@perflens/demo';
import { appRouter } from '@perflens/api';
import type { Config } from '../config.ts';
import { AuthService } from '@perflens/auth';
import { createAppServer, type Route } from '../http.ts';
import { httpOptionsFromEnv } from '../config.ts';
import { WEB_DIST } from '../paths.ts';
import { log } from '../log.ts';
import { routes } from '../routes/index.ts';
import { adminRoutes } from '../routes/admin.ts';
import { clearServerInfo, writeServerInfo } from '../server-info.ts';
import { refuse, WarehouseSlot, type Generation } from '../warehouse-slot.ts';

export interface RunningServer {
  url: string;
  server: Server;
  /** The warehouse serving new requests (replaced after a reopen, or by a newer snapshot). */
  readonly wh: Warehouse;
  slot: WarehouseSlot;
  readOnly: boolean;
  close(): Promise<void>;
}

export async function openWarehouse(cfg: Config): Promise<Warehouse> {
  const options = { path: cfg.PERFLENS_DB, threads: cfg.PERFLENS_THREADS, memoryLimit: cfg.PERFLENS_MEMORY_LIMIT, poolSize: cfg.PERFLENS_POOL };
  try {
    return await Warehouse.open(options);
  } catch (err) {
    // After a crash or an invalidated instance, DuckDB may refuse to replay the WAL on open (see
    // replayWalAttached); the committed work in it is recovered through an attach, then opened.
    if (cfg.PERFLENS_DB === ':memory:' || !WAL_REPLAY_FAILURE.test(String((err as Error)?.message ?? err))) throw err;
    log.warn('DuckDB could not replay the WAL while opening the file; replaying it through ATTACH', { db: cfg.PERFLENS_DB });
    await replayWalAttached(cfg.PERFLENS_DB);
    return Warehouse.open(options);
  }
}

/**
 * Empty only when none of the data tables holds a row: a company that has imported just its org
 * units and periods (assessments come later) must keep them, not have the demo tried on top.
 */
export async function isEmpty(wh: Warehouse): Promise<boolean> {
  // EXISTS per table stops at the first row; the names are the constants above, never input.
  const [row] = await wh.query<{ any: boolean }>(`SELECT ${DATA_TABLES.map((t) => `EXISTS (SELECT 1 FROM ${t})`).join(' OR ')} AS any`);
  return row?.any !== true;
}

/**
 * The demo is a convenience: when it cannot load (it refuses a database that already holds data,
 * or fails part way and removes its rows again) the server still starts on the data there is.
 */
async function loadDemoIfEmpty(wh: Warehouse, cfg: Config): Promise<void> {
  if (!cfg.PERFLENS_DEMO || !(await isEmpty(wh))) return;
  log.info('empty database: loading the demo company', { employees: cfg.PERFLENS_DEMO_EMPLOYEES });
  const t0 = performance.now();
  try {
    const summary = await loadDemo(wh, { employees: cfg.PERFLENS_DEMO_EMPLOYEES });
    log.info('demo company loaded', { ...summary, ms: Math.round(performance.now() - t0) });
  } catch (err) {
    log.warn('the demo company was not loaded; starting on the database as it is', { error: err instanceof Error ? err.message : String(err) });
  }
}

/**
 * A database without users gets one administrator. A generated one-time password is shown here,
 * once, on the terminal that started the server (it is stored only as a hash); it must be changed
 * at the first sign-in. A password given in PERFLENS_ADMIN_PASSWORD is not repeated.
 */
function announceFirstAdmin(url: string, a: { login: string; password: string; generated: boolean }): void {
  const lines = a.generated
    ? [
        `First sign-in / 首次登录: ${url}/sign-in`,
        `  login 登录名:             ${a.login}`,
        `  one-time password 一次性密码: ${a.password}`,
        'Shown once; you will choose your own password at the first sign-in. / 仅显示一次；首次登录时须设置新密码。',
      ]
    : [`First sign-in / 首次登录: ${url}/sign-in as "${a.login}" with PERFLENS_ADMIN_PASSWORD (to be changed at once / 登录后须立即修改)`];
  process.stdout.write(`\n${lines.join('\n')}\n\n`);
}

/**
 * The derived tables (analytics cube, ranking cells, simulation layout) are brought up to date in
 * the background as soon as a writing server starts or reopens its file: a database written by the
 * CLI, restored from a backup or left by an older version may lack them, and the first request
 * that needed them would otherwise rebuild them inside its own time limit (the simulation layout
 * takes about 30 s at 200,000 employees, so the first simulator runs were stopped at 30 s).
 * Requests arriving meanwhile join the refresh; the dashboard shows "updating".
 */
function refreshDerivedAtStart(wh: Warehouse): void {
  void refreshDerivedInBackground(wh, (err) => log.warn('refreshing the derived tables at start failed; the first request that needs them tries again', { err: String(err) }));
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE')
        reject(new Error(`Port ${port} is already in use: set PORT to a free port. / 端口 ${port} 已被占用，请通过 PORT 指定其他端口。`));
      else reject(err);
    });
    server.listen(port, host, () => resolve());
  });
}

/**
 * The request handler of a server built like `primary` but bound to another warehouse (http.ts binds
 * one when it builds a server). That server never listens — requests keep arriving on `primary` —
 * but http.ts learns the host names it answers to when its server starts listening, so it is given
 * the primary's address and told it listens.
 */
export function twinHandler(primary: Server, build: (w: Warehouse) => Server, wh: Warehouse): RequestListener {
  const twin = build(wh);
  twin.address = () => primary.address();
  twin.emit('listening');
  return twin.listeners('request')[0] as RequestListener;
}

function closer(server: Server, slot: WarehouseSlot, after: () => void = () => undefined): () => Promise<void> {
  let closing: Promise<void> | null = null;
  return () =>
    (closing ??= new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => {
        after();
        void slot.stop().then(resolve);
      });
    }));
}

export async function serve(cfg: Config): Promise<RunningServer> {
  if (cfg.PERFLENS_READ_ONLY) return serveReadOnly(cfg);
  const wh = await openWarehouse(cfg);
  try {
    await loadDemoIfEmpty(wh, cfg);
    const firstAdmin = await new AuthService(wh).bootstrap(cfg.PERFLENS_ADMIN_PASSWORD);
    const token = randomBytes(24).toString('hex');
    const all: Route[] = [...routes, ...adminRoutes({ token, cfg })];
    const app = (w: Warehouse) => createAppServer(w, all, WEB_DIST, { ...httpOptionsFromEnv(), operatorToken: token });
    const server = app(wh);
    const slot = new WarehouseSlot(server, wh, cfg.PERFLENS_DB, {
      handlerFor: (w) => twinHandler(server, app, w),
      // The same file again: DuckDB replays the WAL, so every committed write is there.
      reopen: async () => {
        const reopened = await openWarehouse(cfg);
        refreshDerivedAtStart(reopened);
        return { wh: reopened, label: cfg.PERFLENS_DB };
      },
    });
    await listen(server, cfg.PORT, cfg.HOST);
    refreshDerivedAtStart(wh);
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : cfg.PORT;
    const url = `http://${cfg.HOST === '0.0.0.0' ? '127.0.0.1' : cfg.HOST}:${port}`;
    if (cfg.PERFLENS_DB !== ':memory:') writeServerInfo(cfg.PERFLENS_DB, { pid: process.pid, url, startedAt: new Date().toISOString(), token });
    log.info('PerfLens is running', { url, db: cfg.PERFLENS_DB });
    if (firstAdmin) announceFirstAdmin(url, firstAdmin);
    return {
      url,
      server,
      get wh() {
        return slot.wh;
      },
      slot,
      readOnly: false,
      close: closer(server, slot, () => {
        if (cfg.PERFLENS_DB !== ':memory:') clearServerInfo(cfg.PERFLENS_DB);
      }),
    };
  } catch (err) {
    wh.close();
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Read-only servers: `perflens serve --read-only` serves the snapshot PERFLENS_SNAPSHOTS/current.json
// points at, and moves to each newer one `perflens publish` writes.

/**
 * Mutations that only read (an export is a POST so the browser can download it), and signing in
 * and out, whose sessions a snapshot server keeps in memory (packages/auth service.ts).
 */
const READ_ONLY_MUTATIONS = new Set(['calibration.session.export', 'report.create', 'table.exportXlsx', 'admin.audit.export', 'auth.signIn', 'auth.signOut']);

const MUTATIONS: ReadonlySet<string> = new Set(
  Object.entries((appRouter as unknown as { _def: { procedures: Record<string, { _def: { type: string } }> } })._def.procedures)
    .filter(([path, p]) => p._def.type === 'mutation' && !READ_ONLY_MUTATIONS.has(path))
    .map(([path]) => path),
);

const READ_ONLY_MESSAGE =
  '这是只读服务器（已发布的快照），不能修改数据或导入文件：请在写入服务器上操作 / This is a read-only server (a published snapshot): changes and imports are made on the writing server.';

/**
 * Refuses what would write before it reaches the warehouse (DuckDB would refuse too, but with its
 * own text and a 500): every tRPC mutation, uploads and the admin routes. Reads pass, tagged with
 * the snapshot they were answered from.
 */
function readOnlyGuard(req: IncomingMessage, res: ServerResponse, gen: Generation): boolean {
  const target = req.url ?? '/';
  const path = target.split('?')[0]!;
  if (path.startsWith('/trpc/')) {
    let procedures: string[];
    try {
      procedures = decodeURIComponent(path.slice('/trpc/'.length)).split(',');
    } catch {
      procedures = [];
    }
    if (procedures.some((p) => MUTATIONS.has(p))) {
      refuse(req, res, 403, 'FORBIDDEN', READ_ONLY_MESSAGE);
      return true;
    }
  } else if (path.startsWith('/api/') && req.method !== 'GET' && req.method !== 'HEAD') {
    refuse(req, res, 403, 'FORBIDDEN', READ_ONLY_MESSAGE);
    return true;
  }
  res.setHeader('x-perflens-snapshot', gen.label);
  return false;
}

/** Opens the snapshot current.json names, read-only, and checks it before anything is served from it. */
async function openCurrentSnapshot(cfg: Config): Promise<{ wh: Warehouse; label: string }> {
  const current = readCurrentSnapshot(cfg.PERFLENS_SNAPSHOTS);
  if (!current)
    throw new Error(
      `No snapshot has been published in ${cfg.PERFLENS_SNAPSHOTS} yet: run \`perflens publish ${cfg.PERFLENS_SNAPSHOTS}\` on the writing server first. / ` +
        `${cfg.PERFLENS_SNAPSHOTS} 中还没有发布的快照：请先在写入服务器上运行 \`perflens publish ${cfg.PERFLENS_SNAPSHOTS}\`。`,
    );
  const manifest = readManifest(current.manifestPath);
  const wh = await Warehouse.open({
    path: current.file,
    readOnly: true,
    threads: cfg.PERFLENS_THREADS,
    memoryLimit: cfg.PERFLENS_MEMORY_LIMIT,
    poolSize: cfg.PERFLENS_POOL,
  });
  try {
    await checkSnapshot(wh, manifest);
  } catch (err) {
    wh.close();
    throw err;
  }
  return { wh, label: current.id };
}

/**
 * Watches current.json (a folder watch, since publish replaces the file by rename) and also polls
 * it, as file-change events can be missed (network file systems, editors). A new snapshot is opened
 * and checked first; only then do new requests go to it. One that fails the check is logged and
 * skipped until current.json names another: the server keeps answering from the one it has.
 */
function followSnapshots(cfg: Config, slot: WarehouseSlot): () => void {
  let busy = false;
  let again = false;
  let refused: string | null = null;
  const check = async (): Promise<void> => {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      do {
        again = false;
        let current: ReturnType<typeof readCurrentSnapshot>;
        try {
          current = readCurrentSnapshot(cfg.PERFLENS_SNAPSHOTS);
        } catch (err) {
          log.warn('current.json cannot be read; keeping the snapshot being served', { err: (err as Error).message });
          continue;
        }
        if (!current || current.id === slot.label || current.id === refused || slot.degradedReason !== null) continue;
        try {
          const next = await openCurrentSnapshot(cfg);
          if (next.label === slot.label) {
            next.wh.close();
            continue;
          }
          slot.swap(next.wh, next.label);
          log.info('serving a newer snapshot', { snapshot: next.label });
        } catch (err) {
          refused = current.id;
          log.error('a published snapshot was refused; keeping the one being served', { snapshot: current.id, err: (err as Error).message });
        }
      } while (again);
    } finally {
      busy = false;
    }
  };
  let watcher: FSWatcher | null = null;
  try {
    watcher = watch(cfg.PERFLENS_SNAPSHOTS, (_event, name) => {
      if (!name || name === 'current.json') void check();
    });
    watcher.on('error', (err) => log.warn('watching the snapshot folder failed; polling only', { err: String(err) }));
  } catch (err) {
    log.warn('cannot watch the snapshot folder; polling only', { err: String(err) });
  }
  const timer = setInterval(() => void check(), cfg.PERFLENS_SNAPSHOT_POLL_MS);
  timer.unref();
  return () => {
    watcher?.close();
    clearInterval(timer);
  };
}

/**
 * A server on published snapshots: no migrations, no demo, no server-info file (it is not the
 * database's writer; any number of them may run), every write refused.
 */
async function serveReadOnly(cfg: Config): Promise<RunningServer> {
  const first = await openCurrentSnapshot(cfg);
  const app = (w: Warehouse) => createAppServer(w, routes);
  let server: Server;
  let slot: WarehouseSlot;
  try {
    server = app(first.wh);
    slot = new WarehouseSlot(server, first.wh, first.label, {
      handlerFor: (w) => twinHandler(server, app, w),
      reopen: () => openCurrentSnapshot(cfg),
      intercept: readOnlyGuard,
    });
    await listen(server, cfg.PORT, cfg.HOST);
  } catch (err) {
    first.wh.close();
    throw err;
  }
  const stopFollowing = followSnapshots(cfg, slot);
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : cfg.PORT;
  const url = `http://${cfg.HOST === '0.0.0.0' ? '127.0.0.1' : cfg.HOST}:${port}`;
  log.info('PerfLens is running read-only', { url, snapshots: cfg.PERFLENS_SNAPSHOTS, snapshot: first.label });
  return {
    url,
    server,
    get wh() {
      return slot.wh;
    },
    slot,
    readOnly: true,
    close: closer(server, slot, stopFollowing),
  };
}
