import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * Writing KPI lines: they are stored as `kpi_lines` with integer keys into `employee_keys`,
 * `period_keys` and `kpi_codes` (migration 21); `kpi_results` is the view readers use. Keys are
 * handed out in id order after the largest key in use, inside the caller's transaction, so a
 * rolled-back import hands out nothing.
 */

function keySql(dict: string, idCol: string, source: string): string {
  return `INSERT INTO ${dict}
    SELECT CAST((SELECT coalesce(max(key), 0) FROM ${dict}) + row_number() OVER (ORDER BY v) AS INTEGER), v
      FROM (SELECT DISTINCT v FROM (${source}) s(v) WHERE v IS NOT NULL EXCEPT SELECT ${idCol} FROM ${dict})`;
}

/** Gives a key to every employee and period id of the canonical tables that has none yet. */
export async function syncKeysOn(conn: DuckDBConnection): Promise<void> {
  await conn.run(keySql('employee_keys', 'id', 'SELECT id FROM employees'));
  await conn.run(keySql('period_keys', 'id', 'SELECT id FROM periods'));
}

/** Gives a key to every KPI code `codesSql` (one column) lists that has none yet. */
export async function registerKpiCodesOn(conn: DuckDBConnection, codesSql: string): Promise<void> {
  await conn.run(keySql('kpi_codes', 'code', codesSql));
}

/**
 * Inserts KPI lines given with their string keys. `selectSql` yields employee_id, period_id,
 * kpi_code, target, actual, score, weight, batch_id, source_row (in that order); ids it names that
 * have no key yet get one, whether or not the canonical tables know them (callers validate).
 */
export async function insertKpiLinesOn(conn: DuckDBConnection, selectSql: string, params?: Record<string, unknown>): Promise<void> {
  const src = `_kpi_lines_src_${process.pid}_${++seq}`;
  // Named by position, whatever the caller called its columns.
  await conn.run(
    `CREATE TEMP TABLE ${src} AS SELECT * FROM (${selectSql}) s(employee_id, period_id, kpi_code, target, actual, score, weight, batch_id, source_row)`,
    params as never,
  );
  try {
    await conn.run(keySql('employee_keys', 'id', `SELECT employee_id FROM ${src}`));
    await conn.run(keySql('period_keys', 'id', `SELECT period_id FROM ${src}`));
    await registerKpiCodesOn(conn, `SELECT kpi_code FROM ${src}`);
    await conn.run(`INSERT INTO kpi_lines
      SELECT e.key, p.key, k.key, s.target, s.actual, s.score, s.weight, s.batch_id, s.source_row
        FROM ${src} s
        JOIN employee_keys e ON e.id = s.employee_id
        JOIN period_keys p ON p.id = s.period_id
        JOIN kpi_codes k ON k.code = s.kpi_code`);
  } finally {
    await conn.run(`DROP TABLE IF EXISTS ${src}`);
  }
}

let seq = 0;
