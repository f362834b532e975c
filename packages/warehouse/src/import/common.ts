import type { DuckDBConnection } from '@duckdb/node-api';
import { basename } from 'node:path';
import { fieldsOf, type ImportError, type ImportTarget } from '@perflens/core';
import { forceGb18030, prepareSource, sqlIdent, sqlString, type PreparedSource } from './read.ts';

/** Pieces both import paths share: reading a file's head, mapping checks, statement tracing, the batch record. */

export async function all<T = Record<string, unknown>>(conn: DuckDBConnection, sql: string, params?: Record<string, unknown>): Promise<T[]> {
  const t0 = performance.now();
  const reader = await conn.runAndReadAll(sql, params as never);
  if (process.env.PERFLENS_IMPORT_TRACE) process.stderr.write(`${(performance.now() - t0).toFixed(0)} ms  ${sql.replace(/\s+/g, ' ').slice(0, 160)}\n`);
  return reader.getRowObjectsJson() as unknown as T[];
}

export async function run(conn: DuckDBConnection, sql: string, params?: unknown): Promise<void> {
  const t0 = performance.now();
  await conn.run(sql, params as never);
  if (process.env.PERFLENS_IMPORT_TRACE) process.stderr.write(`${(performance.now() - t0).toFixed(0)} ms  ${sql.replace(/\s+/g, ' ').slice(0, 160)}\n`);
}

export function csvScan(p: PreparedSource, columns: string[] | null): string {
  // The staged scan fixes every column as VARCHAR (no sniffing, no type guessing over millions of rows).
  // A title above the header (PreparedSource.title) is skipped: DuckDB's skip counts lines.
  const title = p.title?.lines ?? 0;
  const cols = columns
    ? `, columns={${columns.map((_c, i) => `'c${i}': 'VARCHAR'`).join(', ')}}, skip=${1 + title}, auto_detect=false`
    : `, all_varchar=true${title ? `, skip=${title}` : ''}`;
  // null_padding turns a short row into empty fields (reported as missing values, not as a parse
  // error); DuckDB's parallel reader refuses it when a quoted field spans lines, and numbering
  // the staged rows is sequential anyway (2M rows: 1.2 s parallel, 1.4 s not).
  return `read_csv(${sqlString(p.path)}, header=false, delim=${sqlString(p.delimiter ?? ',')}, quote='"', escape='"', null_padding=true, parallel=false${cols})`;
}

export interface FileHead {
  prepared: PreparedSource;
  headers: string[];
  /** Source column SQL type, parallel to headers (all VARCHAR for text files). */
  types: string[];
  rows: Array<Array<string | null>>;
  rowCount: number;
  /**
   * Text files: the first column after the last named header, when some row has more fields
   * than the header (DuckDB widens the sample to the widest row); those values belong nowhere.
   */
  extraFrom: number | null;
  /** SQL source of the whole file and each header's column in it (the header row is its first row for text files). */
  scan: { from: string; columns: string[]; headerRow: boolean };
}

