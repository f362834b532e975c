/**
 * Calibration benchmark on the distribution bench's synthetic company (200,000 employees × 36
 * months, built by bench/distribution-data.ts under /tmp and reused): forced ranking of one month
 * across every org unit, and of all 36 months in one call, through the tRPC caller (server-side,
 * no HTTP), median of BENCH_RUNS runs after a warm-up. Targets: one period ≤ 150 ms, 36 ≤ 1.5 s.
 * Also prints the first call after the data changed, which rebuilds the pre-aggregated ranking
 * cells (migration 011) once. Prints figures; asserts nothing.
 */
import { Warehouse } from '../packages/warehouse/src/index.ts';
import { appRouter, createCallerFactory } from '../packages/api/src/index.ts';
import { BENCH_DB, ensureBenchDb } from './distribution-data.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);

async function median(fn: () => Promise<unknown>): Promise<number> {
  await fn();
  const ts: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await fn();
    ts.push(performance.now() - t0);
  }
  ts.sort((a, b) => a - b);
  return ts[Math.floor(ts.length / 2)]!;
}

export async function run(): Promise<void> {
  await ensureBenchDb();
  const wh = await Warehouse.open({ path: BENCH_DB, threads: 2 });
  try {
    const caller = createCallerFactory(appRouter)({ wh, lang: 'zh' });
    // Forget which analytics refresh the cells reflect: the next call rebuilds them, as after an import.
    await wh.run('DELETE FROM ranking_cells_state');
    const t0 = performance.now();
    await caller.ranking.forced({ from: '2023-05' });
    console.log(`${'first call after new data (cells rebuilt)'.padEnd(44)} ${(performance.now() - t0).toFixed(1).padStart(8)} ms  (once per import)`);
    const cases = [
      { name: 'one month, every org unit', input: { from: '2023-05' }, target: 150 },
      { name: 'one month, org unit × role, flag ties', input: { from: '2023-05', grouping: 'orgUnitRole' as const, tieRule: 'flag' as const }, target: 150 },
      { name: 'one month, rater-normalised (shrinkage)', input: { from: '2023-05', scoreSource: 'normalised' as const, normalisation: 'shrinkage' as const }, target: 150 },
      { name: 'one month, department-linked', input: { from: '2023-05', departmentLinked: {} }, target: 150 },
      { name: 'all 36 months, every org unit', input: { from: '2022-01', to: '2024-12' }, target: 1500 },
    ];
    for (const c of cases) {
      let n = 0;
      let groups = 0;
      const ms = await median(async () => {
        const r = await caller.ranking.forced(c.input);
        n = r.totals.n;
        groups = r.groups.length;
      });
      const ok = ms <= c.target ? 'ok' : 'OVER';
      console.log(`${c.name.padEnd(44)} ${ms.toFixed(1).padStart(8)} ms  (target ${c.target} ms, ${ok})  ${n} people in ${groups} groups`);
    }
  } finally {
    wh.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
