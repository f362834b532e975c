/**
 * `pnpm bench load`: concurrent dashboard users against one server on loopback, on the 200,000-
 * employee × 36-month benchmark company (bench/distribution-data.ts, with the policy bench's two
 * policies). Each user signs in (a session cookie, as in the browser) and, for BENCH_LOAD_SECONDS
 * (60), does what people do on the dashboard: overview panels with changing filters, the drill-down
 * list, the rater table, a forced ranking, a policy effect, one request at a time, then reads the
 * answer for BENCH_LOAD_THINK_MS (2000-8000: a person looking at a chart before the next click;
 * 100-500 makes it a stress test that keeps both cores saturated). Prints throughput and p50 / p95 /
 * p99 per procedure. Targets: no errors; the light panels' p95 ≤ 50 ms while the heavy ones run
 * alongside. Asserts nothing.
 *
 * The simulator is not in the mix: this company has no KPI lines to re-score (bench/simulation.ts
 * measures it on its own data set).
 */
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { ensureAnalytics, Warehouse, cliActor, createUser, getUserSecret, runAs } from '../packages/warehouse/src/index.ts';
import { AuthService, hashPassword } from '../packages/auth/src/index.ts';
import { createAppServer } from '../apps/server/src/http.ts';
import { httpOptionsFromEnv } from '../apps/server/src/config.ts';
import { buildBenchDb } from './distribution-data.ts';
import { mulberry32 } from '../packages/core/src/stats/bootstrap.ts';

const DB = process.env.BENCH_POLICY_DB ?? '/tmp/perflens-bench-policy.duckdb';
const USERS = Number(process.env.BENCH_LOAD_USERS ?? 50);
const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 60);
const LIGHT_P95_TARGET = 50;
const [THINK_MIN, THINK_MAX] = (process.env.BENCH_LOAD_THINK_MS ?? '2000-8000').split('-').map(Number) as [number, number];
const PASSWORD = 'Bench-load-pass-42';

const UNITS = ['D1', 'D2', 'D3', 'S1', 'S2', 'S3', 'C1', 'C2', 'C3', 'F1', 'F2'];
const ROLES = ['sales', 'foreign_trade', 'key_account', 'cs_ecommerce', 'cs_callcenter', 'merchandiser', 'functional'];
/** Answered from the pre-aggregated cube: what a user waits for on every filter change. */
const LIGHT = new Set(['meta.overview', 'meta.periods', 'distribution.grades', 'distribution.scores', 'distribution.byOrgUnit']);

