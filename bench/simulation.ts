/**
 * What-if simulator benchmark (server-side: the tRPC caller, no HTTP).
 * 1. Demo company (1,200 employees × 36 months): re-score under an edited scheme, target < 300 ms.
 * 2. 200,000 employees × 36 months: a copy of the demo-loader database at /tmp/big.duckdb (built
 *    when missing, never modified), full history ≤ 1.5 s and one month ≤ 60 ms per role's scheme.
 * The one-off sim_facts layout build is timed separately (it runs when the data changes, not per
 * request); so is a run's first call for a base scheme, which scores the base once into its
 * cache — the analyst's following edits are the median. Median of N runs after that warm-up.
 */
import { copyFileSync, existsSync } from 'node:fs';
import { builtinScheme, type Scheme } from '../packages/core/src/index.ts';
import { ensureSimulationLayout, Warehouse } from '../packages/warehouse/src/index.ts';
import { appRouter, createCallerFactory } from '../packages/api/src/index.ts';
import { loadDemo } from '../packages/demo/src/index.ts';

// 15: one-month runs of ~60 ms swing by 10 ms or more between runs on this shared 2-core machine.
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const DEMO_DB = process.env.BENCH_SIM_DEMO_DB ?? '/tmp/perflens-bench-sim-demo.duckdb';
const BIG_SOURCE = process.env.BENCH_SIM_SOURCE ?? '/tmp/big.duckdb';
const BIG_DB = process.env.BENCH_SIM_DB ?? '/tmp/perflens-bench-sim.duckdb';

/** A typical analyst edit: the first KPI gains 5 points of weight from the last, bands 2 points stricter. */
function edit(s: Scheme): Scheme {
  const n = s.kpis.length;
  return {
    ...s,
    kpis: s.kpis.map((k, i) => (i === 0 ? { ...k, weight: k.weight + 5 } : i === n - 1 ? { ...k, weight: k.weight - 5 } : k)),
    gradeBands: s.gradeBands.map((b) => ({ ...b, min: b.min === null ? null : b.min + 2 })),
  };
}

/** First call (builds the base scheme's cache when it is new) and the median of the next RUNS. */
async function median(call: () => Promise<unknown>): Promise<{ first: number; median: number }> {
  const t0 = performance.now();
  await call();
  const first = performance.now() - t0;
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await call();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return { first, median: ms[Math.floor(ms.length / 2)]! };
}

async function bench(wh: Warehouse, label: string, cases: Array<{ name: string; scheme: string; from?: string; to?: string; target: number }>) {
  const caller = createCallerFactory(appRouter)({ wh, lang: 'zh' });
  const t0 = performance.now();
  await ensureSimulationLayout(wh);
  const [n] = await wh.query<{ rows: number }>('SELECT count(*)::INTEGER AS rows FROM sim_facts');
  console.log(`${label}: sim_facts ${n!.rows.toLocaleString('en')} employee-months (layout check/build ${(performance.now() - t0).toFixed(0)} ms); ${RUNS} runs, median`);
  console.log('case'.padEnd(44), 'rows'.padStart(10), 'first ms'.padStart(9), 'median ms'.padStart(10), 'changed'.padStart(9), '  target (median)');
  for (const c of cases) {
    const base = builtinScheme(c.scheme);
    let rows = 0;
    let changed = 0;
    const { first, median: ms } = await median(async () => {
      const r = await caller.simulation.run({ baseSchemeId: c.scheme, scheme: edit(base), from: c.from, to: c.to, pageSize: 20 });
      rows = r.rows;
      changed = r.changed;
    });
    console.log(c.name.padEnd(44), rows.toLocaleString('en').padStart(10), first.toFixed(0).padStart(9), ms.toFixed(1).padStart(10), changed.toLocaleString('en').padStart(9), ms <= c.target ? `  ok (≤ ${c.target})` : `  OVER ${c.target}`);
  }
}

/**
 * The demo company at 200,000 employees × 36 months with its KPI lines (BIG_SOURCE), built once
 * (two to three minutes) and kept for later runs; benchmarks copy it and never modify it.
 */
export async function ensureBigSource(): Promise<string> {
  if (existsSync(BIG_SOURCE)) return BIG_SOURCE;
  console.log(`\nbuilding ${BIG_SOURCE}: the demo company with 200,000 employees …`);
  const t0 = performance.now();
  const wh = await Warehouse.open({ path: BIG_SOURCE });
  await loadDemo(wh, { employees: 200_000 });
  await wh.checkpoint();
  wh.close();
  console.log(`built in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  return BIG_SOURCE;
}

export async function run(): Promise<void> {
  if (!existsSync(DEMO_DB)) {
    const wh = await Warehouse.open({ path: DEMO_DB });
    await loadDemo(wh, {});
    wh.close();
  }
  const demo = await Warehouse.open({ path: DEMO_DB, threads: 2 });
  try {
    await bench(demo, 'demo company', [
      { name: 'cs_ecommerce, full history', scheme: 'cs_ecommerce-v1', target: 300 },
      { name: 'merchandiser, full history', scheme: 'merchandiser-v1', target: 300 },
      { name: 'sales, full history', scheme: 'sales-v1', target: 300 },
    ]);
  } finally {
    demo.close();
  }
  if (!existsSync(BIG_DB)) await ensureBigSource();
  if (!existsSync(BIG_DB)) copyFileSync(BIG_SOURCE, BIG_DB);
  const big = await Warehouse.open({ path: BIG_DB, threads: 2 });
  try {
    const roles = await big.query<{ role: string; n: number }>('SELECT role, count(*)::INTEGER AS n FROM employees GROUP BY 1 ORDER BY 2 DESC');
    console.log(`\n200k company: employees by role ${roles.map((r) => `${r.role} ${r.n}`).join(', ')}`);
    const cases = [];
    for (const scheme of ['merchandiser-v1', 'cs_ecommerce-v1', 'sales-v1', 'functional-v1'])
      cases.push(
        { name: `${scheme}, full history (36 months)`, scheme, target: 1500 },
        { name: `${scheme}, one month (2024-06)`, scheme, from: '2024-06', to: '2024-06', target: 60 },
      );
    await bench(big, '200k company', cases);
  } finally {
    big.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
