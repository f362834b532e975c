/**
 * Import throughput: generates a kpi_results file with DuckDB COPY, then times importFile end to
 * end (staging, validation, commit). Usage: node --import tsx bench/import.ts [rows=10000000], or
 * `pnpm bench import` from the repository root (rows from BENCH_IMPORT_ROWS).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Warehouse } from '../src/db.ts';
import { importFile } from '../src/import/index.ts';

export async function run(rows = Number(process.env.BENCH_IMPORT_ROWS ?? 10_000_000)): Promise<void> {
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

if (import.meta.url === `file://${process.argv[1]}`) await run(process.argv[2] ? Number(process.argv[2]) : undefined);
