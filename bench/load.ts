/**
 * `pnpm bench load`: concurrent dashboard users against one server (`perflens serve`, in a process
 * of its own) on loopback, on the demo company at 200,000 employees × 36 months with its KPI lines (bench/simulation.ts builds it once; this
 * bench works on its own copy, BENCH_LOAD_DB, since signing in writes sessions). Each user signs in
 * (a session cookie, as in the browser) and, for BENCH_LOAD_SECONDS (60), does what people do on
 * the dashboard: overview panels with changing filters, the drill-down list, the rater table, the
 * calibration page's rater and department panels, a forced ranking, a policy effect, a what-if run
 * with one weight moved; one request at a time, then reads the answer for BENCH_LOAD_THINK_MS
 * (2000-8000: a person looking at a chart before the next click; 100-500 makes it a stress test
 * that keeps both cores saturated). Prints throughput and p50 / p95 / p99 per procedure. Targets:
 * no errors; the light panels' p95 ≤ 50 ms while the heavy ones run alongside. Asserts nothing.
 *
 * The org units, roles, months, policy and schemes are read from the database, so BENCH_LOAD_DB may
 * name any PerfLens database (the distribution bench's company, which has no KPI lines, simply
 * leaves the simulator out of the mix).
 */
import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { copyFileSync, existsSync } from 'node:fs';
import { Warehouse, cliActor, createUser, getUserSecret, runAs } from '../packages/warehouse/src/index.ts';
import { hashPassword } from '../packages/auth/src/index.ts';
import { ensureBigSource } from './simulation.ts';
import { mulberry32 } from '../packages/core/src/stats/bootstrap.ts';

const REPO = resolve(import.meta.dirname, '..');
const DB = process.env.BENCH_LOAD_DB ?? '/tmp/perflens-bench-load.duckdb';
const USERS = Number(process.env.BENCH_LOAD_USERS ?? 50);
const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 60);
const LIGHT_P95_TARGET = 50;
const [THINK_MIN, THINK_MAX] = (process.env.BENCH_LOAD_THINK_MS ?? '2000-8000').split('-').map(Number) as [number, number];
const PASSWORD = 'Bench-load-pass-42';
/** `overview`: only the overview's panels, the floor the light panels reach when nothing heavy runs beside them. */
const MIX = process.env.BENCH_LOAD_MIX ?? 'full';

/** Answered from the pre-aggregated cube: what a user waits for on every filter change. */
const LIGHT = new Set(['meta.overview', 'meta.periods', 'distribution.grades', 'distribution.scores', 'distribution.byOrgUnit']);

/** What the users pick from, read from the database being served. */
interface Company {
  units: string[];
  roles: string[];
  months: string[];
  policyId: string | null;
  /** Supervisors with the most scores: whom the calibration page's side-by-side table opens on. */
  raters: string[];
  /** Built-in schemes of roles that have KPI lines: what the simulator re-scores. */
  schemes: Array<{ id: string; def: { kpis: Array<{ weight: number }> } }>;
}

async function readCompany(wh: Warehouse): Promise<Company> {
  const col = async (sql: string) => (await wh.query<{ v: string }>(sql)).map((r) => r.v);
  const units = await col('SELECT DISTINCT org_unit_id AS v FROM assessment_cube ORDER BY 1');
  const roles = await col('SELECT DISTINCT role::VARCHAR AS v FROM employees ORDER BY 1');
  const months = await col("SELECT id AS v FROM periods WHERE kind = 'month' AND id IN (SELECT DISTINCT period_id FROM assessments) ORDER BY start_date");
  const [policyId] = await col('SELECT id AS v FROM policies ORDER BY id LIMIT 1');
  const kpiRoles = new Set(
    await col('SELECT DISTINCT e.role::VARCHAR AS v FROM (SELECT DISTINCT employee_key FROM kpi_lines) l JOIN employee_keys k ON k.key = l.employee_key JOIN employees e ON e.id = k.id'),
  );
  const schemes = (await wh.query<{ id: string; role: string; def: string }>('SELECT id, role, definition::VARCHAR AS def FROM schemes ORDER BY id'))
    .filter((s) => kpiRoles.has(s.role))
    .map((s) => ({ id: s.id, def: JSON.parse(s.def) as Company['schemes'][number]['def'] }))
    .filter((s) => s.def.kpis.length >= 2);
  const raters = await col("SELECT rater_id AS v FROM rater_scores WHERE relation = 'supervisor' GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 20");
  return { units, roles, months, policyId: policyId ?? null, raters, schemes };
}

