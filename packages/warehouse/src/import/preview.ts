import {
  BilingualError, fieldsOf, proposeScale, suggestMapping, type CreationPlan, type HeaderSuggestion, type ImportTarget, type ScaleProposal, type ScaleValueCount,
} from '@perflens/core';
import { basename } from 'node:path';
import type { Warehouse } from '../db.ts';
import { all, notATableError, nothingToImportError, openQuoteError, readHead, type FileHead } from './common.ts';
import { planCreation } from './creation.ts';
import { dimensionSql } from './dimensions.ts';
import { csvOpenQuoteLine, detectFormat, sqlString, type FileFormat, type TextEncoding } from './read.ts';

export interface ImportPreview {
  format: FileFormat;
  encoding: TextEncoding | null;
  delimiter: string | null;
  sheets: string[];
  sheet: string | null;
  headers: string[];
  rows: Array<Array<string | null>>;
  rowCount: number;
  /** The sheet row holding the header: 1, or below a workbook's title rows. */
  headerRow: number;
  table: ImportTarget | null;
  suggestions: HeaderSuggestion[];
  /** field → header: the caller's own choices, then the suggestions that found something. */
  mapping: Record<string, string>;
  unmappedRequired: string[];
  /**
   * The grade column's distinct values with their row counts and the rating scale proposed for
   * them, for the user to confirm or edit before the import (flat and assessments targets).
   */
  grade: { header: string; values: ScaleValueCount[]; proposal: ScaleProposal } | null;
  /**
   * What running the import with this mapping would create besides its rows: the org units (each
   * with a near-match to an existing or other new name, when there is one) and the employees,
   * for the user to check and confirm (run's confirmCreate). Flat sheets, and metrics (whose
   * missing org units are created only with createMissing); null for other targets or when the
   * columns that name them are not mapped yet.
   */
  creates: CreationPlan | null;
  /** Without a target, the one the headers point to (a flat sheet: employee, department, score or grade). */
  suggestedTable: ImportTarget | null;
}

/** Sheets read when looking for the flat one (each is converted to be read). */
const MAX_SHEETS_TRIED = 10;

/** A grade column has a few distinct values; more than this is not a rating column. */
const MAX_GRADE_VALUES = 200;

/** Distinct values of one column over the whole file, most frequent first. */
async function valueCounts(wh: Warehouse, head: FileHead, header: string): Promise<ScaleValueCount[]> {
  const col = head.scan.columns[head.headers.indexOf(header)]!;
  // A text file's first row is its header (title rows above it are skipped by the scan already).
  const rows = head.scan.headerRow ? `(SELECT ${col} AS v FROM ${head.scan.from} LIMIT ALL OFFSET 1)` : `(SELECT ${col} AS v FROM ${head.scan.from})`;
  const counted = await wh.withConnection((conn) =>
    all<{ v: string; n: number }>(conn, `SELECT trim(CAST(v AS VARCHAR)) AS v, count(*)::DOUBLE AS n FROM ${rows} WHERE NULLIF(trim(CAST(v AS VARCHAR)), '') IS NOT NULL GROUP BY 1 ORDER BY n DESC, v LIMIT ${MAX_GRADE_VALUES + 1}`),
  );
  return counted.map((r) => ({ value: r.v, count: r.n }));
}

/**
 * A field's value in the preview's scan, as the importer keys it: the mapped column or the
 * constant, trimmed with width and spaces folded (engine.ts isDimension); null when neither.
 */
function dimensionOf(head: FileHead, field: string, mapping: Record<string, string>, constants: Record<string, string>): string | null {
  const header = mapping[field];
  if (header && head.headers.includes(header)) return dimensionSql(`NULLIF(trim(CAST(${head.scan.columns[head.headers.indexOf(header)]!} AS VARCHAR)), '')`);
  // A constant is stored trimmed, as the importer binds it.
  const constant = constants[field];
  return constant !== undefined ? `NULLIF(${sqlString(constant.trim())}, '')` : null;
}

/** The creation plan over the whole file (see ImportPreview.creates). */
async function creationOf(wh: Warehouse, head: FileHead, table: ImportTarget, mapping: Record<string, string>, constants: Record<string, string>): Promise<CreationPlan | null> {
  // A text file's first row is its header (title rows above it are skipped by the scan already).
  const from = head.scan.headerRow ? `(SELECT * FROM ${head.scan.from} LIMIT ALL OFFSET 1)` : head.scan.from;
  if (table === 'flat') {
    const unit = dimensionOf(head, 'department', mapping, constants);
    const id = dimensionOf(head, 'employee_id', mapping, constants);
    if (!unit || !id) return null;
    const name = dimensionOf(head, 'name', mapping, constants);
    return wh.withConnection((conn) =>
      planCreation(conn, { units: { src: { from, value: unit, row: null }, by: 'name' }, employees: { from, id, name, row: null } }),
    );
  }
  if (table === 'metrics') {
    const unit = dimensionOf(head, 'org_unit_id', mapping, constants);
    if (!unit) return null;
    return wh.withConnection((conn) => planCreation(conn, { units: { src: { from, value: unit, row: null }, by: 'id' }, employees: null }));
  }
  return null;
}

/**
 * The target the headers point to when none was chosen: a flat sheet when an employee id, a
 * department and a score or grade column are all recognised (one row per employee and period,
 * the shape every HR system exports). Other targets are left to the user.
 */
