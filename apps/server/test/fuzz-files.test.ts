import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Warehouse } from '@perflens/warehouse';
import { createAppServer } from '../src/http.ts';
import { loadFixture } from '../../../packages/warehouse/test/queries.fixture.ts';
import { brokenParquet, FLAT_MAPPING, FORMULAS, hostileFiles, mutatedFiles, type HostileFile } from './fuzz/hostile-files.ts';
import { signInFetches } from './signed-in.ts';

/**
 * Hostile uploads against the real HTTP server (README, Importing data → Limits). Each file is
 * uploaded, previewed (in both languages) and imported as a flat sheet while /healthz is polled;
 * each must end in a 400 or an { ok: false } result whose message names the file in Chinese and
 * English, without a server path, SQL or a library's words, within the documented time. The
 * database is unchanged afterwards, the server's memory grew by less than the documented bound,
 * and /healthz answered within a second throughout. The files are generated (seeded) in
 * fuzz/hostile-files.ts; fuzz/measure.ts measures the same files one by one.
 */

/** Longest a preview or an import of any of these files may take (README). */
const MAX_ACTION_MS = 15_000;
/** Longest /healthz may take while they are read. */
const MAX_HEALTH_MS = 1000;
/** Growth of this process's resident memory over the whole run (README). */
const MAX_RSS_GROWTH_MB = 400;
/** The header every upload carries (the dashboard and the CLI send it). */
const UPLOAD = { 'x-perflens-upload': '1' };

let dir: string;
let wh: Warehouse;
let server: Server;
let base: string;
const files: Array<HostileFile & { data: Buffer }> = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perflens-fuzz-'));
  wh = await Warehouse.open({ path: join(dir, 'fuzz.duckdb') });
  await loadFixture(wh);
  const { routes } = await import('../src/routes/index.ts');
  server = createAppServer(wh, routes, join(dir, 'no-web'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  await signInFetches(wh, base);
  // Made before the memory baseline, so the test's own buffers do not count as the server's.
  const pq = join(dir, 'valid.parquet');
  await wh.run(`COPY (SELECT 'E' || i AS "工号", '销售一部' AS "部门", '销售' AS "岗位", '2024-03' AS "考核期间", 250 AS "绩效得分" FROM range(1000) t(i)) TO '${pq}' (FORMAT parquet)`);
  const [cut, garbled] = brokenParquet(readFileSync(pq));
  const all: HostileFile[] = [
    ...hostileFiles(),
    { name: 'parquet-cut', fileName: '截断.parquet', what: 'a Parquet file missing its last 20 bytes', bytes: () => cut! },
    { name: 'parquet-garbled-footer', fileName: '损坏.parquet', what: 'a Parquet file with a garbled footer', bytes: () => garbled! },
    ...mutatedFiles(12, 20_260_101),
  ];
  for (const f of all) files.push({ ...f, data: await f.bytes() });
}, 120_000);

afterAll(async () => {
  await new Promise((r) => server.close(r));
  await wh.closeWhenIdle();
  rmSync(dir, { recursive: true, force: true });
});

