import { Command } from 'commander';
import { ZodError } from 'zod';
import { loadDemo, writeDemoFiles } from '@perflens/demo';
import { loadConfig } from './config.ts';
import { log, setLogLevel } from './log.ts';
import { openWarehouse, serve } from './commands/serve.ts';
import { registerImport } from './commands/import.ts';
import { registerTemplates } from './commands/templates.ts';
import { registerBackup } from './commands/backup.ts';
import { registerRestore } from './commands/restore.ts';
import { registerPublish } from './commands/publish.ts';
import { registerAudit } from './commands/audit.ts';
import { registerReport } from './commands/report.ts';
import { VERSION } from './http.ts';
import { readServerInfo } from './server-info.ts';

/** Option values are checked with zod: name the option as typed (--on-duplicate), not zod's JSON. */
function optionIssues(err: unknown): string | null {
  if (!(err instanceof ZodError)) return null;
  return err.issues
    .map((i) => {
      const key = i.path.length ? `--${String(i.path[0]).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}` : '';
      return key ? `${key}: ${i.message}` : i.message;
    })
    .join('\n  ');
}

function fail(err: unknown): never {
  const message = optionIssues(err) ?? (err instanceof Error ? err.message : String(err));
  process.stderr.write(`perflens: ${message}\n`);
  process.exit(1);
}

const program = new Command()
  .name('perflens')
  .description('PerfLens (绩效透镜): performance-assessment analytics')
  .version(VERSION);

program
  .command('serve')
  .description('start the HTTP server (API under /trpc, dashboard, /healthz); loads the demo company into an empty database')
  .option('--port <port>', 'port (default: PORT or 8320)')
  .option('--no-demo', 'do not load the demo company into an empty database')
  .option('--read-only', 'serve the published snapshot (PERFLENS_SNAPSHOTS/current.json) read-only, following each newer one')
  .option('--snapshots <dir>', 'snapshot folder for --read-only (default: PERFLENS_SNAPSHOTS or data/published)')
  .action(async (opts: { port?: string; demo: boolean; readOnly?: boolean; snapshots?: string }) => {
    const cfg = loadConfig({
      ...process.env,
      ...(opts.port ? { PORT: opts.port } : {}),
      ...(opts.demo ? {} : { PERFLENS_DEMO: '0' }),
      ...(opts.readOnly ? { PERFLENS_READ_ONLY: '1' } : {}),
      ...(opts.snapshots ? { PERFLENS_SNAPSHOTS: opts.snapshots } : {}),
    });
    setLogLevel(cfg.LOG_LEVEL);
    const running = await serve(cfg);
    process.stdout.write(`PerfLens dashboard: ${running.url}\n`);
    const stop = (signal: string) => {
      log.info('shutting down', { signal });
      running.close().then(() => process.exit(0));
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });

program
  .command('migrate')
  .description('create or upgrade the database schema')
  .action(async () => {
    const cfg = loadConfig();
    const wh = await openWarehouse(cfg);
    process.stdout.write(`schema version ${await wh.schemaVersion()} at ${cfg.PERFLENS_DB}\n`);
    wh.close();
  });

program
  .command('demo')
  .description('load the deterministic demo company into the database')
  .option('--employees <n>', 'number of employees', '1200')
  .option('--seed <n>', 'random seed', '42')
  .option('--files <dir>', 'write the company as import files into <dir> instead of loading it')
  .action(async (opts: { employees: string; seed: string; files?: string }) => {
    if (opts.files) {
      const files = await writeDemoFiles(opts.files, { employees: Number(opts.employees), seed: Number(opts.seed) });
      process.stdout.write(JSON.stringify(files, null, 2) + '\n');
      return;
    }
    const cfg = loadConfig();
    const running = readServerInfo(cfg.PERFLENS_DB);
    if (running) fail(`a server is running on this database (${running.url}, PID ${running.pid}); stop it first. / 服务器正在使用该数据库，请先停止服务器。`);
    const wh = await openWarehouse(cfg);
    const summary = await loadDemo(wh, { employees: Number(opts.employees), seed: Number(opts.seed) });
    process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
    wh.close();
  });

registerImport(program);
registerTemplates(program);
registerBackup(program);
registerRestore(program);
registerPublish(program);
registerAudit(program);
registerReport(program);

program.parseAsync(process.argv).catch(fail);