export function suggestTarget(headers: string[], samples: Array<Array<string | null>>): ImportTarget | null {
  const found = new Map(suggestMapping(fieldsOf('flat'), headers, { samples }).filter((s) => s.header).map((s) => [s.field, s.confidence]));
  const sure = (f: string) => (found.get(f) ?? 0) >= 1;
  return sure('employee_id') && sure('department') && (found.has('score') || found.has('grade')) ? 'flat' : null;
}

/** A file that cannot be read at all, explained in both languages (message: "zh / en"). */
export class ImportFileError extends BilingualError {}

/** What the mapping screen needs: file facts, 20 rows and a suggested mapping for `table`. */
export async function previewImport(
  wh: Warehouse,
  path: string,
  opts: { table?: ImportTarget; sheet?: string; fileName?: string; workDir?: string; mapping?: Record<string, string>; constants?: Record<string, string> } = {},
): Promise<ImportPreview> {
  let head;
  try {
    head = await wh.withConnection((conn) => readHead(conn, path, { ...opts, rows: 20 }));
  } catch (err) {
    const { FileProblem, ImportLimitError } = await import('./file-errors.ts');
    const { explainFileFailure, sanitizeImportError } = await import('./failure.ts');
    // DuckDB's sniffer gives up on a quote that never closes with a generic message; say where it
    // is. Such a quote also makes one value swallow the rest of the file, which the value bound
    // catches first: the quote's line is the better answer there too. Other problems the
    // pre-checks found need no walk over the file.
    const quote = !(err instanceof FileProblem) || (err instanceof ImportLimitError && err.limit === 'maxCellChars');
    const line = quote && detectFormat(path, opts.fileName) === 'csv' ? await csvOpenQuoteLine(path).catch(() => null) : null;
    const explained = line !== null ? openQuoteError(line) : notATableError(err);
    const name = opts.fileName ?? basename(path);
    if (explained) throw Object.assign(new ImportFileError(`${name}：${explained.message.zh}`, `${name}: ${explained.message.en}`), { cause: err });
    // Past a bound, or unreadable (a reader's own words name server paths and SQL): said plainly.
    const problem = explainFileFailure(err, path, opts.fileName);
    if (problem) throw Object.assign(new ImportFileError(problem.zh, problem.en), { cause: err });
    throw sanitizeImportError(err, path, opts.fileName);
  }
  // Of a workbook's sheets, the one laid out as a flat sheet is the one to import when the user
  // has not picked one (a notes or cover sheet often comes first).
  if (opts.sheet === undefined && head.prepared.sheets.length > 1 && (opts.table === undefined || opts.table === 'flat') && suggestTarget(head.headers, head.rows) !== 'flat') {
    for (const sheet of head.prepared.sheets.slice(0, MAX_SHEETS_TRIED)) {
      if (sheet === head.prepared.sheet) continue;
      // A sheet that cannot be read is simply not the one; the first sheet's answer stands.
      const other = await wh.withConnection((conn) => readHead(conn, path, { ...opts, sheet, rows: 20 })).catch(() => null);
      if (other && suggestTarget(other.headers, other.rows) === 'flat') {
        head = other;
        break;
      }
    }
  }
  if (head.headers.length === 0) {
    const name = opts.fileName ?? basename(path);
    const { message } = nothingToImportError(false);
    throw new ImportFileError(`${name}：${message.zh}`, `${name}: ${message.en}`);
  }
  // The caller's choices win: their fields are not suggested again and their headers stay theirs.
  const chosen = Object.fromEntries(Object.entries(opts.mapping ?? {}).filter(([, h]) => head.headers.includes(h)));
  const exclude = [...Object.keys(chosen), ...Object.keys(opts.constants ?? {})];
  const taken = new Set(Object.values(chosen));
  const free = head.headers.map((h) => (taken.has(h) ? '' : h));
  const suggestions = opts.table ? suggestMapping(fieldsOf(opts.table), free, { samples: head.rows, exclude }) : [];
  const mapping: Record<string, string> = { ...Object.fromEntries(suggestions.filter((s) => s.header).map((s) => [s.field, s.header!])), ...chosen };
  const unmappedRequired = opts.table ? fieldsOf(opts.table).filter((f) => f.required && !mapping[f.name] && opts.constants?.[f.name] === undefined).map((f) => f.name) : [];
  let grade: ImportPreview['grade'] = null;
  if ((opts.table === 'flat' || opts.table === 'assessments') && mapping.grade) {
    const values = await valueCounts(wh, head, mapping.grade);
    if (values.length <= MAX_GRADE_VALUES) grade = { header: mapping.grade, values, proposal: proposeScale(values) };
  }
  const creates = opts.table ? await creationOf(wh, head, opts.table, mapping, opts.constants ?? {}) : null;
  const p = head.prepared;
  return {
    format: p.format, encoding: p.encoding, delimiter: p.delimiter, sheets: p.sheets, sheet: p.sheet,
    headers: head.headers, rows: head.rows, rowCount: head.rowCount, headerRow: (p.rowOffset ?? 0) + 1, table: opts.table ?? null,
    suggestions, mapping, unmappedRequired, grade, creates,
    suggestedTable: opts.table ? null : suggestTarget(head.headers, head.rows),
  };
}
