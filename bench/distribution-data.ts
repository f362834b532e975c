/**
 * Synthetic benchmark company for the distribution queries: 200,000 employees × 36 months
 * (~7.2M assessments, ~21.6M rater scores), built entirely in SQL so it takes a minute, not an
 * hour of TS loops. Cached in a DuckDB file under /tmp; rebuilt only when missing or when
 * BENCH_REBUILD=1.
 */
import { existsSync, rmSync } from 'node:fs';
import { Warehouse } from '../packages/warehouse/src/index.ts';

export const BENCH_DB = process.env.BENCH_DB ?? '/tmp/perflens-bench-distribution.duckdb';
// BENCH_EMPLOYEES scales the company (the README's scaling note measures 1×, 5× and 10×).
export const BENCH_EMPLOYEES = Number(process.env.BENCH_EMPLOYEES ?? 200_000);
/** Employee ids are E + this many digits (E000001 at the default size; wider past 999,999 so ids stay unique). */
const ID_WIDTH = Math.max(6, String(BENCH_EMPLOYEES).length);
export const BENCH_MONTHS = 36;

// Departments and the role they staff; 1 company + 3 divisions + 8 departments = 12 units.
const DEPARTMENTS: Array<[id: string, name: string, parent: string, role: string]> = [
  ['S1', '国内销售部', 'D1', 'sales'],
  ['S2', '外贸部', 'D1', 'foreign_trade'],
  ['S3', '大客户部', 'D1', 'key_account'],
  ['C1', '电商客服部', 'D2', 'cs_ecommerce'],
  ['C2', '呼叫中心', 'D2', 'cs_callcenter'],
  ['C3', '跟单部', 'D2', 'merchandiser'],
  ['F1', '财务部', 'D3', 'functional'],
  ['F2', '人力资源部', 'D3', 'functional'],
];

/** Uniform [0,1) from DuckDB's hash of the arguments: deterministic and fast. */
const u = (...args: string[]) => `((hash(${args.join(', ')}) % 1000003)::DOUBLE / 1000003.0)`;

