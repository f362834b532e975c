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
    // employee × period × kpi is unique: 20,000 employees × 180 months × 8 KPIs = 28.8M keys available.
    const gen = `SELECT 'E' || lpad((i % ${employees})::VARCHAR, 6, '0') AS "工号",
        strftime(DATE '2015-01-01' + to_months(((i // ${employees}) % 180)::INTEGER), '%Y-%m') AS "考核月份",
        'kpi' || (i // (${employees} * 180)) AS "指标", round(random() * 100, 1) AS "得分", 12.5 AS "权重"
      FROM range(${rows}) t(i)`;
    const csv = join(dir, 'kpi.csv');
    const pq = join(dir, 'kpi.parquet');
    let t = performance.now();
    await wh.run(`COPY (${gen}) TO '${csv}' (HEADER, DELIMITER ',')`);
    await wh.run(`COPY (${gen}) TO '${pq}' (FORMAT parquet)`);
    console.log(`generated ${rows.toLocaleString()} rows in ${((performance.now() - t) / 1000).toFixed(1)} s: CSV ${(statSync(csv).size / 1e6).toFixed(0)} MB, Parquet ${(statSync(pq).size / 1e6).toFixed(0)} MB`);
    const mapping = { employee_id: '工号', period_id: '考核月份', kpi_code: '指标', score: '得分', weight: '权重' };
    for (const [label, file] of [['CSV', csv], ['Parquet', pq]] as const) {
      t = performance.now();
      const r = await importFile(wh, file, { table: 'kpi_results', mapping, onDuplicate: 'reject', source: 'cli' });
      const s = (performance.now() - t) / 1000;
      if (!r.ok) throw new Error(JSON.stringify(r.errors.slice(0, 3)));
      console.log(`${label.padEnd(8)} ${r.inserted.toLocaleString()} rows in ${s.toFixed(2)} s = ${(r.inserted / s / 1e6).toFixed(2)} M rows/s (incl. validation and commit)`);
      await wh.run('DELETE FROM kpi_results');
      // The floor: the same rows copied straight into kpi_results by DuckDB, no validation at all.
      const scan = label === 'CSV' ? `read_csv('${file}', header=true)` : `read_parquet('${file}')`;
      t = performance.now();
      await wh.run(`INSERT INTO kpi_results (employee_id, period_id, kpi_code, score, weight) SELECT "工号", "考核月份", "指标", "得分", "权重" FROM ${scan}`);
      const raw = (performance.now() - t) / 1000;
      console.log(`${''.padEnd(8)} raw DuckDB INSERT … SELECT of the same file: ${raw.toFixed(2)} s = ${(rows / raw / 1e6).toFixed(2)} M rows/s`);
      await wh.run('DELETE FROM kpi_results');
    }
  } finally {
    wh.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run(process.argv[2] ? Number(process.argv[2]) : undefined);
