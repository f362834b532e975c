/**
 * `pnpm bench scale`: the README's "where one node stops" figures for one size of the
 * distribution benchmark's company (bench/distribution-data.ts). BENCH_EMPLOYEES sets the size
 * (200,000 = 1×; 1,000,000 = 5×; 2,000,000 = 10×), BENCH_SCALE_DB the file (default under /tmp,
 * one per size, kept for later runs), PERFLENS_MEMORY_LIMIT DuckDB's memory limit for the
 * derived tables' rebuild (default 4GB, as the server's).
 *
 * Prints, with this process's peak resident memory for each step (DuckDB runs in it): building
 * the raw facts, the first full rebuild of the derived tables (what a migration, a new role or an
 * import of org units costs), the file size, then the dashboard's queries three times each (the
 * first cold). A step that fails prints DuckDB's message and the run goes on where it can.
 */
import { existsSync, statSync } from 'node:fs';
import {
  Warehouse,
  calibrationRaters,
  ensureAnalytics,
  gradeDistribution,
  listEmployeeAssessments,
  orgUnitBoxPlots,
  raterLeniency,
  scoreDistribution,
} from '../packages/warehouse/src/index.ts';
import { ensureRankingCells } from '../packages/warehouse/src/queries/ranking-cells.ts';
import { BENCH_EMPLOYEES, buildBenchDb } from './distribution-data.ts';

const DB = process.env.BENCH_SCALE_DB ?? `/tmp/perflens-bench-scale-${BENCH_EMPLOYEES}.duckdb`;
const MEMORY_LIMIT = process.env.PERFLENS_MEMORY_LIMIT ?? '4GB';

/** Runs `fn`, sampling resident memory every 100 ms: seconds taken and the peak, in GB. */
async function measured<T>(fn: () => Promise<T>): Promise<{ value: T | null; error: string | null; s: number; peakGb: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  const t0 = performance.now();
  try {
    const value = await fn();
    return { value, error: null, s: (performance.now() - t0) / 1000, peakGb: peak / 2 ** 30 };
  } catch (err) {
    return { value: null, error: err instanceof Error ? err.message.split('\n')[0]! : String(err), s: (performance.now() - t0) / 1000, peakGb: peak / 2 ** 30 };
  } finally {
    clearInterval(timer);
  }
}

const line = (what: string, m: { error: string | null; s: number; peakGb: number }) =>
  console.log(`${what.padEnd(44)} ${m.error ? `FAILED after ${m.s.toFixed(0)} s (${m.error})` : `${m.s.toFixed(1)} s`}, peak ${m.peakGb.toFixed(1)} GB`);

export async function run(): Promise<void> {
  console.log(`scale: ${BENCH_EMPLOYEES.toLocaleString('en')} employees × 36 months, ${DB}, memory limit ${MEMORY_LIMIT}`);
  if (!existsSync(DB)) line('building the raw facts', await measured(() => buildBenchDb(DB)));
  const wh = await Warehouse.open({ path: DB, threads: 2, memoryLimit: MEMORY_LIMIT });
  try {
    const rebuild = await measured(async () => {
      await ensureAnalytics(wh);
      await ensureRankingCells(wh);
      await wh.checkpoint();
    });
    line('derived tables, full rebuild (or check)', rebuild);
    console.log(`file with the derived tables: ${(statSync(DB).size / 2 ** 30).toFixed(2)} GB`);
    if (rebuild.error) return;
    const [month] = await wh.query<{ id: string }>("SELECT max(id) AS id FROM periods WHERE kind = 'month'");
    const m = month!.id;
    const cases: Array<[string, () => Promise<unknown>]> = [
      ['distribution.grades, whole history', () => gradeDistribution(wh, {})],
      ['distribution.scores, whole history', () => scoreDistribution(wh, {})],
      ['distribution.byOrgUnit, whole history', () => orgUnitBoxPlots(wh, {})],
      ['employees.list, first page, whole history', () => listEmployeeAssessments(wh, { page: 1, pageSize: 50 })],
      ['distribution.raters, first page', () => raterLeniency(wh, { page: 1, pageSize: 10 })],
      ['distribution.raters, one department and month', () => raterLeniency(wh, { orgUnitId: 'S1', from: m, to: m })],
      ['calibration.raters, one month', () => calibrationRaters(wh, { from: m, to: m })],
    ];
    for (const [name, call] of cases) {
      const ms: string[] = [];
      for (let i = 0; i < 3; i++) {
        // The overview's answers are kept until the next write: every run here must read.
        await wh.run('CHECKPOINT');
        const r = await measured(call);
        ms.push(r.error ? `failed (${r.error})` : (r.s * 1000).toFixed(0));
      }
      console.log(`${name.padEnd(50)} ${ms.join(' / ')} ms`);
    }
  } finally {
    wh.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
