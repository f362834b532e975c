/**
 * Report benchmark: `report.create` through the tRPC caller (server-side, no HTTP) on the synthetic
 * 200,000 employees × 36 months company of the policy benchmark (same file; the two never run at
 * once). The report covers one year, the grade distribution by department, and the effect of the
 * pilot policy on the score (its treated-vs-control chart and 35-point event study): gathering
 * (the API's own procedures) and rendering (charts to SVG, PDF with the embedded font) are timed
 * apart. Target: < 5 s for the whole report, first request included.
 */
import { existsSync } from 'node:fs';
import { ensureAnalytics, Warehouse } from '../packages/warehouse/src/index.ts';
import { appRouter, createCallerFactory } from '../packages/api/src/index.ts';
import { gatherReport } from '../packages/api/src/routers/report.ts';
import { renderReport } from '../packages/report/src/index.ts';
import { buildBenchDb } from './distribution-data.ts';

const DB = process.env.BENCH_POLICY_DB ?? '/tmp/perflens-bench-policy.duckdb';
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const TARGET_MS = 5000;

export async function run(): Promise<void> {
  if (process.env.BENCH_REBUILD === '1' || !existsSync(DB)) await buildBenchDb(DB);
  const wh = await Warehouse.open({ path: DB, threads: 2 });
  try {
    await wh.run(`INSERT OR REPLACE INTO policies (id, name, effective_from, scope_org_unit_ids, scope_roles)
                  VALUES ('BENCH-PILOT', '跟单部试点 / merchandiser pilot', DATE '2023-07-01', ['C3'], NULL)`);
    await ensureAnalytics(wh);
    const ctx = { wh, lang: 'zh' as const };
    const caller = createCallerFactory(appRouter)(ctx);
    const [n] = await wh.query<{ a: number; e: number }>('SELECT count(*)::INTEGER AS a, count(DISTINCT employee_id)::INTEGER AS e FROM assessments');
    console.log(`${n!.e.toLocaleString('en')} employees, ${n!.a.toLocaleString('en')} assessments; first request, then the median of ${RUNS}`);
    const input = { filters: { from: '2024-01', to: '2024-12' }, policyIds: ['BENCH-PILOT'], outcome: 'score' };
    console.log('lang'.padEnd(6), 'case'.padEnd(8), 'total ms'.padStart(9), 'gather ms'.padStart(10), 'render ms'.padStart(10), 'KB'.padStart(6), '  target');
    for (const lang of ['zh', 'en'] as const) {
      const one = async () => {
        const t0 = performance.now();
        const model = await gatherReport(ctx, { ...input, lang });
        const t1 = performance.now();
        const pdf = await renderReport(model);
        const t2 = performance.now();
        return { total: t2 - t0, gather: t1 - t0, render: t2 - t1, kb: pdf.length / 1024 };
      };
      const line = (name: string, r: Awaited<ReturnType<typeof one>>) =>
        console.log(lang.padEnd(6), name.padEnd(8), r.total.toFixed(0).padStart(9), r.gather.toFixed(0).padStart(10), r.render.toFixed(0).padStart(10), r.kb.toFixed(0).padStart(6), r.total > TARGET_MS ? `  OVER ${TARGET_MS}` : '  ok');
      line('first', await one());
      const runs = [];
      for (let i = 0; i < RUNS; i++) runs.push(await one());
      runs.sort((a, b) => a.total - b.total);
      line('median', runs[Math.floor(runs.length / 2)]!);
    }
    // The procedure itself (gather + render + audit + base64), as the dashboard and the CLI call it.
    const t0 = performance.now();
    const out = await caller.report.create({ ...input, lang: 'en' });
    console.log(`report.create end to end: ${(performance.now() - t0).toFixed(0)} ms, ${(out.base64.length / 1024).toFixed(0)} KB base64`);
  } finally {
    wh.close();
  }
}
