import type { Server } from 'node:http';
import { Warehouse } from '@perflens/warehouse';
import { loadDemo } from '@perflens/demo';
import type { Config } from '../config.ts';
import { createAppServer } from '../http.ts';
import { log } from '../log.ts';
import { routes } from '../routes/index.ts';
import { clearServerInfo, writeServerInfo } from '../server-info.ts';

export interface RunningServer {
  url: string;
  server: Server;
  wh: Warehouse;
  close(): Promise<void>;
}

export async function openWarehouse(cfg: Config): Promise<Warehouse> {
  return Warehouse.open({
    path: cfg.PERFLENS_DB,
    threads: cfg.PERFLENS_THREADS,
    memoryLimit: cfg.PERFLENS_MEMORY_LIMIT,
    poolSize: cfg.PERFLENS_POOL,
  });
}

/**
 * Canonical tables a company's own data lands in (KPI lines live in `kpi_lines`; `kpi_results` is
 * a view over it). Derived tables and seeded reference rows (built-in roles, schemes) are not data.
 */
const DATA_TABLES = [
  'org_units',
  'employees',
  'periods',
  'assessments',
  'kpi_lines',
  'rater_scores',
  'metrics',
  'policies',
  'import_batches',
  'scenarios',
  'calibrations',
] as const;

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

export async function serve(cfg: Config): Promise<RunningServer> {
  const wh = await openWarehouse(cfg);
  try {
    await loadDemoIfEmpty(wh, cfg);
    const server = createAppServer(wh, routes);
    await listen(server, cfg.PORT, cfg.HOST);
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : cfg.PORT;
    const url = `http://${cfg.HOST === '0.0.0.0' ? '127.0.0.1' : cfg.HOST}:${port}`;
    if (cfg.PERFLENS_DB !== ':memory:') writeServerInfo(cfg.PERFLENS_DB, { pid: process.pid, url, startedAt: new Date().toISOString() });
    log.info('PerfLens is running', { url, db: cfg.PERFLENS_DB });
    let closing: Promise<void> | null = null;
    return {
      url,
      server,
      wh,
      close: () =>
        (closing ??= new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => {
            if (cfg.PERFLENS_DB !== ':memory:') clearServerInfo(cfg.PERFLENS_DB);
            wh.close();
            resolve();
          });
        })),
    };
  } catch (err) {
    wh.close();
    throw err;
  }
}
