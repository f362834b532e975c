import { resolve } from 'node:path';
import type { Command } from 'commander';
import { restoreFrom } from '@perflens/warehouse/backup';
import { loadConfig } from '../config.ts';
import { readServerInfo } from '../server-info.ts';
import { langOf } from './backup.ts';

export function registerRestore(program: Command): void {
  program
    .command('restore')
    .description('restore a backup into PERFLENS_DB: verified against its manifest, all or nothing; the database must be new or empty unless --force')
    .argument('<dir>', 'folder written by `perflens backup`')
    .option('--force', 'replace a database that already holds data')
    .action(async (dirArg: string, opts: { force?: boolean }) => {
      const lang = langOf(process.env);
      const cfg = loadConfig();
      if (cfg.PERFLENS_DB === ':memory:') throw new Error('PERFLENS_DB is :memory:; name a database file to restore into. / PERFLENS_DB 为 :memory:，请指定要恢复到的数据库文件。');
      // A server holds the file open: replacing it underneath would lose whatever it writes next.
      const server = readServerInfo(cfg.PERFLENS_DB);
      if (server)
        throw new Error(
          `A server is running on ${cfg.PERFLENS_DB} (${server.url}, PID ${server.pid}): stop it before restoring. / 服务器正在使用 ${cfg.PERFLENS_DB}（${server.url}，PID ${server.pid}），请先停止服务器再恢复。`,
        );
      const r = await restoreFrom(resolve(dirArg), cfg.PERFLENS_DB, { force: opts.force });
      process.stdout.write(
        lang === 'zh'
          ? `已恢复到 ${r.target}：备份时间 ${r.createdAt}，数据结构版本 ${r.schemaVersion}，${r.tables} 张表，${r.rows} 行，校验和全部一致\n`
          : `Restored into ${r.target}: backup of ${r.createdAt}, schema ${r.schemaVersion}, ${r.tables} tables, ${r.rows} rows, every checksum matches\n`,
      );
    });
}
