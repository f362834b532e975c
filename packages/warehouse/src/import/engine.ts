import { ANALYTICS_SOURCES, analyticsBaselineOn, refreshAnalyticsOn } from '../analytics.ts';
import type { DuckDBConnection } from '@duckdb/node-api';
import {
  DEFAULT_GRADE_BANDS,
  detectDateOrder,
  detectSScale,
  fieldsOf,
  keyFieldsOf,
  normaliseGrade,
  normaliseValue,
  parseDate,
  periodInfo,
  proposeScale,
  scaleLookup,
  type DateOrder,
  type FieldDef,
  type Grade,
  type ImportError,
  type ImportErrorCode,
  type ImportTarget,
  type OnDuplicate,
  type ScaleEntry,
  confirmationCovers,
  type ConfirmCreate,
} from '@perflens/core';
import { basename } from 'node:path';
import type { Warehouse } from '../db.ts';
import { insertKpiLinesOn } from '../kpi-lines.ts';
import { importKpiLinesFast } from './kpi-fast.ts';
import { all, csvScan, extraFieldsError, mappingErrors, nextBatchId, notATableError, nothingToImportError, openQuoteError, readHead, recordBatch, run } from './common.ts';
import { dimensionSql, loadRoleMatcher, newRolesSql, resolveGradeScale, UnknownScaleError, type NewRole } from './dimensions.ts';
import { CreationNotConfirmedError, planCreation } from './creation.ts';
import { blankRowsBelowHeader, hashAndCheckQuotes, sqlIdent, sqlString, type PreparedSource } from './read.ts';

/**
 * The import pipeline: stage the file in DuckDB (all text, with source row numbers), derive typed
 * columns, validate set-based, then write everything in one transaction. Nothing is written when
 * any row is invalid, so a user fixes the file and re-imports instead of cleaning up half a load.
 */
export interface ImportOptions {
  table: ImportTarget;
  /** field → header in the file. */
  mapping?: Record<string, string>;
  /** field → value for every row. */
  constants?: Record<string, string>;
  onDuplicate?: OnDuplicate;
  sheet?: string;
  source?: 'upload' | 'cli' | 'demo';
  /** Name recorded in import_batches (uploads live under a generated name). */
  fileName?: string;
  maxErrors?: number;
  /** Where converted files go (GBK → UTF-8, XLSX → CSV). */
  workDir?: string;
  /** The rating scale for the grade column (value → A–E); absent = gradeScale, else the proposed one. */
  gradeMap?: ScaleEntry[];
  /** A preset (rating-scale.ts) or saved scale by name. */
  gradeScale?: string;
  /** Order of slash dates (01/17/19 vs 17/01/2019); absent = read from each date column. */
  dateFormat?: DateOrder;
  /** Metrics: create the org units the file names that do not exist (id = name = the value). */
  createMissing?: boolean;
  /**
   * The org units and employees the caller agreed to create (flat sheets; metrics with
   * createMissing). When given, an import that would create anything it does not cover is
   * refused with CreationNotConfirmedError before its first write. Absent: no check; the API
   * and the CLI always pass one, so only code that builds its own data (demo, tests) omits it.
   */
  confirmCreate?: ConfirmCreate;
  /** Test seam: called after each write statement inside the transaction; a throw aborts the import. */
  afterWrite?: (step: string) => void | Promise<void>;
}

export interface ImportSuccess {
  ok: true;
  batchId: number;
  rowCount: number;
  inserted: number;
  replaced: number;
  created: { orgUnits: number; employees: number; periods: number; roles: number };
  /** 'direct': a clean KPI file streamed into storage; 'staged': staged and validated first. */
  route: 'direct' | 'staged';
}

export interface ImportFailure {
  ok: false;
  rowCount: number;
  errorCount: number;
  counts: Partial<Record<ImportErrorCode, number>>;
  errors: ImportError[];
}

export type ImportResult = ImportSuccess | ImportFailure;

class ValidationFailed extends Error {
  constructor(readonly failure: ImportFailure) {
    super('validation failed');
  }
}

/** A file whose structure is broken: only these errors are listed (every other check would be noise). */
function formatFailure(rowCount: number, errors: ImportError[], total = errors.length): ImportFailure {
  return { ok: false, rowCount, errorCount: total, counts: { format: total }, errors };
}

/** DuckDB's "Expected Number of Columns: 5 Found: 6" on a row past its sample, as an import error. */
function csvWidthError(err: unknown, header: number, delimiter: string): ImportError | null {
  const m = /CSV Error on Line: (\d+)\s*(?:Original Line: ([^\n]*)\n)?[\s\S]*?Expected Number of Columns: (\d+) Found: (\d+)/.exec(String((err as Error)?.message ?? err));
  if (!m || Number(m[4]) <= Number(m[3])) return null;
  // The extra fields as written (a quoted field holding the delimiter would shift this; the row number is exact).
  const extra = (m[2] ?? '').split(delimiter).slice(header).join(delimiter);
  return extraFieldsError(Number(m[1]), Number(m[4]), header, extra);
}

const TYPE_LABEL: Record<FieldDef['type'], { zh: string; en: string }> = {
  string: { zh: '文本', en: 'text' },
  int: { zh: '整数', en: 'whole number' },
  number: { zh: '数字', en: 'number' },
  date: { zh: '日期', en: 'date' },
  enum: { zh: '可选值', en: 'allowed value' },
  grade: { zh: '绩效等级', en: 'grade' },
  role: { zh: '岗位', en: 'role' },
  period: { zh: '考核期间（如 2024-03、2024-Q1、2024）', en: 'period (e.g. 2024-03, 2024-Q1, 2024)' },
};

const TABLE_LABEL: Record<string, { zh: string; en: string }> = {
  org_units: { zh: '部门', en: 'department' },
  employees: { zh: '员工', en: 'employee' },
  periods: { zh: '考核期间', en: 'period' },
};

let seq = 0;

interface Bound {
  field: FieldDef;
  header: string | null; // null when given as a constant
  /** SQL for the trimmed raw text (NULL when empty), over the staged row alias s. */
  raw: string;
  /** The untrimmed source column (value maps join on it, so no per-row trim is needed there). */
  col: string;
  /** SQL for the typed, normalised value. */
  typed: string;
  /** Grades: the value in the company's own words (the scale's label, else the value as written). */
  label?: string;
}

const isText = (t: string) => t === 'VARCHAR';

/**
 * A number as Excel writes it into a CSV when the cell is formatted: '75%' is 0.75 (Excel's own
 * value of that cell, and how rates are stored), '1,234.5' and '¥1,234.50' are 1234.5. The
 * second argument of COALESCE is only evaluated where a plain cast fails, so a file of plain
 * numbers pays nothing for it.
 */
