/**
 * Policy benchmark: `policy.effect` through the tRPC caller (server-side, no HTTP) over the
 * synthetic 200,000 employees × 36 months company of the distribution benchmark (same builder,
 * own file so the two benchmarks never contend for one DuckDB lock). A pilot policy covers one
 * department (C3) from 2023-07; the automatic control is everyone else. Median of N runs after
 * a warm-up, split into the SQL part and the statistics part. Target: ≤ 500 ms per call, ≤ 2 s
 * when the design has fewer than 30 clusters and the wild cluster bootstrap runs.
 */
import { existsSync } from 'node:fs';
import { ensureAnalytics, Warehouse } from '../packages/warehouse/src/index.ts';
import { appRouter, createCallerFactory } from '../packages/api/src/index.ts';
import { buildBenchDb } from './distribution-data.ts';

const DB = process.env.BENCH_POLICY_DB ?? '/tmp/perflens-bench-policy.duckdb';
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const TARGET_MS = 500;
/** With the wild cluster bootstrap (fewer than 30 clusters). */
const BOOTSTRAP_TARGET_MS = 2000;

const CASES: Array<{ name: string; input: Record<string, unknown>; policyId?: string; target?: number }> = [
  { name: 'score, all 36 months', input: { outcome: 'score' } },
  { name: 'grade A share', input: { outcome: 'grade:A' } },
  { name: 'bonus per head', input: { outcome: 'bonus' } },
  { name: 'score, 6 + 6 months', input: { outcome: 'score', before: 6, after: 6 } },
  { name: 'score, chosen control S1', input: { outcome: 'score', controlOrgUnitIds: ['S1'] } },
  // Three treated and five control departments: 8 clusters, so every p-value and interval of the
  // DiD and the 35-point event study comes from the wild cluster bootstrap (B = 999).
  { name: 'score, D1 pilot, bootstrap', input: { outcome: 'score' }, policyId: 'BENCH-D1', target: BOOTSTRAP_TARGET_MS },
  { name: 'grade A, D1 pilot, bootstrap', input: { outcome: 'grade:A' }, policyId: 'BENCH-D1', target: BOOTSTRAP_TARGET_MS },
  // The largest bootstrap a request may ask for (bootstrap.replicates ≤ 9999).
  { name: 'score, D1 pilot, B = 9999', input: { outcome: 'score', bootstrap: { replicates: 9999 } }, policyId: 'BENCH-D1', target: BOOTSTRAP_TARGET_MS },
];

export async function run(): Promise<void> {
  if (process.env.BENCH_REBUILD === '1' || !existsSync(DB)) await buildBenchDb(DB);
  const wh = await Warehouse.open({ path: DB, threads: 2 });
  try {
    await wh.run(`INSERT OR REPLACE INTO policies (id, name, effective_from, scope_org_unit_ids, scope_roles)
                  VALUES ('BENCH-PILOT', '跟单部试点 / merchandiser pilot', DATE '2023-07-01', ['C3'], NULL)`);
    await wh.run(`INSERT OR REPLACE INTO policies (id, name, effective_from, scope_org_unit_ids, scope_roles)
                  VALUES ('BENCH-D1', '销售事业部试点 / sales division pilot', DATE '2023-07-01', ['D1'], NULL)`);
    // The derived tables are current after an import (the writer refreshes them in its transaction);
    // a cache file built by older code is refreshed here, so "first ms" is a request's own cost.
    await ensureAnalytics(wh);
    const caller = createCallerFactory(appRouter)({ wh, lang: 'zh' });
    const [n] = await wh.query<{ a: number }>('SELECT count(*)::INTEGER AS a FROM assessments');
    console.log(`${n!.a.toLocaleString('en')} assessments; ${RUNS} runs each, median (SQL part + statistics part)`);
    console.log('case'.padEnd(28), 'first ms'.padStart(9), 'median ms'.padStart(10), 'sql ms'.padStart(8), 'stats ms'.padStart(9), '  unit / did', '  target');
    for (const c of CASES) {
      const call = () => caller.policy.effect({ policyId: c.policyId ?? 'BENCH-PILOT', ...c.input } as never);
      // The first call of a policy and window reads the per-person running totals (migration 041)
      // and fills the distribution cache (shared by every outcome of that policy and window until
      // the next write): reported as "first ms", with the same ≤ 500 ms target.
      const tc = performance.now();
      await call();
      const first = performance.now() - tc;
      const runs: Array<{ total: number; sql: number; stats: number; r: Awaited<ReturnType<typeof call>> }> = [];
      for (let i = 0; i < RUNS; i++) {
        const t0 = performance.now();
        const r = await call();
        runs.push({ total: performance.now() - t0, sql: r.timing.queryMs, stats: r.timing.statsMs, r });
      }
      runs.sort((a, b) => a.total - b.total);
      const m = runs[Math.floor(runs.length / 2)]!;
      const inf = (m.r.did as { inference?: { method: string } } | null)?.inference?.method ?? '';
      const reps = (m.r.did as { inference?: { bootstrap?: { reps: number } | null } } | null)?.inference?.bootstrap?.reps;
      const did = m.r.did ? `${m.r.did.estimate.toFixed(3)} (${m.r.did.seType}${inf ? ` ${inf}` : ''}${reps ? ` B=${reps}` : ''}, p ${m.r.did.p === null ? 'null' : m.r.did.p.toFixed(3)}, ${m.r.panel.observations} obs)` : 'none';
      console.log(
        c.name.padEnd(28),
        first.toFixed(0).padStart(9),
        m.total.toFixed(1).padStart(10),
        String(m.sql).padStart(8),
        String(m.stats).padStart(9),
        `  ${m.r.unit} / ${did}`,
        m.total > (c.target ?? TARGET_MS) ? `  OVER ${c.target ?? TARGET_MS}` : first > (c.target ?? TARGET_MS) ? `  OVER ${c.target ?? TARGET_MS} (first)` : '  ok',
      );
    }
  } finally {
    wh.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
