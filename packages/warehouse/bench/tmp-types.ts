import { rmSync } from 'node:fs';
import { Warehouse } from '../src/db.ts';
import { importFile } from '../src/import/index.ts';
const db = '/tmp/imp/types.duckdb'; rmSync(db, { force: true }); rmSync(db + '.wal', { force: true });
const wh = await Warehouse.open({ path: db, threads: 2 });
await wh.run(`INSERT INTO org_units VALUES ('root', '公司', NULL, 'company', NULL, NULL)`);
await wh.run(`INSERT INTO employees (id, name, org_unit_id, role) VALUES ('1001', 'a', 'root', 'sales'), ('1002', 'b', 'root', 'sales')`);
await wh.run(`INSERT INTO periods VALUES ('2024-03', 'month', DATE '2024-03-01', DATE '2024-03-31', NULL, NULL)`);
const map = { employee_id: 'emp', period_id: 'period', kpi_code: 'kpi', score: 'score' };
for (const [label, sel] of [
  ['int emp, DATE period', `SELECT 1001 AS emp, DATE '2024-03-01' AS period, 'x' AS kpi, 90.5 AS score UNION ALL SELECT 1002, DATE '2024-03-01', 'x', 80`],
  ['TIMESTAMP period', `SELECT '1001' AS emp, TIMESTAMP '2024-03-01 00:00:00' AS period, 'x' AS kpi, 90.5 AS score`],
  ['BOOLEAN score', `SELECT '1001' AS emp, '2024-03' AS period, 'x' AS kpi, true AS score`],
  ['DATE score', `SELECT '1001' AS emp, '2024-03' AS period, 'x' AS kpi, DATE '2024-01-01' AS score`],
  ['NaN score', `SELECT '1001' AS emp, '2024-03' AS period, 'x' AS kpi, 'nan'::DOUBLE AS score`],
  ['INT period 202403', `SELECT '1001' AS emp, 202403 AS period, 'x' AS kpi, 70 AS score`],
]) {
  await wh.run('DELETE FROM kpi_lines');
  await wh.run(`COPY (${sel}) TO '/tmp/imp/types.parquet' (FORMAT parquet)`);
  const r = await importFile(wh, '/tmp/imp/types.parquet', { table: 'kpi_results', mapping: map });
  const rows = await wh.query(`SELECT employee_id, period_id, score FROM kpi_results ORDER BY employee_id`);
  console.log(label, '→', r.ok ? `ok ${(r as any).route} ${JSON.stringify(rows)}` : JSON.stringify((r as any).errors.map((e: any) => [e.row, e.column, e.code, e.value, e.message.en])));
}
wh.close();
