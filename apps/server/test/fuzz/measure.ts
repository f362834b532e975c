/**
 * Time, memory and event-loop stall of each hostile file (hostile-files.ts), previewed and
 * imported, each in its own process with a capped heap so the machine survives the files that
 * used to exhaust it. The README's Limits table quotes this script's output.
 *
 *   node --import tsx apps/server/test/fuzz/measure.ts [case …] [--heap 1024] [--timeout 240]
 *
 * Per case and action it prints the time of the action and of the whole process (start and
 * opening the database take about 2 s), the peak RSS (from /usr/bin/time, so a process killed by
 * the heap cap still reports it; a workbook's converter process counts too), the longest
 * event-loop stall (what a concurrent /healthz would have waited) and the outcome (error text
 * cut to 160 characters).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brokenParquet, FLAT_MAPPING, hostileFiles, type HostileFile } from './hostile-files.ts';

const self = fileURLToPath(import.meta.url);

async function parquetCases(): Promise<HostileFile[]> {
  const { Warehouse } = await import('@perflens/warehouse');
  const dir = mkdtempSync(join(tmpdir(), 'perflens-pq-'));
  try {
    const wh = await Warehouse.open({ path: ':memory:' });
    const pq = join(dir, 'ok.parquet');
    await wh.run(`COPY (SELECT 'E' || i AS "工号", '销售一部' AS "部门", '销售' AS "岗位", '2024-03' AS "考核期间", 250 AS "绩效得分" FROM range(1000) t(i)) TO '${pq}' (FORMAT parquet)`);
    wh.close();
    const { readFileSync } = await import('node:fs');
    const [cut, garbled] = brokenParquet(readFileSync(pq));
    return [
      { name: 'parquet-cut', fileName: '截断.parquet', what: 'a Parquet file missing its last 20 bytes', bytes: () => cut! },
      { name: 'parquet-garbled-footer', fileName: '损坏.parquet', what: 'a Parquet file with a garbled footer', bytes: () => garbled! },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function child(caseName: string, action: 'preview' | 'run'): Promise<void> {
  // MEASURE_WAREHOUSE: another copy of the warehouse sources (the code before a change, to compare).
  const { Warehouse, previewImport, importFile } = (await import(process.env.MEASURE_WAREHOUSE ?? '@perflens/warehouse')) as typeof import('@perflens/warehouse');
  const all = [...hostileFiles(), ...(await parquetCases())];
  const c = all.find((f) => f.name === caseName);
  if (!c) throw new Error(`unknown case ${caseName}`);
  const dir = mkdtempSync(join(tmpdir(), 'perflens-measure-'));
  const path = join(dir, 'upload');
  writeFileSync(path, await c.bytes());
  const wh = await Warehouse.open({ path: join(dir, 'm.duckdb') });
  // The longest gap between timer ticks: how long a /healthz request would have waited.
  let last = performance.now();
  let stall = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    stall = Math.max(stall, now - last - 20);
    last = now;
  }, 20);
  const t0 = performance.now();
  let outcome: string;
  try {
    if (action === 'preview') {
      const p = await previewImport(wh, path, { table: 'flat', fileName: c.fileName });
      outcome = `ok: ${p.headers.length} headers, ${p.rowCount} rows`;
    } else {
      const r = await importFile(wh, path, { table: 'flat', mapping: FLAT_MAPPING, fileName: c.fileName });
      outcome = r.ok ? `imported ${r.inserted}` : `ok:false ${r.errors[0]?.code}: ${r.errors[0]?.message.en}`;
    }
  } catch (err) {
    outcome = `threw ${(err as Error).constructor?.name}: ${String((err as Error).message ?? err)}`;
  }
  const ms = performance.now() - t0;
  clearInterval(tick);
  wh.close();
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write(JSON.stringify({ ms: Math.round(ms), stall: Math.round(stall), outcome: outcome.replace(/\s+/g, ' ').slice(0, 160) }) + '\n');
  process.exit(0);
}

interface Row {
  case: string;
  action: string;
  /** The action itself, as the child timed it (null when it did not finish). */
  actionS: number | null;
  /** The whole process: start, opening the database, the action. */
  seconds: number;
  peakMb: number;
  stallS: number | null;
  outcome: string;
}

function measure(caseName: string, action: string, heapMb: number, timeoutS: number): Promise<Row> {
  return new Promise((resolve) => {
    const p = spawn('/usr/bin/time', ['-f', 'TIME %e %M', process.execPath, `--max-old-space-size=${heapMb}`, '--import', 'tsx', self, '--child', caseName, action], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LOG_LEVEL: 'error' },
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    const t0 = performance.now();
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutS * 1000);
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      const time = /TIME ([\d.]+) (\d+)/.exec(err);
      const seconds = time ? Number(time[1]) : (performance.now() - t0) / 1000;
      const peakMb = time ? Math.round(Number(time[2]) / 1024) : NaN;
      let stallS: number | null = null;
      let actionS: number | null = null;
      let outcome: string;
      try {
        const j = JSON.parse(out.trim().split('\n').pop()!) as { ms: number; stall: number; outcome: string };
        stallS = j.stall / 1000;
        actionS = j.ms / 1000;
        outcome = j.outcome;
      } catch {
        const oom = /heap out of memory|Out of Memory/i.test(err);
        outcome = signal === 'SIGKILL' || (!time && !code) ? `killed after ${timeoutS} s` : oom ? 'crashed: JavaScript heap out of memory' : `exit ${code ?? signal}: ${err.split('\n').filter((l) => l && !l.startsWith('TIME')).pop()?.slice(0, 120)}`;
      }
      resolve({ case: caseName, action, actionS, seconds, peakMb, stallS, outcome });
    });
  });
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') return child(args[1]!, args[2] as 'preview' | 'run');
  const opt = (name: string, d: number) => {
    const i = args.indexOf(name);
    if (i < 0) return d;
    const v = Number(args[i + 1]);
    args.splice(i, 2);
    return v;
  };
  const heap = opt('--heap', 1024);
  const timeout = opt('--timeout', 240);
  const all = [...hostileFiles(), ...(await parquetCases())];
  const cases = args.length ? all.filter((c) => args.includes(c.name)) : all;
  console.log(`heap cap ${heap} MB, timeout ${timeout} s per action`);
  console.log(['case', 'action', 'action s', 'process s', 'peak RSS MB', 'longest stall s', 'outcome'].join('\t'));
  for (const c of cases)
    for (const action of ['preview', 'run']) {
      const r = await measure(c.name, action, heap, timeout);
      console.log([r.case, r.action, r.actionS?.toFixed(2) ?? '–', r.seconds.toFixed(1), r.peakMb, r.stallS?.toFixed(1) ?? '–', r.outcome].join('\t'));
    }
}

await main();