/** Header, first rows and row count. Retries as GB18030 when a UTF-8-looking file turns out not to be. */
export async function readHead(
  conn: DuckDBConnection,
  path: string,
  /** `prepared`: the file as an earlier read of it left it (XLSX and GBK are converted only once). */
  opts: { fileName?: string; sheet?: string; workDir?: string; rows?: number; prepared?: PreparedSource },
): Promise<FileHead> {
  let prepared = opts.prepared ?? (await prepareSource(path, { fileName: opts.fileName, sheet: opts.sheet, dir: opts.workDir }));
  const n = opts.rows ?? 20;
  if (prepared.format === 'parquet') {
    const src = `read_parquet(${sqlString(prepared.path)})`;
    const desc = await all<{ column_name: string; column_type: string }>(conn, `DESCRIBE SELECT * FROM ${src}`);
    const headers = desc.map((d) => d.column_name);
    const sample = await all(conn, `SELECT ${headers.map((h) => `CAST(${sqlIdent(h)} AS VARCHAR) AS ${sqlIdent(h)}`).join(', ')} FROM ${src} LIMIT ${n}`);
    const [cnt] = await all<{ n: number }>(conn, `SELECT count(*)::BIGINT::DOUBLE AS n FROM ${src}`);
    return {
      prepared, headers, types: desc.map((d) => d.column_type), rows: sample.map((r) => headers.map((h) => (r[h] as string | null) ?? null)), rowCount: cnt!.n, extraFrom: null,
      scan: { from: src, columns: headers.map(sqlIdent), headerRow: false },
    };
  }
  const attempt = async () => {
    const sample = await all(conn, `SELECT * FROM ${csvScan(prepared, null)} LIMIT ${n + 1}`);
    // A run counts rows while staging; only the preview pays for a separate counting scan.
    const cnt = opts.rows === 0 ? [{ n: 0 }] : await all<{ n: number }>(conn, `SELECT count(*)::BIGINT::DOUBLE AS n FROM ${csvScan(prepared, null)}`);
    return { sample, count: cnt[0]!.n };
  };
  let r;
  try {
    r = await attempt();
  } catch (err) {
    if (prepared.format !== 'csv' || prepared.encoding === 'gb18030' || !/unicode|utf-?8/i.test(String(err))) throw err;
    prepared = await forceGb18030(path, opts.workDir);
    r = await attempt();
  }
  const first = r.sample[0] ?? {};
  const keys = Object.keys(first);
  const named = keys.map((k) => String(first[k] ?? '').replace(/^\uFEFF/, '').trim());
  // A header given twice (two '得分' columns) becomes '得分' and '得分 (2)', so each can be mapped;
  // a header row with no name at all (a file of blank lines) is no header.
  const used = new Set<string>();
  const headers = named.every((h) => h === '')
    ? []
    : named.map((h, i) => {
        const base = h || `column${i + 1}`;
        let name = base;
        for (let n = 2; used.has(name); n++) name = `${base} (${n})`;
        used.add(name);
        return name;
      });
  const lastNamed = named.findLastIndex((h) => h !== '');
  return {
    extraFrom: lastNamed >= 0 && lastNamed < keys.length - 1 ? lastNamed + 1 : null,
    prepared,
    headers,
    types: headers.map(() => 'VARCHAR'),
    rows: r.sample.slice(1).map((row) => keys.map((k) => (row[k] as string | null) ?? null)),
    rowCount: Math.max(0, r.count - 1),
    scan: { from: csvScan(prepared, null), columns: keys.slice(0, headers.length).map(sqlIdent), headerRow: true },
  };
}

export /** Mapping problems found before touching the data (unknown header, unmapped required field). */
function mappingErrors(table: ImportTarget, headers: string[], mapping: Record<string, string>, constants: Record<string, string>): ImportError[] {
  const errors: ImportError[] = [];
  const fields = fieldsOf(table);
  for (const [field, header] of Object.entries(mapping)) {
    if (!fields.some((f) => f.name === field))
      errors.push({ row: null, column: header, code: 'mapping', value: field, message: { zh: `导入目标「${table}」没有字段「${field}」`, en: `Table "${table}" has no field "${field}"` } });
    else if (!headers.includes(header))
      errors.push({ row: null, column: header, code: 'mapping', value: header, message: { zh: `文件中没有列「${header}」（字段 ${field}）`, en: `The file has no column "${header}" (field ${field})` } });
  }
  for (const f of fields) {
    if (f.required && !mapping[f.name] && constants[f.name] === undefined)
      errors.push({
        row: null, column: f.label.zh, code: 'mapping', value: null,
        message: { zh: `必填字段「${f.label.zh}」没有对应的列，也没有设定固定值`, en: `Required field "${f.label.en}" is not mapped to a column and has no constant value` },
      });
  }
  // A flat sheet needs a score or a grade (or both); either alone is enough.
  if (table === 'flat' && !mapping.score && !mapping.grade && constants.score === undefined && constants.grade === undefined)
    errors.push({
      row: null, column: null, code: 'mapping', value: null,
      message: { zh: '需要「绩效得分」或「绩效等级」中至少一列：两者都没有对应的列', en: 'A score or a grade column is needed: neither "Score" nor "Grade" is mapped to a column' },
    });
  for (const field of Object.keys(constants))
    if (!fields.some((f) => f.name === field))
      errors.push({ row: null, column: field, code: 'mapping', value: constants[field] ?? null, message: { zh: `导入目标「${table}」没有字段「${field}」`, en: `Table "${table}" has no field "${field}"` } });
  return errors;
}

