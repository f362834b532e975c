import { resolve } from 'node:path';
import type { Command } from 'commander';
import { appRouter, createCallerFactory } from '@perflens/api';
import { ensureAnalytics, ensureSimulationLayout, Warehouse } from '@perflens/warehouse';
import { publishTo, type PublishResult } from '@perflens/warehouse/backup';
import { ensureRankingCells } from '@perflens/warehouse/queries/ranking-cells';
import { loadConfig, type Config } from '../config.ts';
import { VERSION } from '../http.ts';
import { log } from '../log.ts';
import { readServerInfo } from '../server-info.ts';
import { callAdmin, langOf, runLocally } from './backup.ts';

/** Base-scheme caches a snapshot carries (simulation-base.ts keeps at most 8). */
const WARM_SCHEMES = 8;

/**
 * Makes a freshly copied snapshot ready for read-only servers, which cannot write: everything the
 * analyses would otherwise build on first use is built here, in the snapshot file. The derived
 * tables are normally current already (writers refresh them in their own transaction); the ranking
 * cells, the simulation layout and the base-scheme caches are built lazily on a writer, so they are
 * built now: the built-in schemes first, then saved ones, up to what the cache keeps.
 */
export async function prepareSnapshot(file: string, cfg: Pick<Config, 'PERFLENS_THREADS' | 'PERFLENS_MEMORY_LIMIT'>): Promise<void> {
  const wh = await Warehouse.open({ path: file, threads: cfg.PERFLENS_THREADS, memoryLimit: cfg.PERFLENS_MEMORY_LIMIT, poolSize: 2 });
  try {
    await ensureAnalytics(wh);
    await ensureRankingCells(wh);
    await ensureSimulationLayout(wh);
    const caller = createCallerFactory(appRouter)({ wh, lang: 'en' });
    const schemes = (await caller.scheme.list()).sort((a, b) => Number(b.builtin) - Number(a.builtin)).slice(0, WARM_SCHEMES);
    for (const s of schemes) {
      try {
        await caller.simulation.run({ baseSchemeId: s.id, pageSize: 1 });
      } catch (err) {
        // A scheme whose role has no history has nothing to cache; the snapshot is still good.
        log.debug('snapshot: no simulation cache for a scheme', { scheme: s.id, err: String(err) });
      }
    }
    await wh.checkpoint();
  } finally {
    wh.close();
  }
}

/** Publishes the warehouse's database into `dir` (used by the CLI and by POST /api/publish). */
export function publishFrom(wh: Warehouse, dir: string, cfg: Pick<Config, 'PERFLENS_THREADS' | 'PERFLENS_MEMORY_LIMIT' | 'PERFLENS_KEEP_SNAPSHOTS'>): Promise<PublishResult> {
  return publishTo(wh, dir, { perflensVersion: VERSION, keep: cfg.PERFLENS_KEEP_SNAPSHOTS, prepare: (file) => prepareSnapshot(file, cfg) });
}

export function registerPublish(program: Command): void {
  program
    .command('publish')
    .description('publish a consistent snapshot of the database for read-only servers (DIR/snapshots/<id>.duckdb, DIR/current.json)')
    .argument('[dir]', 'snapshot folder (default: PERFLENS_SNAPSHOTS)')
    .action(async (dirArg: string | undefined) => {
      const lang = langOf(process.env);
      const cfg = loadConfig();
      const dir = resolve(dirArg ?? cfg.PERFLENS_SNAPSHOTS);
      const server = readServerInfo(cfg.PERFLENS_DB);
      if (server) process.stdout.write(lang === 'zh' ? `通过正在运行的服务器发布：${server.url}\n` : `Publishing through the running server at ${server.url}\n`);
      const r = server ? await callAdmin<PublishResult>(server, '/api/publish', { dir }) : await runLocally(cfg, (wh) => publishFrom(wh, dir, cfg));
      const rows = Object.values(r.manifest.tables).reduce((a, t) => a + t.rows, 0);
      process.stdout.write(
        lang === 'zh'
          ? `已发布快照 ${r.id}：${r.file}（数据结构版本 ${r.manifest.schemaVersion}，${Object.keys(r.manifest.tables).length} 张表，${rows} 行）${r.removed.length ? `；已删除旧快照 ${r.removed.join('、')}` : ''}\n`
          : `Published snapshot ${r.id}: ${r.file} (schema ${r.manifest.schemaVersion}, ${Object.keys(r.manifest.tables).length} tables, ${rows} rows)${r.removed.length ? `; removed ${r.removed.join(', ')}` : ''}\n`,
      );
    });
}