export async function buildBenchDb(path = BENCH_DB): Promise<void> {
  if (existsSync(path)) rmSync(path);
  rmSync(`${path}.wal`, { force: true });
  const wh = await Warehouse.open({ path, threads: 2, memoryLimit: '3GB' });
  try {
    const t0 = performance.now();
    await wh.run(`INSERT INTO org_units (id, name, parent_id, kind) VALUES
      ('HQ', '总公司', NULL, 'company'), ('D1', '销售事业部', 'HQ', 'division'),
      ('D2', '服务事业部', 'HQ', 'division'), ('D3', '职能中心', 'HQ', 'division'),
      ${DEPARTMENTS.map(([id, name, parent]) => `('${id}', '${name}', '${parent}', 'department')`).join(', ')}`);
    await wh.run(`CREATE TEMP TABLE dept AS SELECT * FROM (VALUES ${DEPARTMENTS.map(
      ([id, , , role], i) => `(${i}, '${id}', '${role}')`,
    ).join(', ')}) t(k, id, role)`);
    // Periods: 36 months from 2022-01, their 12 quarters and 3 years.
    await wh.run(`INSERT INTO periods (id, kind, start_date, end_date)
      SELECT strftime(d, '%Y-%m'), 'month', d, last_day(d)
        FROM (SELECT (DATE '2022-01-01' + to_months(m::INTEGER))::DATE AS d FROM range(${BENCH_MONTHS}) r(m))
      UNION ALL
      SELECT strftime(d, '%Y') || '-Q' || quarter(d), 'quarter', d, (d + INTERVAL 3 MONTH - INTERVAL 1 DAY)::DATE
        FROM (SELECT (DATE '2022-01-01' + to_months(3 * q::INTEGER))::DATE AS d FROM range(12) r(q))
      UNION ALL
      SELECT strftime(d, '%Y'), 'year', d, (d + INTERVAL 1 YEAR - INTERVAL 1 DAY)::DATE
        FROM (SELECT (DATE '2022-01-01' + to_years(y::INTEGER))::DATE AS d FROM range(3) r(y))`);
    // Department sizes are uneven (hash mod 11 over 8 departments gives the first three a double share).
    await wh.run(`INSERT INTO employees (id, name, org_unit_id, role, monthly_salary)
      SELECT 'E' || lpad(i::VARCHAR, ${ID_WIDTH}, '0'), '员工' || i, d.id, d.role, (6000 + (hash(i) % 60) * 100)::DECIMAL(12,2)
        FROM range(1, ${BENCH_EMPLOYEES + 1}) r(i) JOIN dept d ON d.k = (hash((i - 1) // 20, 'dept') % 11) % 8`); // a supervisor's team of 20 sits in one department
    // Each employee has a stable ability (sum of three uniforms ≈ normal) plus monthly noise and a
    // department offset: about 2% A / 28% B / 54% C / 16% D / 0.2% E (measured); 0.5% are ungraded.
    // Rows are written month by month, as monthly imports would arrive.
    await wh.run(`CREATE TEMP TABLE base AS
      SELECT e.id AS employee_id, e.org_unit_id, e.role, e.monthly_salary, i, m,
             strftime((DATE '2022-01-01' + to_months(m::INTEGER))::DATE, '%Y-%m') AS period_id,
             round(least(100, greatest(20,
               77 + 10 * (${u('i', "'a'")} + ${u('i', "'b'")} + ${u('i', "'c'")} - 1.5)
                  + 9 * (${u('i', 'm', "'x'")} + ${u('i', 'm', "'y'")} - 1.0)
                  + (hash(e.org_unit_id) % 5)::DOUBLE - 2)), 1) AS raw_score,
             hash(i, m, 'ungraded') % 200 = 0 AS ungraded
        FROM employees e, range(${BENCH_MONTHS}) r(m), LATERAL (SELECT substr(e.id, 2)::INTEGER AS i)`);
    await wh.run(`INSERT INTO assessments (employee_id, period_id, org_unit_id, role, scheme_id, score, grade, coefficient, bonus)
      SELECT employee_id, period_id, org_unit_id, role, role || '-v1',
             CASE WHEN ungraded THEN NULL ELSE raw_score END,
             CASE WHEN ungraded THEN NULL ELSE g.grade END,
             CASE WHEN ungraded THEN NULL ELSE g.coef END,
             CASE WHEN ungraded THEN NULL ELSE (monthly_salary * 0.5 * g.coef::DECIMAL(4,2))::DECIMAL(14,2) END
        FROM base, LATERAL (SELECT
          CASE WHEN floor(raw_score + 0.5) >= 91 THEN 'A' WHEN floor(raw_score + 0.5) >= 81 THEN 'B'
               WHEN floor(raw_score + 0.5) >= 71 THEN 'C' WHEN floor(raw_score + 0.5) >= 60 THEN 'D' ELSE 'E' END AS grade,
          CASE WHEN floor(raw_score + 0.5) >= 91 THEN 1.3 WHEN floor(raw_score + 0.5) >= 81 THEN 1.1
               WHEN floor(raw_score + 0.5) >= 71 THEN 1.0 WHEN floor(raw_score + 0.5) >= 60 THEN 0.8 ELSE 0.4 END AS coef) g
       ORDER BY m, employee_id`);
    // Three rater scores per assessment: self (lenient), direct supervisor (one per 20 staff, each
    // with a personal leniency of -5..+5) and indirect supervisor (one per 400 staff).
    await wh.run(`INSERT INTO rater_scores (employee_id, period_id, rater_id, relation, score)
      SELECT employee_id, period_id, rater_id, relation,
             round(least(100, greatest(0, raw_score + bias + 6 * (${u('i', 'm', 'relation')} - 0.5))), 1)
        FROM (
          SELECT b.*, x.relation, x.rater_id, x.bias FROM base b, LATERAL (
            SELECT 'self' AS relation, b.employee_id AS rater_id, 4.0 AS bias
            UNION ALL SELECT 'supervisor', 'E' || lpad(((b.i - 1) // 20 * 20 + 1)::VARCHAR, ${ID_WIDTH}, '0'),
                                           (hash((b.i - 1) // 20, 'lenient') % 11)::DOUBLE - 5
            UNION ALL SELECT 'indirect_supervisor', 'E' || lpad(((b.i - 1) // 400 * 400 + 1)::VARCHAR, ${ID_WIDTH}, '0'),
                                           (hash((b.i - 1) // 400, 'lenient') % 5)::DOUBLE - 2) x
        )
       ORDER BY m, employee_id`);
    await wh.checkpoint();
    const [n] = await wh.query<{ a: number; r: number }>(
      'SELECT (SELECT count(*) FROM assessments)::INTEGER AS a, (SELECT count(*) FROM rater_scores)::INTEGER AS r',
    );
    console.log(`built ${path}: ${n!.a} assessments, ${n!.r} rater scores in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  } finally {
    wh.close();
  }
}

export async function ensureBenchDb(path = BENCH_DB): Promise<void> {
  if (process.env.BENCH_REBUILD === '1' || !existsSync(path)) await buildBenchDb(path);
}

if (import.meta.url === `file://${process.argv[1]}`) await ensureBenchDb();
