import { BilingualError, fieldsOf, suggestMapping, type HeaderSuggestion, type ImportTarget } from '@perflens/core';
import { basename } from 'node:path';
import type { Warehouse } from '../db.ts';
import { notATableError, nothingToImportError, openQuoteError, readHead } from './common.ts';
import { csvOpenQuoteLine, detectFormat, type FileFormat, type TextEncoding } from './read.ts';

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
  /** field → header, the suggestions that found something. */
  mapping: Record<string, string>;
  unmappedRequired: string[];
}

/** A file that cannot be read at all, explained in both languages (message: "zh / en"). */
export class ImportFileError extends BilingualError {}

/** What the mapping screen needs: file facts, 20 rows and a suggested mapping for `table`. */
export async function previewImport(
  wh: Warehouse,
  path: string,
  opts: { table?: ImportTarget; sheet?: string; fileName?: string; workDir?: string } = {},
): Promise<ImportPreview> {
  let head;
  try {
    head = await wh.withConnection((conn) => readHead(conn, path, { ...opts, rows: 20 }));
  } catch (err) {
    // DuckDB's sniffer gives up on a quote that never closes with a generic message; say where it is.
    const line = detectFormat(path, opts.fileName) === 'csv' ? await csvOpenQuoteLine(path).catch(() => null) : null;
    const explained = line !== null ? openQuoteError(line) : notATableError(err);
    if (!explained) throw err;
    const name = opts.fileName ?? basename(path);
    throw new ImportFileError(`${name}：${explained.message.zh}`, `${name}: ${explained.message.en}`);
  }
  if (head.headers.length === 0) {
    const name = opts.fileName ?? basename(path);
    const { message } = nothingToImportError(false);
    throw new ImportFileError(`${name}：${message.zh}`, `${name}: ${message.en}`);
  }
  const suggestions = opts.table ? suggestMapping(fieldsOf(opts.table), head.headers) : [];
  const mapping = Object.fromEntries(suggestions.filter((s) => s.header).map((s) => [s.field, s.header!]));
  const unmappedRequired = opts.table ? fieldsOf(opts.table).filter((f) => f.required && !mapping[f.name]).map((f) => f.name) : [];
  const p = head.prepared;
  return {
    format: p.format, encoding: p.encoding, delimiter: p.delimiter, sheets: p.sheets, sheet: p.sheet,
    headers: head.headers, rows: head.rows, rowCount: head.rowCount, headerRow: (p.rowOffset ?? 0) + 1, table: opts.table ?? null,
    suggestions, mapping, unmappedRequired,
  };
}