function numberFromText(raw: string): string {
  return `COALESCE(TRY_CAST(${raw} AS DOUBLE), CASE
      WHEN regexp_full_match(${raw}, '-?\\d+(\\.\\d+)?\\s*%') THEN TRY_CAST(rtrim(rtrim(${raw}, '%')) AS DOUBLE) / 100
      WHEN regexp_full_match(${raw}, '[¥￥$]?\\s*-?(\\d{1,3}(,\\d{3})+|\\d+)(\\.\\d+)?') THEN TRY_CAST(regexp_replace(${raw}, '[¥￥$,\\s]', '', 'g') AS DOUBLE)
    END)`;
}

function typedExpr(f: FieldDef, raw: string, col: string, colType: string): string {
  switch (f.type) {
    case 'string':
      return raw;
    // A BOOLEAN is not a number (DuckDB would cast true to 1): its text, 'true', fails as one.
    // A FLOAT is read as its text (21.643, as any viewer shows it), not widened (21.642999649…).
    case 'int':
      return isText(colType) || colType === 'BOOLEAN' ? `TRY_CAST(${raw} AS BIGINT)` : `TRY_CAST(${col} AS BIGINT)`;
    case 'number':
      return isText(colType) || colType === 'BOOLEAN' || colType === 'FLOAT' ? numberFromText(raw) : `TRY_CAST(${col} AS DOUBLE)`;
    case 'date':
      if (!isText(colType)) return `TRY_CAST(${col} AS DATE)`;
      return `COALESCE(TRY_CAST(${raw} AS DATE), TRY_CAST(TRY_STRPTIME(${raw}, ['%Y/%m/%d', '%Y.%m.%d', '%Y年%m月%d日', '%Y-%m-%d %H:%M:%S', '%Y/%m/%d %H:%M:%S']) AS DATE))`;
    default:
      return raw; // value-mapped types are joined later
  }
}

function rangeOk(f: FieldDef, v: string): string | null {
  const parts: string[] = [];
  if (f.min !== undefined) parts.push(`${v} >= ${f.min}`);
  if (f.max !== undefined) parts.push(`${v} <= ${f.max}`);
  if (f.type === 'date') parts.push(`${v} BETWEEN DATE '1900-01-01' AND DATE '2100-12-31'`);
  return parts.length ? parts.join(' AND ') : null;
}

const TARGET_COLUMNS: Record<string, string[]> = {
  org_units: ['id', 'name', 'parent_id', 'kind'],
  employees: ['id', 'name', 'org_unit_id', 'role', 'level', 'hire_date', 'leave_date', 'manager_id', 'gender', 'birth_year', 'monthly_salary'],
  kpi_results: ['employee_id', 'period_id', 'kpi_code', 'target', 'actual', 'score', 'weight'],
  rater_scores: ['employee_id', 'period_id', 'rater_id', 'relation', 'score'],
  assessments: ['employee_id', 'period_id', 'org_unit_id', 'role', 'scheme_id', 'score', 'grade', 'coefficient', 'bonus'],
  metrics: ['org_unit_id', 'employee_id', 'period_id', 'metric', 'value'],
  policies: ['id', 'name', 'description', 'effective_from', 'scope_org_unit_ids', 'scope_roles', 'scheme_before', 'scheme_after'],
};

interface Check {
  code: ImportErrorCode;
  bound: Bound;
  /** True for a bad row (over the typed view t). */
  cond: string;
  message: (value: string | null) => { zh: string; en: string };
}

/** Import targets whose batches add or replace facts of the periods they name (analytics.ts refreshes those periods only). */
const PER_PERIOD_SOURCES: readonly string[] = ['assessments', 'rater_scores', 'flat'];
/** Import targets outside the analytics whose batches can create periods (which the analytics signature counts). */
const PERIOD_CREATING_SOURCES: readonly string[] = ['kpi_results', 'metrics'];

/** The tail of each warehouse's import queue. */
const queues = new WeakMap<Warehouse, Promise<unknown>>();

/**
 * DuckDB skips blank lines, so the staged rows are numbered as if they were not there; Excel
 * shows them as rows. Each staged row moves down by the blank lines above it (csvStructure gives
 * each blank line as the number of data rows before it), so messages name the row the user sees.
 */
async function renumberPastBlankLines(conn: DuckDBConnection, stage: string, blankRows: number[], rowOffset: number, id: string): Promise<void> {
  // (data rows before, blank lines up to there): the last count for each position.
  const shift = new Map<number, number>();
  [...blankRows].sort((a, b) => a - b).forEach((k, i) => shift.set(k, i + 1));
  const table = `imp_blank_${id}`;
  await run(conn, `CREATE TEMP TABLE ${table} (k INTEGER, n INTEGER)`);
  const pairs = [...shift];
  for (let i = 0; i < pairs.length; i += 500) {
    const chunk = pairs.slice(i, i + 500);
    await run(conn, `INSERT INTO ${table} VALUES ${chunk.map(([k, n]) => `(${k}, ${n})`).join(', ')}`);
  }
  // Staged row r is data row r - 2 - rowOffset; it moves down by the count of the last blank position at or before it.
  await run(
    conn,
    `UPDATE ${stage} SET src_row = ${stage}.src_row + b.n
       FROM (SELECT t.src_row AS r, s.n FROM ${stage} t ASOF JOIN ${table} s ON t.src_row - ${2 + rowOffset} >= s.k) b
      WHERE ${stage}.src_row = b.r`,
  );
  await run(conn, `DROP TABLE ${table}`);
}

/**
 * Imports into one warehouse run one at a time, in arrival order. Each takes the next batch id
 * inside its own transaction, so two at once (two browser tabs, the CLI beside the dashboard)
 * both took the same id and the second failed at commit with DuckDB's constraint error; they
 * would also fight over the key dictionaries. A failed import does not hold up the next.
 */
export function importFile(wh: Warehouse, path: string, options: ImportOptions): Promise<ImportResult> {
  const run = (queues.get(wh) ?? Promise.resolve()).then(() => importNow(wh, path, options));
  queues.set(wh, run.catch(() => undefined));
  return run;
}

