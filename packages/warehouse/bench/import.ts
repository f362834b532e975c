/**
 * Import benchmarks, both run by `pnpm bench import` from the repository root:
 * - throughput: generates a kpi_results file with DuckDB COPY, then times importFile end to end
 *   (staging, validation, commit). `node --import tsx bench/import.ts [rows=10000000]`
 *   (rows from BENCH_IMPORT_ROWS).
 * - one more month (issue 15): a month of assessments imported into a copy of the distribution
 *   benchmark's 200,000 employees × 36 months company; the import with its refresh of the derived
 *   tables, the background refresh after it, and the first distribution.grades, ranking.forced and
 *   policy.effect afterwards. `node --import tsx bench/import.ts month`.
 * - one more month with KPI lines: the same for a company whose simulator has a layout to keep
 *   current (the demo company at 200,000 employees): KPI lines, assessments, rater scores and
 *   metrics of a month, then the background refresh (the simulator's layout month by month) and
 *   the first simulation runs. `node --import tsx bench/import.ts kpi-month`.
 * BENCH_IMPORT_ONLY=throughput, =month or =kpi-month runs one of them.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Warehouse } from '../src/db.ts';
import { importFile } from '../src/import/index.ts';
import { ensureAnalytics, lastAnalyticsRefresh } from '../src/analytics.ts';
import { refreshDerivedInBackground } from '../src/derived-refresh.ts';

export async function run(rows = Number(process.env.BENCH_IMPORT_ROWS ?? 10_000_000)): Promise<void> {
  const only = process.env.BENCH_IMPORT_ONLY;
  if (!only || only === 'throughput') await throughput(rows);
  if (!only || only === 'month') await oneMoreMonth();
  if (!only || only === 'kpi-month') await oneMoreMonthWithKpis();
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/**
 * Importing one more month of assessments into the 200k × 36 company, on a copy of the
 * distribution benchmark's file (built on first use). BENCH_MONTH_RUNS months are imported with the
 * per-period refresh; then one more with analytics_state cleared first, which makes the import take
 * the full rebuild (the behaviour before issue 15). The floor is DuckDB inserting the same month's
 * rows from the same CSV (rolled back).
 */