/** One step of a user: the requests a page makes, each timed on its own. */
type Step = Array<[proc: string, input: unknown, label?: string]>;

function nextStep(c: Company, r: () => number): Step {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const last = c.months.length - 1;
  const from = Math.floor(r() * c.months.length);
  const month = (i: number) => c.months[Math.min(last, i)]!;
  const filters: Record<string, unknown> = {};
  if (r() < 0.5) filters.orgUnitId = pick(c.units);
  if (r() < 0.3) filters.role = pick(c.roles);
  if (r() < 0.6) Object.assign(filters, { from: month(from), to: month(from + Math.floor(r() * 12)) });
  const x = MIX === 'overview' ? 0 : r();
  // The overview's panels on a filter change (the most common thing anyone does).
  if (x < 0.5)
    return [
      ['meta.overview', undefined],
      ['distribution.grades', { ...filters, groupBy: pick(['none', 'orgUnit', 'period']) }],
      ['distribution.scores', filters],
      ['distribution.byOrgUnit', filters],
    ];
  if (x < 0.68) return [['employees.list', { ...filters, page: 1 + Math.floor(r() * 5), pageSize: 50 }]];
  if (x < 0.78) return [['distribution.raters', { orgUnitId: pick(c.units), from: month(from), to: month(from) }]];
  // The calibration page on one month: rater leniency, then one rater's scores side by side with
  // their normalisations, and the departments against the guideline.
  if (x < 0.85)
    return [
      ['calibration.raters', { from: month(from), to: month(from) }],
      ...(c.raters.length ? [['calibration.raters', { from: month(from), to: month(from), raterId: pick(c.raters) }, 'calibration.raters +rater'] as Step[number]] : []),
      ['calibration.departments', { from: month(from), to: month(from) }],
    ];
  if (x < 0.91) return [['ranking.forced', { from: month(from), orgUnitId: pick(c.units) }]];
  if (x < 0.95 && c.policyId) return [['policy.effect', { policyId: c.policyId, outcome: pick(['score', 'grade:A']), unit: 'orgUnit' }]];
  if (c.schemes.length === 0) return [['meta.overview', undefined]];
  // The simulator: five points of weight moved from one KPI to another, one month or a quarter.
  const s = pick(c.schemes);
  const kpis = s.def.kpis.map((k) => ({ ...k }));
  const i = kpis.findIndex((k) => k.weight > 5);
  const j = (i + 1) % kpis.length;
  kpis[i]!.weight -= 5;
  kpis[j]!.weight += 5;
  return [['simulation.run', { baseSchemeId: s.id, scheme: { ...s.def, kpis }, from: month(from), to: month(from + (r() < 0.5 ? 0 : 2)), pageSize: 20 }]];
}

const quantile = (sorted: number[], q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : NaN);