async function importNow(wh: Warehouse, path: string, options: ImportOptions): Promise<ImportResult> {
  const table = options.table;
  const mapping = options.mapping ?? {};
  const constants = options.constants ?? {};
  const onDuplicate = options.onDuplicate ?? 'reject';
  const maxErrors = options.maxErrors ?? 1000;
  const started = new Date();
  // Hash and look for a quote that never closes while DuckDB reads the file (both run on the JS
  // thread, DuckDB on its own). Both routes await this before they commit, and the staged route
  // before it reports anything: a swallowed tail would otherwise show as unrelated row errors.
  const scan = hashAndCheckQuotes(path, options.fileName).then((f) => {
    if (f.openQuoteLine !== null) throw new ValidationFailed(formatFailure(0, [openQuoteError(f.openQuoteLine)]));
    return f;
  });
  scan.catch(() => undefined);
  const sha = scan.then((f) => f.sha256);
  sha.catch(() => undefined);
  // The file as the direct route read it (converted from XLSX or GBK), so it is not converted twice.
  let converted: PreparedSource | undefined;
  if (table === 'kpi_results') {
    const fast = await importKpiLinesFast(wh, path, options, scan);
    if (fast.result) return fast.result;
    converted = fast.prepared;
  }
  const id = `${process.pid}_${++seq}`;
  const stage = `imp_stage_${id}`;

  try {
    return await wh.transaction(async (conn) => {
      try {
        return await body(conn);
      } finally {
        // Temp objects live on the pooled connection: drop them whatever happened. After a
        // failed statement the transaction is aborted (its rollback drops them) and this query
        // fails too; its error must not replace the one that explains the failure.
        const rows = await all<{ n: string; t: string }>(conn, `SELECT table_name AS n, table_type AS t FROM information_schema.tables WHERE table_name LIKE $p`, { p: `imp_%${id}%` }).catch(() => []);
        for (const r of rows) await run(conn, `DROP ${r.t === 'VIEW' ? 'VIEW' : 'TABLE'} IF EXISTS ${sqlIdent(r.n)}`).catch(() => undefined);
      }
    });
  } catch (err) {
    if (err instanceof ValidationFailed) return err.failure;
    if (err instanceof CreationNotConfirmedError) throw err;
    // DuckDB may fail on a broken file before the structure check has answered (its sniffer gives
    // up on an unclosed quote); the check names the line, so it is the better answer.
    const structure = await sha.then(() => null, (e: unknown) => e);
    if (structure instanceof ValidationFailed) return structure.failure;
    const notATable = notATableError(err);
    if (notATable) return formatFailure(0, [notATable]);
    // Past a bound or unreadable: one format error naming the file. Anything else is not the
    // user's to fix; a DuckDB error (its SQL, the upload's path) is replaced by a plain one that
    // keeps it as the cause, for the log.
    const { fileFailureError, sanitizeImportError } = await import('./failure.ts');
    const problem = fileFailureError(err, path, options.fileName);
    if (problem) return formatFailure(0, [problem]);
    throw sanitizeImportError(err, path, options.fileName);
  }

  async function body(conn: DuckDBConnection): Promise<ImportResult> {
      const head = await readHead(conn, path, { fileName: options.fileName, sheet: options.sheet, workDir: options.workDir, rows: 0, prepared: converted });
      const { prepared, headers, types } = head;
      if (headers.length === 0) throw new ValidationFailed(formatFailure(0, [nothingToImportError(false)]));
      const mErrors = mappingErrors(table, headers, mapping, constants);
      if (mErrors.length) throw new ValidationFailed({ ok: false, rowCount: head.rowCount, errorCount: mErrors.length, counts: { mapping: mErrors.length }, errors: mErrors });

      // 1. Stage: text files are materialised once (re-scanning CSV is the expensive part); Parquet is scanned in place.
      const colOf = (h: string) => `c${headers.indexOf(h)}`;
      let src: string;
      if (prepared.format === 'parquet') {
        const cols = headers.map((h, i) => `${sqlIdent(h)} AS c${i}`).join(', ');
        src = `(SELECT (file_row_number + 2)::INTEGER AS src_row, ${cols} FROM read_parquet(${sqlString(prepared.path)}, file_row_number=true))`;
      } else {
        try {
          await run(conn, `CREATE TEMP TABLE ${stage} AS SELECT (row_number() OVER () + ${1 + (prepared.rowOffset ?? 0)})::INTEGER AS src_row, * FROM ${csvScan(prepared, headers)}`);
        } catch (err) {
          const wide = csvWidthError(err, head.extraFrom ?? headers.length, prepared.delimiter ?? ',');
          if (wide) throw new ValidationFailed(formatFailure(head.rowCount, [wide]));
          throw err;
        }
        src = stage;
        const blankRows = blankRowsBelowHeader((await scan).blankRows, prepared);
        if (blankRows.length) await renumberPastBlankLines(conn, stage, blankRows, prepared.rowOffset ?? 0, id);
        // In a text file, values past the last named column are usually an unquoted delimiter inside
        // a value, which shifts every later field of the row: nothing after it can be trusted. (A
        // note typed beside a spreadsheet's table is no such sign, and stays ignored.)
        if (head.extraFrom !== null && prepared.sheet === null) {
          const extra = headers.slice(head.extraFrom).map((_, i) => `NULLIF(trim(c${head.extraFrom! + i}), '')`);
          const rows = await all<{ row: number; n: number; v: string; total: number; all_rows: number }>(
            conn,
            `SELECT src_row AS row, greatest(${extra.map((e, i) => `CASE WHEN ${e} IS NOT NULL THEN ${head.extraFrom! + i + 1} END`).join(', ')})::INTEGER AS n,
                    concat_ws(' | ', ${extra.join(', ')}) AS v, (count(*) OVER ())::DOUBLE AS total, (SELECT count(*) FROM ${stage})::DOUBLE AS all_rows
               FROM ${stage} WHERE coalesce(${extra.join(', ')}) IS NOT NULL ORDER BY src_row LIMIT ${maxErrors}`,
          );
          if (rows.length)
            throw new ValidationFailed(formatFailure(rows[0]!.all_rows, rows.map((r) => extraFieldsError(r.row, r.n, head.extraFrom!, r.v)), rows[0]!.total));
        }
      }

      // 2. Bind fields to columns or constants.
      const fields = fieldsOf(table);
      const bound: Bound[] = [];
      // Dimension values become keys (an employee id, a department name): full-width forms and
      // runs of spaces would otherwise make 'Production   ' and 'Ｐｒｏｄｕｃｔｉｏｎ' two departments.
      // KPI lines keep their plain trim: their clean files take the direct route, which compares exactly.
      const isDimension = (f: FieldDef) => f.type === 'string' && table !== 'kpi_results' && (f.key || f.references !== undefined || ['name', 'department', 'manager_id', 'manager_name', 'parent_id'].includes(f.name));
      for (const f of fields) {
        const header = mapping[f.name];
        if (header) {
          const col = `s.${colOf(header)}`;
          const type = types[headers.indexOf(header)]!;
          const trimmed = isText(type) ? `NULLIF(trim(${col}), '')` : `NULLIF(trim(CAST(${col} AS VARCHAR)), '')`;
          const raw = isDimension(f) ? dimensionSql(trimmed) : trimmed;
          bound.push({ field: f, header, raw, col, typed: typedExpr(f, raw, col, type) });
        } else {
          const value = constants[f.name] ?? f.defaultValue;
          if (value === undefined) continue;
          const raw = value.trim() === '' ? 'NULL::VARCHAR' : `${sqlString(value.trim())}::VARCHAR`;
          bound.push({ field: f, header: null, raw, col: raw, typed: typedExpr(f, raw, raw, 'VARCHAR') });
        }
      }

      // 3. Value-mapped fields (period, grade, enum, role, dates written as text): each distinct
      // spelling is normalised once in TS (usually a handful even in 10M rows).
      const joins: string[] = [];
      const periodIds = new Set<string>();
      const newRoles: NewRole[] = [];
      /** Problems found on the distinct values: one error per value, with how many rows carry it. */
      const valueErrors: Array<{ b: Bound; value: string; count: number; row: number; code: ImportErrorCode; message: { zh: string; en: string } }> = [];
      for (const [i, b] of bound.entries()) {
        const t = b.field.type;
        const textDate = t === 'date' && (b.header === null || isText(types[headers.indexOf(b.header)]!));
        if (t !== 'period' && t !== 'grade' && t !== 'enum' && t !== 'role' && !textDate) continue;
        const counted = (await all<{ v: string | null; n: number; r: number }>(conn, `SELECT CAST(${b.col} AS VARCHAR) AS v, count(*)::DOUBLE AS n, min(s.src_row)::INTEGER AS r FROM ${src} s GROUP BY 1`))
          .filter((x): x is { v: string; n: number; r: number } => x.v !== null && x.v.trim() !== '');
        const distinct = counted.map((x) => x.v);
        let pairs: Array<readonly [string, string | null, string | null]>;
        if (t === 'grade') {
          const scale = await resolveGradeScale(conn, options.gradeMap, options.gradeScale).catch((err: unknown) => {
            if (!(err instanceof UnknownScaleError)) throw err;
            throw new ValidationFailed({ ok: false, rowCount: head.rowCount, errorCount: 1, counts: { mapping: 1 }, errors: [{ row: null, column: b.header, code: 'mapping', value: options.gradeScale ?? null, message: { zh: err.zh, en: err.en } }] });
          });
          // Without a confirmed scale the proposal decides (1–4, words, 卓越…); a value it leaves
          // out still gets the classic spellings (优/良, A–E, S–D) before it counts as unmapped.
          const proposal = scale ? null : proposeScale(counted.map((x) => ({ value: x.v, count: x.n })));
          const lookup = scaleLookup(scale ?? proposal!.entries);
          const sScale = detectSScale(distinct);
          const labels = new Map((scale ?? proposal!.entries).map((e) => [e.value, e.label]));
          pairs = counted.map((x) => {
            let g: Grade | null | undefined = lookup(x.v);
            if (g === undefined && !scale) g = normaliseGrade(x.v.trim(), sScale) ?? undefined;
            if (g === undefined) {
              valueErrors.push({
                b, value: x.v.trim(), count: x.n, row: x.r, code: 'enum',
                message: {
                  zh: `「${b.header ?? b.field.label.zh}」的值“${x.v.trim()}”（共 ${x.n} 行）不在评级量表中：请在量表中给它指定等级（A–E），或标为“不是等级”`,
                  en: `"${b.header ?? b.field.label.en}": the value "${x.v.trim()}" (${x.n} rows) is not on the rating scale: give it a grade (A–E) in the scale, or mark it "not a grade"`,
                },
              });
            }
            return [x.v, g ?? null, labels.get(x.v) ?? x.v.trim()] as const;
          });
        } else if (t === 'role') {
          const match = await loadRoleMatcher(conn);
          pairs = distinct.map((v) => {
            const m = match(v, newRoles);
            return [v, m, null] as const;
          });
        } else if (t === 'date') {
          let order: DateOrder | 'ambiguous' | 'conflict' = options.dateFormat ?? detectDateOrder(distinct);
          if (order === 'ambiguous' || order === 'conflict') {
            const example = distinct.find((v) => /^\s*\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}/.test(v)) ?? distinct[0] ?? '';
            const col = b.header ?? b.field.label.zh;
            throw new ValidationFailed({ ok: false, rowCount: head.rowCount, errorCount: 1, counts: { mapping: 1 }, errors: [{
              row: null, column: col, code: 'mapping', value: example,
              message: order === 'ambiguous'
                ? { zh: `「${col}」列的日期（如“${example}”）看不出是“月/日/年”还是“日/月/年”：请选择日期顺序（命令行 --date-format MDY 或 DMY）`, en: `"${col}": dates such as "${example}" could be month/day/year or day/month/year: choose the date order (CLI: --date-format MDY or DMY)` }
                : { zh: `「${col}」列的日期混用了“月/日/年”和“日/月/年”两种顺序（如“${example}”）：请统一后再导入，或用 --date-format 指定`, en: `"${col}": the column mixes month/day/year and day/month/year dates (e.g. "${example}"): make them consistent, or give --date-format` },
            }] });
          }
          const o = order;
          pairs = distinct.map((v) => [v, parseDate(v.trim(), o), null] as const);
        } else {
          const sScale = false;
          pairs = distinct.map((v) => [v, normaliseValue(b.field, v.trim(), sScale), null] as const);
        }
        for (const [, norm] of pairs) if (t === 'period' && norm) periodIds.add(norm);
        const vm = `imp_vm_${id}_${i}`;
        await run(conn, `CREATE TEMP TABLE ${vm} (raw VARCHAR, norm VARCHAR, label VARCHAR)`);
        for (let k = 0; k < pairs.length; k += 500) {
          const chunk = pairs.slice(k, k + 500);
          await run(conn, `INSERT INTO ${vm} VALUES ${chunk.map(() => '(?, ?, ?)').join(', ')}`, chunk.flatMap(([r, n, l]) => [r, n, l]) as never);
        }
        joins.push(`LEFT JOIN ${vm} ON ${vm}.raw = CAST(${b.col} AS VARCHAR)`);
        b.typed = t === 'date' ? `CAST(${vm}.norm AS DATE)` : `${vm}.norm`;
        if (t === 'grade') b.label = `${vm}.label`;
      }
      const pinfo = `imp_pinfo_${id}`;
      await run(conn, `CREATE TEMP TABLE ${pinfo} (id VARCHAR, kind VARCHAR, start_date DATE, end_date DATE)`);
      for (const p of periodIds) {
        const info = periodInfo(p)!;
        await run(conn, `INSERT INTO ${pinfo} VALUES ($id, $kind, $s::DATE, $e::DATE)`, { id: info.id, kind: info.kind, s: info.start, e: info.end } as never);
      }

      // 4. The typed view: f_<field> typed value, r_<field> raw text for messages.
      const typed = `imp_typed_${id}`;
      // Materialised once: every check and the insert then read plain columns instead of re-deriving them.
      // Raw text is kept only where it can differ from the typed value (for messages and type errors).
      const selects = bound.flatMap((b) => [
        `${b.typed} AS f_${b.field.name}`,
        ...(b.field.type === 'string' ? [] : [`${b.raw} AS r_${b.field.name}`]),
        ...(b.label ? [`${b.label} AS l_${b.field.name}`] : []),
      ]);
      // A row with nothing in any column is a spacer (Excel writes formatted empty rows as ',,,'):
      // skipped, and the rows after it keep their numbers.
      const anyValue = `coalesce(${headers.map((h, i) => (isText(types[i]!) ? `NULLIF(trim(s.${colOf(h)}), '')` : `CAST(s.${colOf(h)} AS VARCHAR)`)).join(', ')}) IS NOT NULL`;
      await run(conn, `CREATE TEMP TABLE ${typed} AS SELECT s.src_row, ${selects.join(', ')} FROM ${src} s ${joins.join(' ')} WHERE ${anyValue}`);
      if (src === stage) await run(conn, `DROP TABLE ${stage}`);
      const rawOf = (b: Bound) => (b.field.type === 'string' ? `t.f_${b.field.name}` : `t.r_${b.field.name}`);

      // 5. Validation, set-based.
      const colLabel = (b: Bound) => b.header ?? b.field.label.zh;
      const checks: Check[] = [];
      const byName = new Map(bound.map((b) => [b.field.name, b]));
      for (const b of bound) {
        const f = b.field;
        const fv = `t.f_${f.name}`;
        const rv = rawOf(b);
        if (f.required)
          checks.push({ code: 'required', bound: b, cond: `${rv} IS NULL`, message: () => ({ zh: `「${colLabel(b)}」不能为空`, en: `"${colLabel(b)}" is required` }) });
        // Roles are never invalid (an unknown title is a new role); grades not on the scale are
        // reported once per value (valueErrors), not once per row.
        if (f.type !== 'string' && f.type !== 'role' && f.type !== 'grade') {
          const code: ImportErrorCode = f.type === 'enum' ? 'enum' : 'type';
          // Chinese users are shown the Chinese spelling each code accepts first (跟单员, 销售 …).
          const allowed = f.type === 'enum' ? `：${(f.values ?? []).map((v) => f.valueSynonyms?.[v]?.[0] ?? v).join('/')}` : '';
          checks.push({
            code, bound: b, cond: `${rv} IS NOT NULL AND ${fv} IS NULL`,
            message: (v) => ({
              zh: `「${colLabel(b)}」的值“${v}”不是有效的${TYPE_LABEL[f.type].zh}${allowed}`,
              en: `"${colLabel(b)}": "${v}" is not a valid ${TYPE_LABEL[f.type].en}${allowed ? ` (${(f.values ?? []).join('/')})` : ''}`,
            }),
          });
        }
        const range = rangeOk(f, fv);
        if (range)
          checks.push({
            code: 'range', bound: b, cond: `${fv} IS NOT NULL AND NOT (${range})`,
            message: (v) => ({
              zh: `「${colLabel(b)}」的值 ${v} 超出允许范围${f.min !== undefined ? ` ${f.min}–${f.max}` : ''}`,
              en: `"${colLabel(b)}": ${v} is out of range${f.min !== undefined ? ` ${f.min}–${f.max}` : ''}`,
            }),
          });
        // Periods are created from their ids (kind and dates follow from the spelling); metrics may
        // create the org units they name when asked to.
        const creates = f.references === 'periods' || (f.references === 'org_units' && table === 'metrics' && options.createMissing === true);
        if (f.references && !creates) {
          const refTable = f.references;
          // Rows in the same file satisfy a reference to the table being imported (a parent listed lower down).
          const sameFile = refTable === table && byName.get('id') ? ` EXCEPT SELECT f_id FROM ${typed}` : '';
          // Unknown values are found on the distinct set (thousands), not per row (millions).
          const unknown = `imp_unknown_${id}_${f.name}`;
          await run(conn, `CREATE TEMP TABLE ${unknown} AS SELECT v FROM (SELECT DISTINCT f_${f.name} AS v FROM ${typed} WHERE f_${f.name} IS NOT NULL EXCEPT SELECT id FROM ${refTable}${sameFile})`);
          const [u] = await all<{ n: number }>(conn, `SELECT count(*)::INTEGER AS n FROM ${unknown}`);
          if (u!.n > 0)
            checks.push({
              code: 'reference', bound: b, cond: `${fv} IN (SELECT v FROM ${unknown})`,
              message: (v) => ({
                zh: `「${colLabel(b)}」引用的${TABLE_LABEL[refTable]!.zh}“${v}”不存在，请先导入`,
                en: `"${colLabel(b)}": unknown ${TABLE_LABEL[refTable]!.en} "${v}" — import it first`,
              }),
            });
        }
      }

      // Duplicate keys: within the file, and against rows already stored.
      const keyNames = keyFieldsOf(table).filter((k) => byName.has(k));
      const keyOk = keyNames.length > 0 && keyNames.every((k) => byName.has(k));
      const targetTable = table === 'flat' ? 'assessments' : table;
      const targetKey = (k: string) => (table === 'flat' ? (k === 'period' ? 'period_id' : k) : k);
      const keyLabel = keyNames.map((k) => colLabel(byName.get(k)!)).join(' + ');
      const keyValue = `concat_ws(' / ', ${keyNames.map((k) => rawOf(byName.get(k)!)).join(', ')})`;
      if (keyOk) {
        const firstBound = byName.get(keyNames[0]!)!;
        checks.push({
          code: 'duplicate_in_file', bound: firstBound,
          cond: `t.src_row IN (SELECT src_row FROM (SELECT src_row, row_number() OVER (PARTITION BY ${keyNames.map((k) => `f_${k}`).join(', ')} ORDER BY src_row) AS n FROM ${typed} WHERE ${keyNames.map((k) => `f_${k}`).join(' || ')} IS NOT NULL) WHERE n > 1)`,
          message: (v) => ({ zh: `键（${keyLabel}）“${v}”在文件中重复出现`, en: `Key (${keyLabel}) "${v}" occurs more than once in the file` }),
        });
        const [existingRows] = await all<{ n: number }>(conn, `SELECT count(*)::INTEGER AS n FROM ${targetTable}`);
        if (onDuplicate === 'reject' && existingRows!.n > 0)
          checks.push({
            code: 'duplicate_existing', bound: firstBound,
            cond: `EXISTS (SELECT 1 FROM ${targetTable} x WHERE ${keyNames.map((k) => `x.${targetKey(k)} IS NOT DISTINCT FROM t.f_${k}`).join(' AND ')})`,
            message: (v) => ({
              zh: `键（${keyLabel}）“${v}”已存在于数据库中；如需覆盖，请选择“替换重复数据”`,
              en: `Key (${keyLabel}) "${v}" already exists in the database; choose "replace" to overwrite it`,
            }),
          });
      }

      const dupCheck = checks.findIndex((c) => c.code === 'duplicate_in_file');
      // The within-file duplicate window is the costly check: count it via a cheaper distinct count first.
      const cheap = checks.filter((c) => c.code !== 'duplicate_in_file');
      const countSql = `SELECT count(*)::DOUBLE AS _rows${cheap.map((c, i) => `, count(*) FILTER (WHERE ${c.cond})::DOUBLE AS e${i}`).join('')} FROM ${typed} t`;
      const [countRow] = await all<Record<string, number>>(conn, countSql);
      const counts: Partial<Record<ImportErrorCode, number>> = {};
      const failing: Check[] = [];
      cheap.forEach((c, i) => {
        const n = countRow![`e${i}`] ?? 0;
        if (n > 0) {
          counts[c.code] = (counts[c.code] ?? 0) + n;
          failing.push(c);
        }
      });
      if (dupCheck >= 0) {
        const k = keyNames.map((x) => `f_${x}`).join(', ');
        // Distinct 64-bit hashes first: as many hashes as rows proves the keys unique; only
        // otherwise (a duplicate, or a rare collision) is the exact distinct count paid for.
        const [h] = await all<{ n: number }>(conn, `SELECT (count(*) - count(DISTINCT hash(${k})))::DOUBLE AS n FROM ${typed}`);
        const [d] = h!.n > 0 ? await all<{ n: number }>(conn, `SELECT (count(*) - (SELECT count(*) FROM (SELECT DISTINCT ${k} FROM ${typed})))::DOUBLE AS n FROM ${typed}`) : [{ n: 0 }];
        if (d!.n > 0) {
          counts.duplicate_in_file = d!.n;
          failing.push(checks[dupCheck]!);
        }
      }
      const rowCount = countRow!._rows!;
      // A header alone (an empty template sent by mistake) is refused rather than logged as a batch of nothing.
      if (rowCount === 0) throw new ValidationFailed(formatFailure(0, [nothingToImportError(true)]));
      for (const v of valueErrors) counts[v.code] = (counts[v.code] ?? 0) + v.count;
      const errorCount = Object.values(counts).reduce((a, b) => a + (b ?? 0), 0);
      if (errorCount > 0) {
        const listSql = failing
          .map((c, i) => `SELECT t.src_row AS row, ${i} AS k, CAST(${c.code.startsWith('duplicate') ? keyValue : rawOf(c.bound)} AS VARCHAR) AS value FROM ${typed} t WHERE ${c.cond}`)
          .join(' UNION ALL ');
        const listed = failing.length ? await all<{ row: number; k: number; value: string | null }>(conn, `SELECT * FROM (${listSql}) ORDER BY row, k LIMIT ${maxErrors}`) : [];
        const errors: ImportError[] = listed.map((e) => {
          const c = failing[e.k]!;
          const msg = c.message(e.value);
          const where = { zh: `第 ${e.row} 行：`, en: `Row ${e.row}: ` };
          return { row: e.row, column: colLabel(c.bound), code: c.code, value: e.value, message: { zh: where.zh + msg.zh, en: where.en + msg.en } };
        });
        // A value off the scale is named once, at the first row that carries it.
        for (const v of valueErrors) {
          const where = { zh: `第 ${v.row} 行起：`, en: `From row ${v.row}: ` };
          errors.push({ row: v.row, column: colLabel(v.b), code: v.code, value: v.value, message: { zh: where.zh + v.message.zh, en: where.en + v.message.en } });
        }
        errors.sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
        throw new ValidationFailed({ ok: false, rowCount, errorCount, counts, errors: errors.slice(0, maxErrors) });
      }

      // 5b. What the import creates besides its rows, checked against what the caller confirmed
      // (a typo in a department column would otherwise become a department of its own).
      const unitsCreated = table === 'flat' ? 'f_department' : table === 'metrics' && options.createMissing && byName.has('org_unit_id') ? 'f_org_unit_id' : null;
      if (options.confirmCreate !== undefined && unitsCreated) {
        const plan = await planCreation(conn, {
          units: { src: { from: typed, value: unitsCreated, row: 'src_row' }, by: table === 'flat' ? 'name' : 'id' },
          employees: table === 'flat' ? { from: typed, id: 'f_employee_id', name: byName.has('name') ? 'f_name' : null, row: 'src_row' } : null,
        });
        if (!confirmationCovers(plan, options.confirmCreate))
          throw new CreationNotConfirmedError(options.fileName ?? basename(path), plan, byName.get(unitsCreated.slice(2))?.header ?? null);
      }

      // 6. Write.
      const step = async (name: string, sql: string, params?: Record<string, unknown>) => {
        await run(conn, sql, params as never);
        await options.afterWrite?.(name);
      };
      const batchId = await nextBatchId(conn);
      // Batches of facts refresh only the periods they touch, which is valid only if the derived
      // tables matched the data before this batch: look now, before the first write.
      // So do batches of KPI lines or metrics that create periods (a new month's KPI file usually
      // comes before its assessments): the analytics signature counts periods.
      const analyticsBaseline = PER_PERIOD_SOURCES.includes(table) || PERIOD_CREATING_SOURCES.includes(table) ? await analyticsBaselineOn(conn) : null;
      const countOf = async (sql: string) => (await all<{ n: number }>(conn, sql))[0]!.n;
      const created = { orgUnits: 0, employees: 0, periods: 0, roles: 0 };
      // Job titles that matched no role become roles of their own, with no scheme.
      if (newRoles.length) {
        await step('roles', newRolesSql(newRoles), { b: batchId });
        created.roles = newRoles.length;
      }
      // Every period the file names exists afterwards (its kind and dates follow from its id).
      if (table !== 'periods' && table !== 'flat' && periodIds.size) {
        created.periods = await countOf(`SELECT count(*)::INTEGER AS n FROM ${pinfo} WHERE id NOT IN (SELECT id FROM periods)`);
        if (created.periods) await step('periods', `INSERT INTO periods (id, kind, start_date, end_date, batch_id) SELECT id, kind, start_date, end_date, $b FROM ${pinfo} WHERE id NOT IN (SELECT id FROM periods)`, { b: batchId });
      }
      let replaced = 0;
      const inserted = rowCount;

      /** The company root, created on a first import into an empty organisation. */
      const ensureRoot = async (): Promise<string> => {
        const [root] = await all<{ id: string }>(conn, `SELECT id FROM org_units WHERE parent_id IS NULL ORDER BY id LIMIT 1`);
        if (root) return root.id;
        await step('root', `INSERT INTO org_units (id, name, parent_id, kind, batch_id) VALUES ('root', '公司', NULL, 'company', $b)`, { b: batchId });
        created.orgUnits++;
        return 'root';
      };
      // A score without a grade gets the grade its bands give, marked as derived; the grade as the
      // company wrote it is kept beside the canonical one.
      const hasGrade = byName.has('grade');
      const hasScore = byName.has('score');
      const gradeSql = hasScore ? (hasGrade ? `COALESCE(t.f_grade, ${bandSql('t.f_score')})` : bandSql('t.f_score')) : hasGrade ? 't.f_grade' : 'NULL';
      const derivedSql = hasScore ? (hasGrade ? '(t.f_grade IS NULL AND t.f_score IS NOT NULL)' : '(t.f_score IS NOT NULL)') : 'false';
      const labelSql = hasGrade ? 't.l_grade' : 'NULL';

      if (table === 'flat') {
        const root = await ensureRoot();
        // Departments are matched by name; new ones get an id derived from the name so re-imports agree.
        const dept = `imp_dept_${id}`;
        await run(conn, `CREATE TEMP TABLE ${dept} AS
          SELECT d.name, COALESCE((SELECT min(o.id) FROM org_units o WHERE o.name = d.name), 'ou_' || substr(md5(d.name), 1, 12)) AS id,
                 (SELECT count(*) FROM org_units o WHERE o.name = d.name) = 0 AS is_new, d.first_row
          FROM (SELECT f_department AS name, min(src_row) AS first_row FROM ${typed} GROUP BY 1) d`);
        created.orgUnits += await countOf(`SELECT count(*)::INTEGER AS n FROM ${dept} WHERE is_new`);
        await step('org_units', `INSERT INTO org_units (id, name, parent_id, kind, batch_id, source_row) SELECT id, name, $root, 'department', $b, first_row FROM ${dept} WHERE is_new`, { root, b: batchId });
        created.periods = await countOf(`SELECT count(*)::INTEGER AS n FROM ${pinfo} WHERE id NOT IN (SELECT id FROM periods)`);
        await step('periods', `INSERT INTO periods (id, kind, start_date, end_date, batch_id) SELECT id, kind, start_date, end_date, $b FROM ${pinfo} WHERE id NOT IN (SELECT id FROM periods)`, { b: batchId });
        // The employee's attributes, as of their latest period in the file. An age is turned into a
        // birth year at the start of the period it was recorded in (off by one for half the
        // people, as any age is; a birth year column is exact).
        const attr: Record<string, string> = {};
        if (byName.has('gender')) attr.gender = 'arg_max(t.f_gender, t.f_period)';
        if (byName.has('birth_year')) attr.birth_year = 'arg_max(t.f_birth_year, t.f_period)';
        else if (byName.has('age')) attr.birth_year = 'arg_max(year(p.start_date) - t.f_age, t.f_period)';
        if (byName.has('hire_date')) attr.hire_date = 'arg_max(t.f_hire_date, t.f_period)';
        if (byName.has('level')) attr.level = 'arg_max(t.f_level, t.f_period)';
        if (byName.has('manager_id')) attr.manager_id = 'arg_max(t.f_manager_id, t.f_period)';
        const attrCols = Object.keys(attr);
        const perEmployee = `SELECT t.f_employee_id AS id, ${byName.has('name') ? 'COALESCE(arg_max(t.f_name, t.f_period), t.f_employee_id)' : 't.f_employee_id'} AS name, arg_max(d.id, t.f_period) AS org_unit_id,
                 arg_max(t.f_role, t.f_period) AS role, min(t.src_row) AS first_row${attrCols.map((c) => `, ${attr[c]} AS ${c}`).join('')}
          FROM ${typed} t JOIN ${dept} d ON d.name = t.f_department JOIN ${pinfo} p ON p.id = t.f_period
          GROUP BY t.f_employee_id`;
        const newEmp = `SELECT * FROM (${perEmployee}) WHERE id NOT IN (SELECT id FROM employees)`;
        created.employees = await countOf(`SELECT count(*)::INTEGER AS n FROM (${newEmp})`);
        // Attributes of employees already stored are filled where they were unknown, never overwritten.
        if (attrCols.length) {
          const known = `imp_known_${id}`;
          await run(conn, `CREATE TEMP TABLE ${known} AS SELECT * FROM (${perEmployee}) WHERE id IN (SELECT id FROM employees)`);
          await step('employee_attributes', `UPDATE employees SET ${attrCols.map((c) => `${c} = COALESCE(employees.${c}, k.${c})`).join(', ')} FROM ${known} k WHERE employees.id = k.id`);
        }
        await step('employees', `INSERT INTO employees (id, name, org_unit_id, role, batch_id, source_row${attrCols.map((c) => `, ${c}`).join('')})
          SELECT id, name, org_unit_id, role, $b, first_row${attrCols.map((c) => `, ${c}`).join('')} FROM (${newEmp})`, { b: batchId });
        if (onDuplicate === 'replace') {
          replaced = await countOf(`SELECT count(*)::INTEGER AS n FROM assessments a WHERE EXISTS (SELECT 1 FROM ${typed} t WHERE a.employee_id = t.f_employee_id AND a.period_id = t.f_period)`);
          await step('delete', `DELETE FROM assessments a WHERE EXISTS (SELECT 1 FROM ${typed} t WHERE a.employee_id = t.f_employee_id AND a.period_id = t.f_period)`);
        }
        await step('assessments', `INSERT INTO assessments (employee_id, period_id, org_unit_id, role, score, grade, grade_label, grade_derived, batch_id, source_row)
          SELECT t.f_employee_id, t.f_period, d.id, t.f_role, ${hasScore ? 't.f_score' : 'NULL'}, ${gradeSql}, ${labelSql}, ${derivedSql}, $b, t.src_row
          FROM ${typed} t JOIN ${dept} d ON d.name = t.f_department`, { b: batchId });
        // The manager beside each person is the supervisor who rated them: with a score, that is a
        // rater score, so rater leniency works from this one sheet.
        const rater = byName.has('manager_id') && byName.has('manager_name') ? 'COALESCE(t.f_manager_id, t.f_manager_name)' : byName.has('manager_id') ? 't.f_manager_id' : byName.has('manager_name') ? 't.f_manager_name' : null;
        if (rater && hasScore) {
          const rated = `SELECT t.f_employee_id AS employee_id, t.f_period AS period_id, ${rater} AS rater_id, t.f_score AS score, t.src_row FROM ${typed} t WHERE ${rater} IS NOT NULL AND t.f_score IS NOT NULL`;
          const same = `r.employee_id = x.employee_id AND r.period_id = x.period_id AND r.rater_id = x.rater_id AND r.relation = 'supervisor'`;
          if (onDuplicate === 'replace') await step('rater_delete', `DELETE FROM rater_scores r WHERE EXISTS (SELECT 1 FROM (${rated}) x WHERE ${same})`);
          await step('rater_scores', `INSERT INTO rater_scores (employee_id, period_id, rater_id, relation, score, batch_id, source_row)
            SELECT x.employee_id, x.period_id, x.rater_id, 'supervisor', x.score, $b, x.src_row FROM (${rated}) x
             WHERE NOT EXISTS (SELECT 1 FROM rater_scores r WHERE ${same})`, { b: batchId });
        }
        if (rater && byName.has('manager_name'))
          await step('rater_names', `INSERT OR REPLACE INTO rater_names SELECT ${rater} AS rater_id, arg_max(t.f_manager_name, t.f_period) FROM ${typed} t WHERE ${rater} IS NOT NULL AND t.f_manager_name IS NOT NULL GROUP BY 1`);
      } else {
        const cols = TARGET_COLUMNS[table]!;
        if (onDuplicate === 'replace' && keyOk) {
          const match = `EXISTS (SELECT 1 FROM ${typed} t WHERE ${keyNames.map((k) => `x.${k} IS NOT DISTINCT FROM t.f_${k}`).join(' AND ')})`;
          replaced = await countOf(`SELECT count(*)::INTEGER AS n FROM ${table} x WHERE ${match}`);
          if (replaced > 0) await step('delete', table === 'kpi_results' ? deleteKpiLinesSql(typed) : `DELETE FROM ${table} x WHERE ${match}`);
        }
        let selectList: string;
        let from = `${typed} t`;
        if (table === 'periods') {
          selectList = 'p.id, p.kind, p.start_date, p.end_date';
          from = `${typed} t JOIN ${pinfo} p ON p.id = t.f_id`;
          await step(table, `INSERT INTO periods (id, kind, start_date, end_date, batch_id, source_row) SELECT ${selectList}, $b, t.src_row FROM ${from}`, { b: batchId });
        } else {
          const expr = (c: string): string => {
            if (!byName.has(c)) {
              // A results sheet rarely repeats department and role: take them from the employee record.
              if (table === 'assessments' && (c === 'org_unit_id' || c === 'role')) return `e.${c}`;
              return 'NULL';
            }
            if (c === 'scope_org_unit_ids' || c === 'scope_roles')
              return `list_filter(list_transform(regexp_split_to_array(t.f_${c}, '[,;、，；]'), x -> trim(x)), x -> x <> '')`;
            if (table === 'assessments' && (c === 'org_unit_id' || c === 'role')) return `COALESCE(t.f_${c}, e.${c})`;
            return `t.f_${c}`;
          };
          if (table === 'metrics' && options.createMissing && byName.has('org_unit_id')) {
            const root = await ensureRoot();
            const missing = `SELECT f_org_unit_id AS id, min(src_row) AS first_row FROM ${typed} WHERE f_org_unit_id IS NOT NULL AND f_org_unit_id NOT IN (SELECT id FROM org_units) GROUP BY 1`;
            created.orgUnits += await countOf(`SELECT count(*)::INTEGER AS n FROM (${missing})`);
            await step('org_units', `INSERT INTO org_units (id, name, parent_id, kind, batch_id, source_row) SELECT id, id, $root, 'department', $b, first_row FROM (${missing})`, { root, b: batchId });
          }
          if (table === 'assessments') {
            const assessmentCols = [...cols, 'grade_label', 'grade_derived'];
            const value = (c: string) => (c === 'grade' ? gradeSql : c === 'grade_label' ? labelSql : c === 'grade_derived' ? derivedSql : expr(c));
            await step(table, `INSERT INTO assessments (${assessmentCols.join(', ')}, batch_id, source_row)
              SELECT ${assessmentCols.map(value).join(', ')}, $b, t.src_row FROM ${from} LEFT JOIN employees e ON e.id = t.f_employee_id`, { b: batchId });
          }
          const select = `SELECT ${cols.map(expr).join(', ')}, $b AS batch_id, t.src_row FROM ${from}`;
          if (table === 'assessments') {
            // written above, with the grade's label and derivation
          } else if (table === 'kpi_results') {
            await insertKpiLinesOn(conn, select, { b: batchId });
            await options.afterWrite?.(table);
          } else await step(table, `INSERT INTO ${table} (${cols.join(', ')}, batch_id, source_row) ${select}`, { b: batchId });
        }
      }

      await recordBatch(conn, {
        id: batchId, table, path, fileName: options.fileName, source: options.source, settings: { mapping, constants, onDuplicate },
        sha: await sha, prepared, rowCount, inserted, replaced, started,
      });
      await options.afterWrite?.('batch');
      // Keep the analytics tables in step within the same transaction, so no reader sees new
      // facts with stale aggregates and the first dashboard request after an import stays fast.
      // Facts batches rewrite only the periods they touched; dimension tables (names every period's
      // rows carry) rebuild everything.
      if ((ANALYTICS_SOURCES as readonly string[]).includes(table))
        await refreshAnalyticsOn(conn, analyticsBaseline ? { batchId, baseline: analyticsBaseline } : undefined);
      // New periods with no assessments yet add no derived rows, but without this the next batch
      // would find the derived tables out of date and rebuild them all (23–26 s at 200,000
      // employees instead of 1–2 s). Only when they were current: otherwise the next reader rebuilds.
      else if (created.periods > 0 && analyticsBaseline?.current) await refreshAnalyticsOn(conn, { batchId, baseline: analyticsBaseline });
      return { ok: true as const, batchId, rowCount, inserted, replaced, created, route: 'staged' as const };
  }

}