const month = (i: number) => `${2022 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;

/** One step of a user: the requests a page makes, each timed on its own. */
type Step = Array<[proc: string, input: unknown]>;

function nextStep(r: () => number): Step {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const from = Math.floor(r() * 30);
  const filters: Record<string, unknown> = {};
  if (r() < 0.5) filters.orgUnitId = pick(UNITS);
  if (r() < 0.3) filters.role = pick(ROLES);
  if (r() < 0.6) Object.assign(filters, { from: month(from), to: month(Math.min(35, from + Math.floor(r() * 12))) });
  const x = r();
  // The overview's panels on a filter change (the most common thing anyone does).
  if (x < 0.55)
    return [
      ['meta.overview', undefined],
      ['distribution.grades', { ...filters, groupBy: pick(['none', 'orgUnit', 'period']) }],
      ['distribution.scores', filters],
      ['distribution.byOrgUnit', filters],
    ];
  if (x < 0.75) return [['employees.list', { ...filters, page: 1 + Math.floor(r() * 5), pageSize: 50 }]];
  if (x < 0.87) return [['distribution.raters', { orgUnitId: pick(UNITS.slice(3)), from: month(from), to: month(from) }]];
  if (x < 0.95) return [['ranking.forced', { from: month(from), orgUnitId: pick(['D1', 'D2', 'D3']) }]];
  return [['policy.effect', { policyId: 'BENCH-PILOT', outcome: pick(['score', 'grade:A']), unit: 'orgUnit' }]];
}

const quantile = (sorted: number[], q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : NaN);

export async function run(): Promise<void> {
  if (!existsSync(DB)) await buildBenchDb(DB);
  const wh = await Warehouse.open({ path: DB, threads: 2 });
  await wh.run(`INSERT OR REPLACE INTO policies (id, name, effective_from, scope_org_unit_ids, scope_roles)
                VALUES ('BENCH-PILOT', '跟单部试点 / merchandiser pilot', DATE '2023-07-01', ['C3'], NULL)`);
  await ensureAnalytics(wh);
  const auth = new AuthService(wh);
  // The server's own limits, the default time limit included: a request over 30 s is an error.
  const server = createAppServer(wh, [], undefined, httpOptionsFromEnv(), auth);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    if (!(await getUserSecret(wh, 'bench-load')))
      await runAs(cliActor(), async () =>
        createUser(wh, { id: 'bench-load', name: 'Bench load', role: 'hr', orgScopes: [], passwordHash: await hashPassword(PASSWORD), mustChangePassword: false }),
      );
    const cookies: string[] = [];
    for (let i = 0; i < USERS; i++) {
      const res = await fetch(`${base}/trpc/auth.signIn`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: 'bench-load', password: PASSWORD }) });
      const cookie = res.headers.get('set-cookie')?.split(';')[0];
      if (!res.ok || !cookie) throw new Error(`sign-in failed: ${res.status}`);
      cookies.push(cookie);
    }
    const times = new Map<string, number[]>();
    const errors = new Map<string, string[]>();
    const deadline = performance.now() + SECONDS * 1000;
    let requests = 0;
    const user = async (i: number) => {
      const r = mulberry32(1000 + i);
      // People arrive over the first pause, not all in the same millisecond.
      await new Promise((res) => setTimeout(res, r() * THINK_MAX));
      while (performance.now() < deadline) {
        for (const [proc, input] of nextStep(r)) {
          const url = `${base}/trpc/${proc}${input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`}`;
          const t0 = performance.now();
          try {
            const res = await fetch(url, { headers: { cookie: cookies[i]! } });
            const text = await res.text();
            if (!res.ok) (errors.get(proc) ?? errors.set(proc, []).get(proc)!).push(`${res.status} ${text.slice(0, 160)}`);
          } catch (err) {
            (errors.get(proc) ?? errors.set(proc, []).get(proc)!).push(String(err));
          }
          (times.get(proc) ?? times.set(proc, []).get(proc)!).push(performance.now() - t0);
          requests++;
        }
        await new Promise((res) => setTimeout(res, THINK_MIN + r() * (THINK_MAX - THINK_MIN)));
      }
    };
    const t0 = performance.now();
    await Promise.all(Array.from({ length: USERS }, (_, i) => user(i)));
    const elapsed = (performance.now() - t0) / 1000;

    console.log(`PerfLens load benchmark — ${DB}, ${USERS} signed-in users for ${SECONDS} s on loopback, threads=2, ${THINK_MIN}-${THINK_MAX} ms between steps`);
    console.log(`${requests} requests in ${elapsed.toFixed(1)} s: ${(requests / elapsed).toFixed(1)} requests/s`);
    console.log('procedure                    n  errors     p50     p95     p99  (ms)');
    let lightWorst = 0;
    let errorCount = 0;
    for (const [proc, ts] of [...times].sort(([a], [b]) => a.localeCompare(b))) {
      ts.sort((a, b) => a - b);
      const errs = errors.get(proc)?.length ?? 0;
      errorCount += errs;
      const p95 = quantile(ts, 0.95);
      if (LIGHT.has(proc)) lightWorst = Math.max(lightWorst, p95);
      console.log(
        `${proc.padEnd(24)} ${String(ts.length).padStart(5)} ${String(errs).padStart(7)} ${quantile(ts, 0.5).toFixed(1).padStart(7)} ${p95.toFixed(1).padStart(7)} ${quantile(ts, 0.99).toFixed(1).padStart(7)}${LIGHT.has(proc) ? '  light' : ''}`,
      );
    }
    console.log(`errors: ${errorCount} (target 0) ${errorCount === 0 ? 'ok' : 'MISSED'}`);
    console.log(`light panels' worst p95: ${lightWorst.toFixed(1)} ms (target ≤ ${LIGHT_P95_TARGET}) ${lightWorst <= LIGHT_P95_TARGET ? 'ok' : 'MISSED'}`);
    for (const [proc, list] of errors) console.log(`  ${proc}: ${list.slice(0, 3).join(' | ')}`);
  } finally {
    await new Promise((r) => server.close(r));
    wh.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
