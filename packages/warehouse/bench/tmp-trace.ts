import { existsSync, rmSync } from 'node:fs';
import { Warehouse } from '../src/db.ts';
import { importFile } from '../src/import/index.ts';
const rows = 10_000_000, employees = 20_000;
const db = '/tmp/imp/t.duckdb'; rmSync(db, { force: true }); rmSync(db + '.wal', { force: true });
const wh = await Warehouse.open({ path: db, threads: 2, memoryLimit: process.env.ML });
await wh.run(`INSERT INTO org_units VALUES ('root', '公司', NULL, 'company', NULL, NULL)`);
await wh.run(`INSERT INTO employees (id, name, org_unit_id, role) SELECT 'E' || lpad(i::VARCHAR, 6, '0'), 'n' || i, 'root', 'sales' FROM range(${employees}) t(i)`);
await wh.run(`INSERT INTO periods SELECT strftime(d, '%Y-%m'), 'month', d, last_day(d), NULL, NULL FROM (SELECT unnest(generate_series(DATE '2015-01-01', DATE '2029-12-01', INTERVAL 1 MONTH))::DATE AS d)`);
const gen = `SELECT 'E' || lpad(((i // 8) % ${employees})::VARCHAR, 6, '0') AS "工号", strftime(DATE '2015-01-01' + to_months((i // (8 * ${employees}))::INTEGER), '%Y-%m') AS "考核月份", 'kpi' || (i % 8) AS "指标", round(random() * 100, 1) AS "得分", 12.5 AS "权重" FROM range(0, ${rows}) t(i)`;
if (!existsSync('/tmp/imp/kpi.csv')) await wh.run(`COPY (${gen}) TO '/tmp/imp/kpi.csv' (HEADER, DELIMITER ',')`);
if (!existsSync('/tmp/imp/kpi.parquet')) await wh.run(`COPY (${gen}) TO '/tmp/imp/kpi.parquet' (FORMAT parquet)`);
const mapping = { employee_id: '工号', period_id: '考核月份', kpi_code: '指标', score: '得分', weight: '权重' };
for (const f of (process.argv[2] ?? 'csv,parquet').split(',')) {
  for (let i = 0; i < 2; i++) {
    await wh.run('DELETE FROM kpi_lines'); await wh.run('CHECKPOINT');
    const t = performance.now();
    const r = await importFile(wh, `/tmp/imp/kpi.${f}`, { table: 'kpi_results', mapping, onDuplicate: 'reject', source: 'cli' });
    console.error(`== ${f} ${((performance.now() - t) / 1000).toFixed(2)} s ok=${r.ok}`);
  }
}
wh.close();
