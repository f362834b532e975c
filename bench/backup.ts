/**
 * Backup, restore and publish on the distribution benchmark's company (BENCH_DB, built by
 * distribution-data.ts when missing): wall time of each step while nothing else runs. Writes into a
 * scratch folder under /tmp and removes it. Prints figures; asserts nothing.
 *   node --import tsx bench/backup.ts
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Warehouse } from '../packages/warehouse/src/index.ts';
import { backupTo, fileChecksums, restoreFrom } from '../packages/warehouse/src/backup.ts';
import { publishFrom } from '../apps/server/src/commands/publish.ts';
import { BENCH_DB, ensureBenchDb } from './distribution-data.ts';

const time = async <T>(label: string, fn: () => Promise<T>): Promise<T> => {
  const t0 = performance.now();
  const r = await fn();
  console.log(`${label.padEnd(28)} ${((performance.now() - t0) / 1000).toFixed(1).padStart(7)} s`);
  return r;
};

export async function run(): Promise<void> {
  await ensureBenchDb();
  const scratch = mkdtempSync(join(process.env.BENCH_SCRATCH ?? tmpdir(), 'perflens-bench-backup-'));
  const wh = await Warehouse.open({ path: BENCH_DB, threads: 2, memoryLimit: '3GB' });
  try {
    console.log(`PerfLens backup benchmark — ${BENCH_DB} (${(statSync(BENCH_DB).size / 2 ** 20).toFixed(0)} MB), threads=2`);
    const m = await time('backup (copy + verify)', () => backupTo(wh, join(scratch, 'b'), { perflensVersion: 'bench' }));
    console.log(`  ${Object.values(m.tables).reduce((a, t) => a + t.rows, 0)} rows in ${Object.keys(m.tables).length} tables, ${(m.bytes / 2 ** 20).toFixed(0)} MB`);
    await time('checksums of the copy alone', () => fileChecksums(join(scratch, 'b', 'perflens.duckdb')));
    await time('restore (copy + verify)', () => restoreFrom(join(scratch, 'b'), join(scratch, 'restored.duckdb')));
    if (process.env.BENCH_PUBLISH !== '0')
      await time('publish (copy + prepare + sum)', () => publishFrom(wh, join(scratch, 'pub'), { PERFLENS_THREADS: 2, PERFLENS_MEMORY_LIMIT: '3GB', PERFLENS_KEEP_SNAPSHOTS: 1 }));
  } finally {
    wh.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