export async function oneMoreMonth(): Promise<void> {
  const { BENCH_DB, ensureBenchDb } = await import('../../../bench/distribution-data.ts');
  const { appRouter, createCallerFactory } = await import('../../api/src/index.ts');
  await ensureBenchDb();
  const dir = mkdtempSync(join(tmpdir(), 'perflens-bench-month-'));
  const path = join(dir, 'month.duckdb');
  copyFileSync(BENCH_DB, path);
  if (existsSync(`${BENCH_DB}.wal`)) copyFileSync(`${BENCH_DB}.wal`, `${path}.wal`);
  const wh = await Warehouse.open({ path, threads: 2 });
  try {
    await wh.run(`INSERT OR REPLACE INTO policies (id, name, effective_from, scope_org_unit_ids, scope_roles)
                  VALUES ('BENCH-PILOT', '跟单部试点 / merchandiser pilot', DATE '2023-07-01', ['C3'], NULL)`);
    await ensureAnalytics(wh);
    await wh.checkpoint();
    const caller = createCallerFactory(appRouter)({ wh, lang: 'zh' } as never);
    const [n] = await wh.query<{ a: number; e: number }>('SELECT (SELECT count(*) FROM assessments)::INTEGER AS a, (SELECT count(*) FROM employees)::INTEGER AS e');
    const monthFile = (month: string) => {
      const file = join(dir, `${month}.csv`);
      return wh
        .run(`COPY (SELECT id AS "工号", '${month}' AS "考核月份", round(60 + (hash(id, '${month}') % 400) / 10, 1) AS "得分" FROM employees ORDER BY id)
              TO '${file}' (HEADER, DELIMITER ',')`)
        .then(() => file);
    };
    const mapping = { employee_id: '工号', period_id: '考核月份', score: '得分' };
    const runs = Number(process.env.BENCH_MONTH_RUNS ?? 3);
    console.log(`one more month: ${n!.e.toLocaleString('en')} assessments per month into ${n!.a.toLocaleString('en')} (copy of ${BENCH_DB})`);
    const once = async (month: string, label: string) => {
      const file = await monthFile(month);
      const t = performance.now();
      const r = await importFile(wh, file, { table: 'assessments', mapping, onDuplicate: 'reject', source: 'cli' });
      const total = performance.now() - t;
      if (!r.ok) throw new Error(JSON.stringify(r.errors.slice(0, 3)));
      const refresh = lastAnalyticsRefresh()!;
      const tb = performance.now();
      await refreshDerivedInBackground(wh);
      const background = performance.now() - tb;
      const first: Record<string, number> = {};
      for (const [name, call] of [
        ['distribution.grades', () => caller.distribution.grades({})],
        ['ranking.forced', () => caller.ranking.forced({ from: month })],
        ['policy.effect', () => caller.policy.effect({ policyId: 'BENCH-PILOT', outcome: 'score' })],
      ] as const) {
        const tq = performance.now();
        await (call as () => Promise<unknown>)();
        first[name] = performance.now() - tq;
      }
      console.log(
        `  ${month} ${label.padEnd(12)} import ${(total / 1000).toFixed(2)} s (refresh ${refresh.mode} ${(refresh.ms / 1000).toFixed(2)} s), background ${(background / 1000).toFixed(2)} s; first ` +
          Object.entries(first).map(([k, v]) => `${k} ${v.toFixed(0)} ms`).join(', '),
      );
      if (refresh.mode === 'incremental') console.log(`    refresh steps (ms): ${Object.entries(refresh.steps).map(([k, v]) => `${k} ${v}`).join(', ')}`);
      return { total, refresh: refresh.ms, background, first };
    };
    const inc = [];
    for (let i = 0; i < runs; i++) inc.push(await once(`2025-${String(i + 1).padStart(2, '0')}`, 'per-period'));
    console.log(`  median of ${runs}: import ${(median(inc.map((x) => x.total)) / 1000).toFixed(2)} s, refresh ${(median(inc.map((x) => x.refresh)) / 1000).toFixed(2)} s, background ${(median(inc.map((x) => x.background)) / 1000).toFixed(2)} s`);
    // Before issue 15: the import rebuilt every derived table (forced here by a stale state).
    // BENCH_MONTH_FULL=0 skips it (a minute or more at 200k).
    if (process.env.BENCH_MONTH_FULL !== '0') {
      await wh.run('DELETE FROM analytics_state');
      await once(`2025-${String(runs + 1).padStart(2, '0')}`, 'full rebuild');
    }
    // The floor: DuckDB alone, inserting the same kind of month from its CSV (rolled back).
    const file = await monthFile('2026-01');
    await wh.run(`INSERT INTO periods (id, kind, start_date, end_date) VALUES ('2026-01', 'month', DATE '2026-01-01', DATE '2026-01-31')`);
    const floors: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      await wh
        .transaction(async (conn) => {
          await conn.run(`INSERT INTO assessments (employee_id, period_id, org_unit_id, role, score)
            SELECT s."工号", s."考核月份", e.org_unit_id, e.role, CAST(s."得分" AS DOUBLE)
              FROM read_csv('${file}', header = true, all_varchar = true) s JOIN employees e ON e.id = s."工号"`);
          floors.push(performance.now() - t);
          throw new Error('rollback');
        })
        .catch(() => undefined);
    }
    console.log(`  floor: DuckDB INSERT … SELECT of one month from its CSV: ${(median(floors) / 1000).toFixed(2)} s (median of 3)`);
  } finally {
    wh.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * One more month into the demo company at 200,000 employees × 36 months with its 29.8M KPI lines
 * (a copy of the simulation benchmark's file, built on first use): the month's four files as an HR
 * system would send them, each imported; then the background refresh, whose simulator layout is
 * rewritten for that month only, and the first simulation runs. For comparison, the layout built
 * from scratch on the same data.
 */
export async function oneMoreMonthWithKpis(): Promise<void> {
  const { ensureBigSource } = await import('../../../bench/simulation.ts');
  const { appRouter, createCallerFactory } = await import('../../api/src/index.ts');
  const { builtinScheme } = await import('../../core/src/index.ts');
  const { ensureSimulationLayout, lastLayoutRefresh, refreshSimulationLayout } = await import('../src/queries/simulation-layout.ts');
  const source = await ensureBigSource();
  const dir = mkdtempSync(join(tmpdir(), 'perflens-bench-kpi-month-'));
  const path = join(dir, 'kpi-month.duckdb');
  copyFileSync(source, path);
  const wh = await Warehouse.open({ path, threads: 2 });
  const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  try {
    await ensureAnalytics(wh);
    let t = performance.now();
    await ensureSimulationLayout(wh, { recheck: true });
    const built = performance.now() - t;
    await wh.checkpoint();
    const [n] = await wh.query<{ k: number; f: number }>('SELECT (SELECT count(*) FROM kpi_lines)::INTEGER AS k, (SELECT count(*) FROM sim_facts)::INTEGER AS f');
    console.log(`one more month with KPI lines: ${n!.k.toLocaleString('en')} KPI lines, ${n!.f.toLocaleString('en')} simulator rows (copy of ${source}); layout ${lastLayoutRefresh()?.mode ?? 'current'} ${secs(built)}`);
    const caller = createCallerFactory(appRouter)({ wh, lang: 'zh' } as never);
    const scheme = builtinScheme('merchandiser-v1');
    const sim = async (from?: string, to?: string) => {
      const t = performance.now();
      await caller.simulation.run({ baseSchemeId: scheme.id, scheme: { ...scheme, gradeBands: scheme.gradeBands.map((b) => ({ ...b, min: b.min === null ? null : b.min + 2 })) }, from, to, pageSize: 20 });
      return performance.now() - t;
    };
    const runs = Number(process.env.BENCH_MONTH_RUNS ?? 3);
    const rows: Array<{ imports: number; refresh: number; layout: number }> = [];
    for (let i = 0; i < runs; i++) {
      const month = `2026-${String(i + 1).padStart(2, '0')}`;
      // The month's files, copied from December 2025 as another system would export them.
      const files: Array<[string, string, Record<string, string>]> = [
        ['kpi_results', `SELECT employee_id, '${month}' AS period_id, kpi_code, target, actual, score, weight FROM kpi_results WHERE period_id = '2025-12'`, {}],
        ['assessments', `SELECT employee_id, '${month}' AS period_id, score FROM assessments WHERE period_id = '2025-12'`, {}],
        ['rater_scores', `SELECT employee_id, '${month}' AS period_id, rater_id, relation, score FROM rater_scores WHERE period_id = '2025-12'`, {}],
        ['metrics', `SELECT employee_id, '${month}' AS period_id, metric, value FROM metrics WHERE period_id = '2025-12' AND employee_id IS NOT NULL`, {}],
      ];
      const took: string[] = [];
      let imports = 0;
      for (const [table, sql] of files) {
        const file = join(dir, `${table}-${month}.csv`);
        await wh.run(`COPY (${sql}) TO '${file}' (HEADER, DELIMITER ',')`);
        const [head] = await wh.query<{ cols: string[] }>(`SELECT list(column_name) AS cols FROM (DESCRIBE ${sql})`);
        const mapping = Object.fromEntries(head!.cols.map((c) => [c, c]));
        t = performance.now();
        const r = await importFile(wh, file, { table: table as never, mapping, onDuplicate: 'reject', source: 'cli' });
        const ms = performance.now() - t;
        if (!r.ok) throw new Error(`${table}: ${JSON.stringify(r.errors.slice(0, 3))}`);
        imports += ms;
        took.push(`${table} ${r.rowCount.toLocaleString('en')} rows ${secs(ms)}`);
      }
      t = performance.now();
      await refreshDerivedInBackground(wh);
      const background = performance.now() - t;
      const layout = lastLayoutRefresh()!;
      const month1 = await sim(month, month);
      const history = await sim();
      console.log(`  ${month}: imports ${took.join(', ')}`);
      console.log(
        `    background refresh ${secs(background)} (layout ${layout.mode}${layout.reason ? `: ${layout.reason}` : ''} ${secs(layout.ms)}: ${Object.entries(layout.steps).map(([k, v]) => `${k} ${v}`).join(', ')} ms); ` +
          `first simulation.run: that month ${month1.toFixed(0)} ms, full history ${history.toFixed(0)} ms`,
      );
      rows.push({ imports, refresh: background, layout: layout.ms });
    }
    console.log(`  median of ${runs}: imports ${secs(median(rows.map((r) => r.imports)))}, background refresh ${secs(median(rows.map((r) => r.refresh)))}, of which the layout ${secs(median(rows.map((r) => r.layout)))}`);
    // The same layout from scratch (what every import cost before the per-month refresh).
    t = performance.now();
    await refreshSimulationLayout(wh);
    console.log(`  the layout rebuilt from scratch on the same data: ${secs(performance.now() - t)} (${lastLayoutRefresh()!.reason})`);
  } finally {
    wh.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function throughput(rows: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'perflens-bench-'));
  const wh = await Warehouse.open({ path: join(dir, 'bench.duckdb'), threads: 2 });
  try {
    const employees = 20_000;
    await wh.run(`INSERT INTO org_units VALUES ('root', '公司', NULL, 'company', NULL, NULL)`);
    await wh.run(`INSERT INTO employees (id, name, org_unit_id, role) SELECT 'E' || lpad(i::VARCHAR, 6, '0'), 'n' || i, 'root', 'sales' FROM range(${employees}) t(i)`);
    await wh.run(`INSERT INTO periods SELECT strftime(d, '%Y-%m'), 'month', d, last_day(d), NULL, NULL FROM (SELECT unnest(generate_series(DATE '2015-01-01', DATE '2029-12-01', INTERVAL 1 MONTH))::DATE AS d)`);
    // As HR systems export them: month by month, each employee's KPIs together. Unique keys:
    // 20,000 employees × 180 months × 8 KPIs = 28.8M available.
    const lines = (from: number, to: number) => `SELECT 'E' || lpad(((i // 8) % ${employees})::VARCHAR, 6, '0') AS "工号",
        strftime(DATE '2015-01-01' + to_months((i // (8 * ${employees}))::INTEGER), '%Y-%m') AS "考核月份",
        'kpi' || (i % 8) AS "指标", round(random() * 100, 1) AS "得分", 12.5 AS "权重"
      FROM range(${from}, ${to}) t(i)`;
    const gen = lines(0, rows);
    // The next 20 months (3.2M lines), appended to a table that already holds the first file.
    const later = join(dir, 'later.csv');
    const laterRows = 20 * 8 * employees;
    await wh.run(`COPY (${lines(Math.ceil(rows / (8 * employees)) * 8 * employees, Math.ceil(rows / (8 * employees)) * 8 * employees + laterRows)}) TO '${later}' (HEADER, DELIMITER ',')`);
    const csv = join(dir, 'kpi.csv');
    const pq = join(dir, 'kpi.parquet');
    let t = performance.now();
    await wh.run(`COPY (${gen}) TO '${csv}' (HEADER, DELIMITER ',')`);
    await wh.run(`COPY (${gen}) TO '${pq}' (FORMAT parquet)`);
    console.log(`generated ${rows.toLocaleString()} rows in ${((performance.now() - t) / 1000).toFixed(1)} s: CSV ${(statSync(csv).size / 1e6).toFixed(0)} MB, Parquet ${(statSync(pq).size / 1e6).toFixed(0)} MB`);
    const mapping = { employee_id: '工号', period_id: '考核月份', kpi_code: '指标', score: '得分', weight: '权重' };
    const runs = Number(process.env.BENCH_IMPORT_RUNS ?? 3);
    for (const [label, file] of [['CSV', csv], ['Parquet', pq]] as const) {
      // Timings on this machine swing by a second or more: the median of a few imports into an empty table.
      const secs: number[] = [];
      let r: Awaited<ReturnType<typeof importFile>> | undefined;
      for (let i = 0; i < runs; i++) {
        if (i > 0) {
          await wh.run('DELETE FROM kpi_lines');
          await wh.run('CHECKPOINT');
        }
        t = performance.now();
        r = await importFile(wh, file, { table: 'kpi_results', mapping, onDuplicate: 'reject', source: 'cli' });
        secs.push((performance.now() - t) / 1000);
        if (!r.ok) throw new Error(JSON.stringify(r.errors.slice(0, 3)));
      }
      if (!r?.ok) throw new Error('no import ran');
      const s = secs.sort((a, b) => a - b)[secs.length >> 1]!;
      console.log(`${label.padEnd(8)} ${r.inserted.toLocaleString()} rows in ${s.toFixed(2)} s = ${(r.inserted / s / 1e6).toFixed(2)} M rows/s (median of ${runs}: ${secs.map((x) => x.toFixed(1)).join(' / ')} s; incl. validation and commit; ${r.route} route)`);
      // Every stored line must carry its own file row: the generator's key is a function of the row index.
      const [wrong] = await wh.query<{ n: number }>(`SELECT count(*)::DOUBLE AS n FROM kpi_results
        WHERE employee_id <> 'E' || lpad((((source_row - 2) // 8) % ${employees})::VARCHAR, 6, '0')
           OR kpi_code <> 'kpi' || ((source_row - 2) % 8)`);
      if (wrong!.n !== 0) throw new Error(`${wrong!.n} lines carry the wrong source row`);
      // The same file again into a database that already holds it, with 'replace': every stored key is found and replaced.
      t = performance.now();
      const again = await importFile(wh, file, { table: 'kpi_results', mapping, onDuplicate: 'replace', source: 'cli' });
      const s2 = (performance.now() - t) / 1000;
      if (!again.ok || again.replaced !== rows) throw new Error(JSON.stringify(again).slice(0, 500));
      console.log(`${''.padEnd(8)} re-import with replace: ${s2.toFixed(2)} s = ${(rows / s2 / 1e6).toFixed(2)} M rows/s (${again.replaced.toLocaleString()} replaced; ${again.route} route)`);
      if (label === 'CSV') {
        // The usual case: new months arriving while the history is stored (every key checked against it).
        t = performance.now();
        const more = await importFile(wh, later, { table: 'kpi_results', mapping, onDuplicate: 'reject', source: 'cli' });
        const s3 = (performance.now() - t) / 1000;
        if (!more.ok || more.inserted !== laterRows) throw new Error(JSON.stringify(more).slice(0, 500));
        console.log(`${''.padEnd(8)} append ${laterRows.toLocaleString()} new lines to the ${rows.toLocaleString()} stored: ${s3.toFixed(2)} s = ${(laterRows / s3 / 1e6).toFixed(2)} M rows/s (${more.route} route)`);
      }
      await wh.run('DELETE FROM kpi_lines');
      // The floor: the same rows copied straight into storage by DuckDB (key look-ups, no validation, no row numbers).
      const scan = label === 'CSV' ? `read_csv('${file}', header=true, all_varchar=true)` : `read_parquet('${file}')`;
      t = performance.now();
      await wh.run(`INSERT INTO kpi_lines (employee_key, period_key, kpi_key, score, weight)
        SELECT e.key, p.key, k.key, CAST("得分" AS DOUBLE), CAST("权重" AS DOUBLE) FROM ${scan} s
          JOIN employee_keys e ON e.id = s."工号" JOIN period_keys p ON p.id = s."考核月份" JOIN kpi_codes k ON k.code = s."指标"`);
      const raw = (performance.now() - t) / 1000;
      console.log(`${''.padEnd(8)} raw DuckDB INSERT … SELECT of the same file: ${raw.toFixed(2)} s = ${(rows / raw / 1e6).toFixed(2)} M rows/s`);
      await wh.run('DELETE FROM kpi_lines');
      await wh.run('CHECKPOINT');
    }
  } finally {
    wh.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv[2] === 'month') await oneMoreMonth();
  else if (process.argv[2] === 'kpi-month') await oneMoreMonthWithKpis();
  else await run(process.argv[2] ? Number(process.argv[2]) : undefined);
}