/**
 * Grade by the seed bands as core gradeForScore applies them by default: the unrounded score
 * against each band's minimum (91–100 优, 81–<91 良, 71–<81 中, 60–<71 基本合格, <60 不合格), so
 * 59.99 is 不合格 as the seed's "<60" says.
 */
function bandSql(score: string): string {
  const bands = DEFAULT_GRADE_BANDS.filter((b) => Number.isFinite(b.min));
  const last = DEFAULT_GRADE_BANDS[DEFAULT_GRADE_BANDS.length - 1]!.grade;
  return `CASE WHEN ${score} IS NULL THEN NULL ${bands.map((b) => `WHEN ${score} >= ${b.min} THEN '${b.grade}'`).join(' ')} ELSE '${last}' END`;
}

/** Deletes the stored KPI lines whose key the staged rows (typed table) repeat. */
function deleteKpiLinesSql(typed: string): string {
  return `DELETE FROM kpi_lines l USING (
      SELECT e.key AS ek, p.key AS pk, k.key AS kk FROM ${typed} t
        JOIN employee_keys e ON e.id = t.f_employee_id
        JOIN period_keys p ON p.id = t.f_period_id
        JOIN kpi_codes k ON k.code = t.f_kpi_code) x
    WHERE l.employee_key = x.ek AND l.period_key = x.pk AND l.kpi_key = x.kk`;
}
