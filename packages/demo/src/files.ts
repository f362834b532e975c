import { createReadStream, createWriteStream, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { GRADE_LABELS, GRADES, ROLE_LABELS, ROLES } from '@perflens/core';
import { Warehouse } from '@perflens/warehouse';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { type DemoOptions, loadDemo } from './load.ts';

export interface DemoFile {
  file: string;
  table: string | null;
  rows: number;
  format: 'csv' | 'xlsx' | 'parquet';
  encoding?: 'utf-8-bom' | 'utf-8' | 'gb18030';
}

/** Name of the GB18030 "flat sheet" (one row per employee-month, Chinese headers). */
export const FLAT_SHEET = 'flat_sheet_gb18030.csv';

const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** CASE expression mapping codes to labels; codes and labels are compile-time constants. */
function labelCase(column: string, pairs: ReadonlyArray<readonly [string, string]>): string {
  return `CASE ${column} ${pairs.map(([k, v]) => `WHEN ${sqlString(k)} THEN ${sqlString(v)}`).join(' ')} ELSE ${column} END`;
}

/**
 * Writes the same company loadDemo would load, as the files a customer would bring: per-table
 * files with the canonical column names (see migration 001), an Excel workbook for the people
 * list, Parquet for the big KPI table, and one GB18030 flat sheet with Chinese headers as Excel
 * in China saves it. The data goes through a temporary in-memory DuckDB.
 */
export async function writeDemoFiles(dir: string, options: DemoOptions = {}): Promise<DemoFile[]> {
  const out = resolve(dir);
  mkdirSync(out, { recursive: true });
  const wh = await Warehouse.open({ path: ':memory:', threads: 2 });
  try {
    await loadDemo(wh, { ...options, progress: options.progress ?? false });
    const files: DemoFile[] = [];
    const count = async (sql: string) => Number((await wh.query<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM (${sql})`))[0]!.n);
    const copy = async (file: string, table: string, select: string, format: 'csv' | 'parquet') => {
      const path = join(out, file);
      const opts = format === 'csv' ? "(HEADER, DELIMITER ',')" : '(FORMAT parquet)';
      await wh.run(`COPY (${select}) TO ${sqlString(path)} ${opts}`);
      files.push({ file, table, rows: await count(select), format, ...(format === 'csv' ? { encoding: 'utf-8' as const } : {}) });
    };

    // org_units.csv: small, written by hand to carry the UTF-8 BOM Excel needs to read Chinese.
    const units = await wh.query<Record<string, string | null>>('SELECT id, name, parent_id, kind FROM org_units ORDER BY source_row');
    const lines = ['id,name,parent_id,kind', ...units.map((u) => [u.id, u.name, u.parent_id, u.kind].map(csvCell).join(','))];
    writeFileSync(join(out, 'org_units.csv'), '\uFEFF' + lines.join('\r\n') + '\r\n', 'utf8');
    files.push({ file: 'org_units.csv', table: 'org_units', rows: units.length, format: 'csv', encoding: 'utf-8-bom' });

    // employees.xlsx through the streaming writer so a large company does not sit in memory.
    const empCols = ['id', 'name', 'org_unit_id', 'role', 'level', 'hire_date', 'leave_date', 'manager_id', 'gender', 'birth_year', 'monthly_salary'];
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: join(out, 'employees.xlsx'), useStyles: false, useSharedStrings: false });
    const sheet = workbook.addWorksheet('employees');
    sheet.addRow(empCols).commit();
    let empRows = 0;
    const pageSize = 5000;
    for (let offset = 0; ; offset += pageSize) {
      const page = await wh.query<Record<string, string | number | null>>(
        `SELECT id, name, org_unit_id, role, level, strftime(hire_date, '%Y-%m-%d') AS hire_date, strftime(leave_date, '%Y-%m-%d') AS leave_date,
                manager_id, gender, birth_year, CAST(monthly_salary AS DOUBLE) AS monthly_salary
           FROM employees ORDER BY source_row LIMIT ${pageSize} OFFSET ${offset}`,
      );
      for (const r of page) sheet.addRow(empCols.map((c) => r[c] ?? null)).commit();
      empRows += page.length;
      if (page.length < pageSize) break;
    }
    sheet.commit();
    await workbook.commit();
    files.push({ file: 'employees.xlsx', table: 'employees', rows: empRows, format: 'xlsx' });

    await copy('periods.csv', 'periods', "SELECT id, kind, strftime(start_date, '%Y-%m-%d') AS start_date, strftime(end_date, '%Y-%m-%d') AS end_date FROM periods ORDER BY source_row", 'csv');
    await copy('kpi_results.parquet', 'kpi_results', 'SELECT employee_id, period_id, kpi_code, target, actual, score, weight FROM kpi_results ORDER BY source_row', 'parquet');
    await copy('rater_scores.csv', 'rater_scores', 'SELECT employee_id, period_id, rater_id, relation, score FROM rater_scores ORDER BY source_row', 'csv');
    await copy(
      'assessments.csv',
      'assessments',
      'SELECT employee_id, period_id, org_unit_id, role, scheme_id, score, grade, coefficient, bonus FROM assessments ORDER BY source_row',
      'csv',
    );
    await copy('metrics.csv', 'metrics', 'SELECT org_unit_id, employee_id, period_id, metric, value FROM metrics ORDER BY source_row', 'csv');
    // Lists as ';'-joined text: CSV has no list type and ';' never occurs in ids or role codes.
    await copy(
      'policies.csv',
      'policies',
      `SELECT id, name, description, strftime(effective_from, '%Y-%m-%d') AS effective_from, array_to_string(scope_org_unit_ids, ';') AS scope_org_unit_ids,
              array_to_string(scope_roles, ';') AS scope_roles, scheme_before, scheme_after FROM policies ORDER BY source_row`,
      'csv',
    );

    // Flat sheet: UTF-8 from DuckDB, transcoded to GB18030 as a stream.
    const flatSelect = `SELECT a.employee_id AS "员工编号", e.name AS "姓名", u.name AS "部门",
        ${labelCase('a.role', ROLES.map((r) => [r, ROLE_LABELS[r].zh] as const))} AS "岗位", a.period_id AS "考核期间",
        a.score AS "绩效得分", ${labelCase('a.grade', GRADES.map((g) => [g, GRADE_LABELS[g].zh] as const))} AS "绩效等级"
      FROM assessments a JOIN employees e ON e.id = a.employee_id JOIN org_units u ON u.id = a.org_unit_id
      JOIN periods p ON p.id = a.period_id WHERE p.kind = 'month' ORDER BY a.source_row`;
    const tmp = join(out, `.${FLAT_SHEET}.utf8.tmp`);
    await wh.run(`COPY (${flatSelect}) TO ${sqlString(tmp)} (HEADER, DELIMITER ',')`);
    await pipeline(createReadStream(tmp), iconv.decodeStream('utf8'), iconv.encodeStream('gb18030'), createWriteStream(join(out, FLAT_SHEET)));
    rmSync(tmp);
    files.push({ file: FLAT_SHEET, table: null, rows: await count(flatSelect), format: 'csv', encoding: 'gb18030' });
    return files;
  } finally {
    wh.close();
  }
}