/** A quoted value that never closes (read.ts csvOpenQuoteLine). */
export function openQuoteError(line: number): ImportError {
  return {
    row: line, column: null, code: 'format', value: null,
    message: {
      zh: `第 ${line} 行：以英文双引号开始的内容一直没有结束，此后各行都会被读成同一个值。请检查该行的引号（值中的双引号应写成两个：""）`,
      en: `Row ${line}: a value opens with a double quote that is never closed, so every later line would be read as part of it. Check the quotes on that line (a quote inside a value is written twice: "")`,
    },
  };
}

/**
 * DuckDB's CSV sniffer found no consistent dialect: the text is not a table (notes or a JSON
 * snippet saved as .csv …). Returns the plain explanation to show instead of DuckDB's report,
 * or null for any other error.
 */
export function notATableError(err: unknown): ImportError | null {
  if (!/Error when sniffing file|not possible to automatically detect the CSV parsing dialect/.test(String((err as Error)?.message ?? err))) return null;
  return {
    row: null, column: null, code: 'format', value: null,
    message: {
      zh: '无法把文件读成表格：各行的列数不一致，或不是用逗号、分号或制表符分隔的文本。请在 Excel 中另存为“CSV UTF-8（逗号分隔）”或 XLSX 后再导入',
      en: 'The file cannot be read as a table: its lines do not have a consistent number of fields, or it is not text separated by commas, semicolons or tabs. Save it from Excel as "CSV UTF-8 (comma delimited)" or XLSX and import that',
    },
  };
}

/** A file with nothing to import: empty, or a header with no row under it. */
export function nothingToImportError(hasHeader: boolean): ImportError {
  return {
    row: null, column: null, code: 'format', value: null,
    message: hasHeader
      ? { zh: '文件只有表头，下面没有任何数据行，没有可导入的内容', en: 'The file has a header but no data rows under it: there is nothing to import' }
      : { zh: '文件是空的：没有表头，也没有数据', en: 'The file is empty: it has no header and no data' },
  };
}

/** A row with more fields than the header. */
export function extraFieldsError(row: number, fields: number, header: number, value: string): ImportError {
  return {
    row, column: null, code: 'format', value,
    message: {
      zh: `第 ${row} 行：有 ${fields} 个字段，而表头只有 ${header} 列（多出“${value}”）。常见原因是值中含有未加引号的分隔符`,
      en: `Row ${row}: ${fields} fields but the header has ${header} columns (extra: "${value}"). A delimiter inside an unquoted value is the usual cause`,
    },
  };
}

export interface BatchRecord {
  id: number;
  table: ImportTarget;
  path: string;
  fileName?: string;
  source?: 'upload' | 'cli' | 'demo';
  settings: { mapping: Record<string, string>; constants: Record<string, string>; onDuplicate: string };
  sha: string;
  prepared: PreparedSource;
  rowCount: number;
  inserted: number;
  replaced: number;
  started: Date;
}

/** The import_batches row: what was read, how it was mapped, and what it wrote. */
export async function recordBatch(conn: DuckDBConnection, b: BatchRecord): Promise<void> {
  const { prepared } = b;
  await run(conn, `INSERT INTO import_batches (id, table_name, file_name, file_sha256, format, row_count, inserted, replaced, mapping, source, started_at, finished_at)
    VALUES ($id, $t, $f, $sha, $fmt, $rows, $ins, $rep, $map, $src, $start::TIMESTAMP, current_timestamp::TIMESTAMP)`, {
    id: b.id, t: b.table, f: b.fileName ?? basename(b.path), sha: b.sha, fmt: prepared.format, rows: b.rowCount, ins: b.inserted, rep: b.replaced,
    map: JSON.stringify({ ...b.settings, sheet: prepared.sheet, encoding: prepared.encoding, delimiter: prepared.delimiter }),
    src: b.source ?? 'upload', start: b.started.toISOString().replace('T', ' ').replace('Z', ''),
  });
}

/** The next batch id (batches are written inside the import's transaction, so ids never collide). */
export async function nextBatchId(conn: DuckDBConnection): Promise<number> {
  const [b] = await all<{ id: number }>(conn, 'SELECT (COALESCE(max(id), 0) + 1)::INTEGER AS id FROM import_batches');
  return b!.id;
}