/** A free loopback port (the server is told which to use, as in a deployment). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
  return port;
}

export async function run(): Promise<void> {
  if (!existsSync(DB)) copyFileSync(await ensureBigSource(), DB);
  // The user and the company's choices are read first; then the file belongs to the server.
  const wh = await Warehouse.open({ path: DB, threads: 2 });
  const company = await readCompany(wh);
  if (!(await getUserSecret(wh, 'bench-load')))
    await runAs(cliActor(), async () =>
      createUser(wh, { id: 'bench-load', name: 'Bench load', role: 'hr', orgScopes: [], passwordHash: await hashPassword(PASSWORD), mustChangePassword: false }),
    );
  wh.close();
  // The real server in a process of its own, as deployed (`perflens serve`, its default limits,
  // the 30 s time limit included): the simulated users' own JSON parsing must not share its
  // event loop.
  const port = await freePort();
  const server = spawn(process.execPath, ['--import', 'tsx', 'apps/server/src/cli.ts', 'serve', '--no-demo'], {
    cwd: REPO,
    env: { ...process.env, PERFLENS_DB: DB, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((r) => server.once('exit', () => r()));
  const base = `http://127.0.0.1:${port}`;
  try {
    const started = performance.now();
    while (!(await fetch(`${base}/healthz`).then((r) => r.ok, () => false))) {
      if (server.exitCode !== null) throw new Error('the server stopped while starting');
      if (performance.now() - started > 120_000) throw new Error('the server did not start within 120 s');
      await new Promise((r) => setTimeout(r, 200));
    }
    const cookies: string[] = [];
    for (let i = 0; i < USERS; i++) {
      const res = await fetch(`${base}/trpc/auth.signIn`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: 'bench-load', password: PASSWORD }) });
      const cookie = res.headers.get('set-cookie')?.split(';')[0];
      if (!res.ok || !cookie) throw new Error(`sign-in failed: ${res.status}`);
      cookies.push(cookie);
    }
    // A starting server brings its derived tables up to date in the background (commands/serve.ts);
    // the users arrive once that is done, so the figures are those of a running server.
    for (;;) {
      const state = (await (await fetch(`${base}/trpc/meta.refreshState`, { headers: { cookie: cookies[0]! } })).json()) as { result: { data: { updating: boolean; lastMs: number | null } } };
      if (!state.result.data.updating) {
        console.log(`server up, derived tables current ${((performance.now() - started) / 1000).toFixed(1)} s after start (refresh ${state.result.data.lastMs ?? 0} ms)`);
        break;
      }
      await new Promise((r) => setTimeout(r, 250));
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
        for (const [proc, input, label = proc] of nextStep(company, r)) {
          const url = `${base}/trpc/${proc}${input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`}`;
          const t0 = performance.now();
          try {
            const res = await fetch(url, { headers: { cookie: cookies[i]! } });
            const text = await res.text();
            if (!res.ok) (errors.get(label) ?? errors.set(label, []).get(label)!).push(`${res.status} ${text.slice(0, 160)}`);
          } catch (err) {
            (errors.get(label) ?? errors.set(label, []).get(label)!).push(String(err));
          }
          (times.get(label) ?? times.set(label, []).get(label)!).push(performance.now() - t0);
          requests++;
        }
        await new Promise((res) => setTimeout(res, THINK_MIN + r() * (THINK_MAX - THINK_MIN)));
      }
    };
    const t0 = performance.now();
    await Promise.all(Array.from({ length: USERS }, (_, i) => user(i)));
    const elapsed = (performance.now() - t0) / 1000;

    console.log(`PerfLens load benchmark — ${DB}, ${USERS} signed-in users for ${SECONDS} s on loopback, threads=2, ${THINK_MIN}-${THINK_MAX} ms between steps, ${MIX} mix`);
    console.log(`${requests} requests in ${elapsed.toFixed(1)} s: ${(requests / elapsed).toFixed(1)} requests/s`);
    console.log('procedure                      n  errors     p50     p95     p99  (ms)');
    let lightWorst = 0;
    let errorCount = 0;
    for (const [proc, ts] of [...times].sort(([a], [b]) => a.localeCompare(b))) {
      ts.sort((a, b) => a - b);
      const errs = errors.get(proc)?.length ?? 0;
      errorCount += errs;
      const p95 = quantile(ts, 0.95);
      if (LIGHT.has(proc)) lightWorst = Math.max(lightWorst, p95);
      console.log(
        `${proc.padEnd(26)} ${String(ts.length).padStart(5)} ${String(errs).padStart(7)} ${quantile(ts, 0.5).toFixed(1).padStart(7)} ${p95.toFixed(1).padStart(7)} ${quantile(ts, 0.99).toFixed(1).padStart(7)}${LIGHT.has(proc) ? '  light' : ''}`,
      );
    }
    console.log(`errors: ${errorCount} (target 0) ${errorCount === 0 ? 'ok' : 'MISSED'}`);
    console.log(`light panels' worst p95: ${lightWorst.toFixed(1)} ms (target ≤ ${LIGHT_P95_TARGET}) ${lightWorst <= LIGHT_P95_TARGET ? 'ok' : 'MISSED'}`);
    for (const [proc, list] of errors) console.log(`  ${proc}: ${list.slice(0, 3).join(' | ')}`);
  } finally {
    server.kill('SIGTERM');
    await exited;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
