import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { Warehouse } from '@perflens/warehouse';
import { backupTo, type BackupManifest } from '@perflens/warehouse/backup';
import { loadConfig, type Config } from '../config.ts';
import { VERSION } from '../http.ts';
import { readServerInfo, type ServerInfo } from '../server-info.ts';
import { openWarehouse } from './serve.ts';

type Lang = 'zh' | 'en';
export const langOf = (env: NodeJS.ProcessEnv): Lang => ((env.LC_ALL || env.LANG || '').toLowerCase().startsWith('en') ? 'en' : 'zh');

/**
 * Asks the running server to do the work (it holds the database's write lock). The answer is a
 * stream of JSON lines: a heartbeat every few seconds, so a backup of a large database is not cut
 * off by the HTTP client's timeouts, then one line with the result or the error.
 */
export async function callAdmin<T>(server: ServerInfo, path: string, body: Record<string, unknown>): Promise<T> {
  if (!server.token)
    throw new Error(`The server at ${server.url} is too old to take this command: restart it. / ${server.url} 上的服务器版本过旧，不支持此命令：请重启服务器。`);
  let res: Response;
  try {
    res = await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-perflens-token': server.token },
      body: JSON.stringify(body),
    });
  } catch (err) {
    throw new Error(`Cannot reach the server at ${server.url}. / 无法连接服务器 ${server.url}。`, { cause: err });
  }
  const text = await res.text();
  const lines = text.split('\n').filter((l) => l.trim().length > 0);
  let last: { ok?: boolean; result?: T; error?: string } = {};
  try {
    last = JSON.parse(lines.at(-1) ?? '{}');
  } catch {
    /* reported below */
  }
  if (res.ok && last.ok && last.result !== undefined) return last.result;
  throw new Error(last.error ?? `The server answered HTTP ${res.status}. / 服务器返回 HTTP ${res.status}。`);
}

/** Runs `fn` on the database opened in this process (no server holds it). */
export async function runLocally<T>(cfg: Config, fn: (wh: Warehouse) => Promise<T>): Promise<T> {
  const wh = await openWarehouse(cfg);
  try {
    return await fn(wh);
  } finally {
    wh.close();
  }
}

export function registerBackup(program: Command): void {
  program
    .command('backup')
    .description('write a consistent, verified copy of the database into DIR (perflens.duckdb + manifest.json), also while the server runs')
    .argument('<dir>', 'new or empty folder for the backup')
    .action(async (dirArg: string) => {
      const lang = langOf(process.env);
      const cfg = loadConfig();
      const dir = resolve(dirArg);
      const server = readServerInfo(cfg.PERFLENS_DB);
      if (server) process.stdout.write(lang === 'zh' ? `通过正在运行的服务器备份：${server.url}\n` : `Backing up through the running server at ${server.url}\n`);
      const m = server
        ? await callAdmin<BackupManifest & { dir: string }>(server, '/api/backup', { dir })
        : await runLocally(cfg, (wh) => backupTo(wh, dir, { perflensVersion: VERSION }));
      const tables = Object.keys(m.tables).length;
      const rows = Object.values(m.tables).reduce((a, t) => a + t.rows, 0);
      process.stdout.write(
        lang === 'zh'
          ? `备份完成：${m.dir}（数据结构版本 ${m.schemaVersion}，${tables} 张表，${rows} 行，${(m.bytes / 1048576).toFixed(1)} MB，已校验）\n`
          : `Backup written to ${m.dir} (schema ${m.schemaVersion}, ${tables} tables, ${rows} rows, ${(m.bytes / 1048576).toFixed(1)} MB, verified)\n`,
      );
    });
}
