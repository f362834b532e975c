/**
 * Cold-load time of every dashboard page on the demo data, in headless Chromium: from navigation
 * start until the page's content is on screen — its charts have drawn (ECharts `finished`, no
 * animation under webdriver), its first table or result is visible and no loading mask is left.
 * Each run is a fresh browser context (cold HTTP cache, cold query cache: a first visit); the first
 * run of each page warms the server's caches and is discarded. Prints one JSON line per page and a
 * table saying whether each page meets its target (overview ≤ 1.5 s, every other page ≤ 2 s);
 * exits 1 when a median misses its target.
 * Usage: PERFLENS_TOKEN=plt_… node --import tsx e2e/perf.ts [baseUrl] [runs] [page,page…]
 *   (a server must be running; the token, made on the account page, signs every request in and
 *   must belong to an admin to open every page; pages: overview, calibration, policy, simulation,
 *   data, account, admin-users, admin-audit — all by default)
 */
import { chromium } from '@playwright/test';
import { launchOptions } from './launch.ts';

const base = (process.argv[2] ?? process.env.PERFLENS_URL ?? 'http://127.0.0.1:8320').replace(/\/$/, '');
const runs = Number(process.argv[3] ?? 5);
const only = process.argv[4]?.split(',').filter(Boolean);
const signedIn: Record<string, string> = process.env.PERFLENS_TOKEN ? { authorization: `Bearer ${process.env.PERFLENS_TOKEN}` } : {};

interface PageSpec {
  name: string;
  path: string;
  targetMs: number;
  /** Selectors that must be visible once the page's content is there. */
  visible: string[];
  /** Charts that must have drawn real data (data-state="ok"). */
  charts: number;
}

// What each page shows first on the demo company, as the browser tests wait for it.
const PAGES: PageSpec[] = [
  { name: 'overview', path: '/', targetMs: 1500, visible: [], charts: 4 },
  // Proposal tab: the groups and the chosen group's chart.
  { name: 'calibration', path: '/calibration', targetMs: 2000, visible: ['[data-testid=groups-table]'], charts: 1 },
  // The first policy's analysis: summary, treated-vs-control series and event study.
  { name: 'policy', path: '/policy', targetMs: 2000, visible: ['[data-testid=policy-summary]'], charts: 2 },
  // The default scheme loaded into the editor and run over the whole history.
  { name: 'simulation', path: '/simulation', targetMs: 2000, visible: ['[data-testid=share-changed]', '[data-testid^=weight-]', '[data-testid=run-status][data-running=false]'], charts: 0 },
  { name: 'data', path: '/data', targetMs: 2000, visible: ['[data-testid=batch-table] tbody tr'], charts: 0 },
  { name: 'account', path: '/account', targetMs: 2000, visible: ['[data-testid=account-page]'], charts: 0 },
  { name: 'admin-users', path: '/admin/users', targetMs: 2000, visible: ['[data-testid=user-table] tbody tr'], charts: 0 },
  { name: 'admin-audit', path: '/admin/audit', targetMs: 2000, visible: ['[data-testid=audit-log-table] tbody tr'], charts: 0 },
];

/**
 * Runs in the page: true once the page's content is on screen. A function, not a string (the
 * dashboard's CSP forbids eval); written without named inner functions, which tsx would wrap in a
 * helper the page does not have.
 */
function readyCheck(spec: { visible: string[]; charts: number }): boolean {
  if (!spec.visible.every((s) => [...document.querySelectorAll<HTMLElement>(s)].some((e) => e.offsetParent !== null && e.getBoundingClientRect().height > 0)))
    return false;
  const charts = [...document.querySelectorAll('[data-chart-ready]')];
  if (charts.filter((c) => c.getAttribute('data-chart-ready') === 'true' && c.getAttribute('data-state') === 'ok').length < spec.charts) return false;
  if (charts.some((c) => c.getAttribute('data-state') === 'loading')) return false;
  // Element Plus's v-loading mask over a panel still waiting for data.
  return ![...document.querySelectorAll<HTMLElement>('.el-loading-mask')].some((e) => e.offsetParent !== null && e.getBoundingClientRect().height > 0);
}

const pages = only ? PAGES.filter((p) => only.includes(p.name)) : PAGES;
const browser = await chromium.launch(launchOptions);
const results: Array<{ page: string; median: number; min: number; max: number; runs: number; targetMs: number; ok: boolean }> = [];
try {
  for (const spec of pages) {
    const samples: number[] = [];
    for (let i = 0; i < runs + 1; i++) {
      // A fresh context per run: cold HTTP cache and query cache, like a first visit.
      const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, extraHTTPHeaders: signedIn });
      const page = await ctx.newPage();
      await page.goto(`${base}${spec.path}`, { waitUntil: 'commit' });
      await page.waitForFunction(readyCheck, { visible: spec.visible, charts: spec.charts }, { timeout: 60_000, polling: 'raf' });
      const path = new URL(page.url()).pathname;
      if (path !== spec.path) throw new Error(`${spec.name}: landed on ${path} (is the token an admin's?)`);
      const ms = (await page.evaluate('performance.now()')) as number;
      if (i > 0) samples.push(ms); // the first run warms the server's caches and is discarded
      await ctx.close();
    }
    samples.sort((a, b) => a - b);
    const median = Math.round(samples[Math.floor(samples.length / 2)]!);
    const r = { page: spec.name, median, min: Math.round(samples[0]!), max: Math.round(samples[samples.length - 1]!), runs: samples.length, targetMs: spec.targetMs, ok: median <= spec.targetMs };
    results.push(r);
    console.log(JSON.stringify({ metric: 'cold_load_ms', ...r }));
  }
} finally {
  await browser.close();
}
console.log(
  results.map((r) => `${r.page.padEnd(12)} median ${String(r.median).padStart(5)} ms  (min ${r.min}, max ${r.max})  target ≤ ${r.targetMs} ms  ${r.ok ? 'meets target' : 'MISSES target'}`).join('\n'),
);
process.exitCode = results.every((r) => r.ok) ? 0 : 1;