/** Count and content hash of every table an import writes: an import that failed changed none. */
async function checksums(): Promise<Record<string, string>> {
  const tables = await wh.query<{ t: string }>(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'main' AND table_type = 'BASE TABLE' ORDER BY 1`);
  const out: Record<string, string> = {};
  for (const { t } of tables) {
    // Access bookkeeping (a token's last use), not data: the test's own token is used meanwhile.
    if (t === 'api_tokens' || t === 'sessions') continue;
    const [r] = await wh.query<{ c: string }>(`SELECT count(*) || ':' || COALESCE(sum(hash(CAST(x AS VARCHAR)))::VARCHAR, '') AS c FROM "${t}" x`);
    out[t] = r!.c;
  }
  return out;
}

/** What a user must never see: a path on the server, SQL, a reader's own words. */
const LEAK = /\/tmp\/|\/uploads\/|perflens-|\bLINE \d+:|\bSELECT\b|read_csv|read_parquet|DESCRIBE|jszip|github\.com|Cannot read properties|TypeError|Error: /;

/** Polls /healthz until stopped; each answer's latency and the process's memory. */
function watch() {
  const latencies: number[] = [];
  const failures: string[] = [];
  let maxRss = process.memoryUsage().rss;
  let running = true;
  const loop = (async () => {
    while (running) {
      const t = performance.now();
      try {
        const res = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(5000) });
        await res.json();
        if (res.status !== 200) failures.push(`status ${res.status}`);
      } catch (err) {
        failures.push(String(err));
      }
      latencies.push(performance.now() - t);
      maxRss = Math.max(maxRss, process.memoryUsage().rss);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { latencies, failures, maxRss };
    },
  };
}

const hasChinese = (s: string) => /[\u4e00-\u9fff]/.test(s);

interface Outcome {
  name: string;
  preview: number;
  run: 'ok:false' | number;
  ms: number;
  /** The English answers, shown with PERFLENS_FUZZ_REPORT=1. */
  said: string;
}

describe('hostile files over HTTP', () => {
  it('every hostile file ends in a 400 or ok:false naming the file, in both languages, without leaks; the server stays up and the data unchanged', async () => {
    const before = await checksums();
    const baseline = process.memoryUsage().rss;
    const health = watch();
    const outcomes: Outcome[] = [];
    const problems: string[] = [];
    for (const f of files) {
      const t0 = performance.now();
      const up = await fetch(`${base}/api/upload?name=${encodeURIComponent(f.fileName)}`, { method: 'POST', body: f.data, headers: UPLOAD });
      expect(up.status, `${f.name} upload`).toBe(200);
      const { uploadId } = (await up.json()) as { uploadId: string };

      let previewStatus = 0;
      let said = '';
      for (const lang of ['zh', 'en'] as const) {
        const t = performance.now();
        const res = await fetch(`${base}/trpc/import.preview?input=${encodeURIComponent(JSON.stringify({ uploadId, table: 'flat' }))}`, { headers: { 'x-perflens-lang': lang } });
        const body = (await res.json()) as { error?: { message: string }; result?: unknown };
        const ms = performance.now() - t;
        previewStatus = res.status;
        if (ms > MAX_ACTION_MS) problems.push(`${f.name}: preview took ${ms.toFixed(0)} ms`);
        if (res.status === 200) continue;
        const message = body.error?.message ?? '';
        if (lang === 'en') said = message;
        if (res.status !== 400) problems.push(`${f.name}: preview answered ${res.status}: ${message.slice(0, 200)}`);
        if (!message.startsWith(f.fileName + (lang === 'zh' ? '：' : ': '))) problems.push(`${f.name}: preview (${lang}) does not name the file: ${message.slice(0, 200)}`);
        if (lang === 'en' && hasChinese(message.slice(f.fileName.length))) problems.push(`${f.name}: English message in Chinese: ${message.slice(0, 200)}`);
        if (lang === 'zh' && !hasChinese(message.slice(f.fileName.length))) problems.push(`${f.name}: Chinese message in English: ${message.slice(0, 200)}`);
        if (LEAK.test(message)) problems.push(`${f.name}: preview leaks: ${message.slice(0, 300)}`);
      }

      const t = performance.now();
      const res = await fetch(`${base}/trpc/import.run`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ uploadId, table: 'flat', mapping: FLAT_MAPPING, constants: {}, onDuplicate: 'reject' }),
      });
      const body = (await res.json()) as { result?: { data: { ok: boolean; errors: Array<{ code: string; message: { zh: string; en: string }; value: string | null }>; reportId: string } }; error?: { message: string } };
      const ms = performance.now() - t;
      if (ms > MAX_ACTION_MS) problems.push(`${f.name}: import took ${ms.toFixed(0)} ms`);
      const data = body.result?.data;
      if (res.status !== 200 && res.status !== 400) problems.push(`${f.name}: import answered ${res.status}: ${body.error?.message.slice(0, 200)}`);
      if (data?.ok !== false && res.status === 200) problems.push(`${f.name}: imported: ${JSON.stringify(data).slice(0, 200)}`);
      for (const e of data?.errors ?? []) {
        if (!hasChinese(e.message.zh) || hasChinese(e.message.en.replace(/"[^"]*"|“[^”]*”/g, ''))) {
          // The English message quotes the file's own headers and values, which may be Chinese.
          if (!hasChinese(e.message.zh)) problems.push(`${f.name}: import error without Chinese: ${e.message.zh.slice(0, 200)}`);
        }
        if (LEAK.test(e.message.zh) || LEAK.test(e.message.en)) problems.push(`${f.name}: import leaks: ${e.message.en.slice(0, 300)}`);
        if (e.code === 'format' && !e.message.en.includes(f.fileName) && !/^Row \d|line|quote/i.test(e.message.en)) problems.push(`${f.name}: format error does not name the file: ${e.message.en.slice(0, 200)}`);
      }
      // The error report: nothing in it starts a formula when Excel opens it.
      if (data?.reportId) {
        const report = await (await fetch(`${base}/api/import-report/${data.reportId}.csv`)).text();
        for (const line of report.replace(/^\uFEFF/, '').split('\r\n'))
          for (const cell of line.match(/("([^"]|"")*"|[^,]*)(,|$)/g) ?? []) {
            const text = cell.replace(/,$/, '').replace(/^"|"$/g, '').replace(/""/g, '"');
            if (/^[=+\-@\t\r]/.test(text) && !/^[+-]?\d+(\.\d+)?$/.test(text)) problems.push(`${f.name}: report cell starts a formula: ${text.slice(0, 80)}`);
          }
        if (f.name.startsWith('formulas')) for (const formula of FORMULAS.slice(0, 3)) expect(report, f.name).toContain(`'${formula}`.replace(/"/g, '""'));
      }
      said ||= data?.errors?.[0]?.message.en ?? '';
      outcomes.push({ name: f.name, preview: previewStatus, run: data?.ok === false ? 'ok:false' : res.status, ms: Math.round(performance.now() - t0), said: said.slice(0, 240) });
    }
    const { latencies, failures, maxRss } = await health.stop();

    expect(problems).toEqual([]);
    expect(failures).toEqual([]);
    expect(Math.max(...latencies), `slowest /healthz of ${latencies.length}`).toBeLessThan(MAX_HEALTH_MS);
    expect((maxRss - baseline) / (1 << 20), 'RSS growth (MB)').toBeLessThan(MAX_RSS_GROWTH_MB);
    expect(await checksums()).toEqual(before);
    // Every file got an answer: the refused ones by preview, all of them by the import.
    expect(outcomes.map((o) => o.name)).toEqual(files.map((f) => f.name));
    expect(outcomes.every((o) => o.run === 'ok:false' || o.run === 400)).toBe(true);
    if (process.env.PERFLENS_FUZZ_REPORT) console.log(outcomes.map((o) => `${o.name}\t${o.preview}\t${o.run}\t${o.ms} ms\t${o.said}`).join('\n'), { healthzMaxMs: Math.max(...latencies), rssGrowthMb: (maxRss - baseline) / (1 << 20) });
  }, 600_000);
});
