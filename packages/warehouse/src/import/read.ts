import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, openSync, readSync, closeSync, statSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import ExcelJS from 'exceljs';

/**
 * Turning an uploaded file into something DuckDB can scan. Bulk data never passes through JS row
 * by row except for XLSX (ExcelJS streams it) and GBK text (re-encoded chunk-wise to UTF-8).
 */
export type FileFormat = 'csv' | 'xlsx' | 'parquet';
export type TextEncoding = 'utf-8' | 'utf-8-bom' | 'gb18030';

export interface PreparedSource {
  format: FileFormat;
  /** A UTF-8 CSV (csv/xlsx) or the Parquet file itself. */
  path: string;
  encoding: TextEncoding | null;
  delimiter: string | null;
  sheets: string[];
  sheet: string | null;
  /** Sheet rows above the header (title rows): row numbers add it. */
  rowOffset?: number;
  /**
   * A text file's title lines above its header, which readers skip (`lines`), and how many of
   * them are records rather than blank lines (the blank-line scan counts records from the top).
   */
  title?: { lines: number; records: number };
}

const SAMPLE_BYTES = 1 << 20;

function readHead(path: string, bytes = SAMPLE_BYTES): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const n = readSync(fd, buf, 0, bytes, 0);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

export function detectFormat(path: string, fileName = path): FileFormat {
  const ext = extname(fileName).toLowerCase();
  if (ext === '.xlsx' || ext === '.xlsm') return 'xlsx';
  if (ext === '.parquet' || ext === '.pq') return 'parquet';
  const head = readHead(path, 4);
  if (head.toString('latin1') === 'PAR1') return 'parquet';
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return 'xlsx';
  return 'csv';
}

/** BOM → UTF-8; a sample that decodes as UTF-8 → UTF-8; anything else is taken as GB18030 (a superset of GBK). */
export function detectEncoding(sample: Uint8Array): TextEncoding {
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return 'utf-8-bom';
  try {
    // stream: true tolerates a multi-byte character cut at the end of the sample.
    new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: true });
    return 'utf-8';
  } catch {
    return 'gb18030';
  }
}

/** The candidate occurring most often (outside quotes) in the first lines wins; ',' on a tie. */
export function sniffDelimiter(text: string): string {
  const lines = text.split(/\r?\n/).slice(0, 10).filter((l) => l.length > 0);
  let best = ',';
  let bestCount = 0;
  for (const d of [',', ';', '\t', '|']) {
    let count = 0;
    for (const line of lines) {
      let quoted = false;
      for (const ch of line) {
        if (ch === '"') quoted = !quoted;
        else if (ch === d && !quoted) count++;
      }
    }
    if (count > bestCount) {
      best = d;
      bestCount = count;
    }
  }
  return best;
}

export function workDir(dir?: string): string {
  const d = dir ?? join(tmpdir(), 'perflens-import');
  mkdirSync(d, { recursive: true });
  return d;
}

const tempName = (dir: string, suffix: string) => join(dir, `${randomBytes(8).toString('hex')}${suffix}`);

async function transcodeToUtf8(path: string, dir: string): Promise<string> {
  const out = tempName(dir, '.utf8.csv');
  const ws = createWriteStream(out);
  const decoder = new TextDecoder('gb18030');
  for await (const chunk of createReadStream(path, { highWaterMark: 4 << 20 })) {
    await write(ws, decoder.decode(chunk as Buffer, { stream: true }));
  }
  ws.end(decoder.decode());
  await once(ws, 'finish');
  return out;
}

function csvCell(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Cell value as the text a user would type: dates as ISO, formulas as their result. */
export function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) {
    const date = `${v.getUTCFullYear()}-${pad(v.getUTCMonth() + 1)}-${pad(v.getUTCDate())}`;
    const hasTime = v.getUTCHours() || v.getUTCMinutes() || v.getUTCSeconds();
    return hasTime ? `${date} ${pad(v.getUTCHours())}:${pad(v.getUTCMinutes())}:${pad(v.getUTCSeconds())}` : date;
  }
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (Array.isArray(o.richText)) return (o.richText as Array<{ text: string }>).map((r) => r.text).join('');
    if ('result' in o) return cellText(o.result);
    if ('text' in o) return cellText(o.text);
    if ('error' in o) return '';
    return '';
  }
  return String(v);
}

async function write(ws: WriteStream, text: string): Promise<void> {
  if (!ws.write(text)) await once(ws, 'drain');
}

/** Rows of a sheet read before its header row is chosen. */
const HEADER_SCAN = 10;

/**
 * The header among a sheet's first rows (as cell texts). Workbooks made for people often start
 * with a title ("2024年3月绩效考核汇总表", one merged cell), a note or two ("制表部门：人力资源部",
 * "制表日期：2025-12-31") or a blank row above the table. The header is the first row that looks
 * like one: at least two values, none of them a number (headers are labels, data rows hold
 * scores) or a "label：value" note, and at least half as many values as the fullest of these
 * rows. Failing that, the first row of two values that are not notes, then of any two values;
 * failing all (one column), the first row.
 */
export function headerRowIndex(rows: string[][]): number {
  const values = rows.map((r) => r.map((t) => t.trim()).filter((t) => t !== ''));
  const most = Math.max(0, ...values.map((v) => v.length));
  const note = (t: string) => /[：:]\s*\S/.test(t);
  const number = (t: string) => Number.isFinite(Number(t.replace(/[,%]/g, '')));
  const first = (ok: (v: string[]) => boolean) => values.findIndex((v) => v.length >= 2 && ok(v));
  for (const i of [first((v) => v.length >= most / 2 && !v.some((t) => number(t) || note(t))), first((v) => !v.some(note)), first(() => true)]) if (i >= 0) return i;
  return 0;
}

/**
 * A text file's first lines as fields, to find its header. Quote-aware within a line; a quoted
 * field that spans lines ends the look (the lines before it decide).
 */
function headLines(text: string, delimiter: string): string[][] {
  const out: string[][] = [];
  for (const line of text.split(/\r?\n/).slice(0, HEADER_SCAN)) {
    const fields: string[] = [];
    let cur = '';
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const ch = line[i]!;
      if (quoted) {
        if (ch !== '"') cur += ch;
        else if (line[i + 1] === '"') cur += line[++i];
        else quoted = false;
      } else if (ch === '"') quoted = true;
      else if (ch === delimiter) {
        fields.push(cur);
        cur = '';
      } else cur += ch;
    }
    if (quoted) break;
    out.push([...fields, cur]);
  }
  return out;
}

/**
 * Writes one sheet's rows (sheet row number, cell texts) as a UTF-8 CSV from its header row on;
 * `end` gives the number of sheet rows above the header.
 */
function sheetCsv(ws: WriteStream): { push(number: number, texts: string[]): Promise<void>; end(): Promise<number> } {
  let width = 0;
  let last = 0;
  let rowOffset = 0;
  const emit = async (number: number, texts: string[]) => {
    // Rows the sheet leaves out (entirely empty) keep their place as empty records, so row
    // numbers match what the user sees; the importer skips empty records. A blank line would
    // not do: DuckDB drops blank lines. '""' keeps a one-column row from being one.
    if (last > 0) for (let n = last + 1; n < number; n++) await write(ws, `""${','.repeat(Math.max(width - 1, 0))}\n`);
    last = number;
    const cells: string[] = [];
    for (let i = 0; i < Math.max(width, texts.length); i++) cells.push(csvCell(texts[i] ?? ''));
    if (!cells.some((c) => c !== '')) cells[0] = '""';
    await write(ws, cells.join(',') + '\n');
  };
  // The first rows wait until the header among them is known.
  let head: Array<{ number: number; texts: string[] }> | null = [];
  const flush = async (rows: Array<{ number: number; texts: string[] }>) => {
    const h = headerRowIndex(rows.map((r) => r.texts));
    width = rows[h]!.texts.length;
    rowOffset = rows[h]!.number - 1;
    for (const r of rows.slice(h)) await emit(r.number, r.texts);
  };
  return {
    async push(number, texts) {
      if (head === null) await emit(number, texts);
      else if (head.push({ number, texts }) === HEADER_SCAN) {
        await flush(head);
        head = null;
      }
    },
    async end() {
      if (head?.length) await flush(head);
      return rowOffset;
    },
  };
}

/**
 * Workbooks up to this size (about 50,000 rows) are read whole, which gives their merged cells;
 * larger ones are streamed. Reading whole costs memory and time: 11 MB (300,000 rows) took 14.8 s
 * and 0.9 GB whole, 9.4 s and 25 MB streamed.
 */
const WHOLE_XLSX_BYTES = 2 << 20;

/**
 * One worksheet as a UTF-8 CSV (first sheet unless `sheet` names one) from its header row on,
 * and all sheet names. `rowOffset` is the number of sheet rows above the header.
 *
 * Sheets made by hand merge cells: a department merged down the rows of its people, a title
 * across the top. A merge spanning rows is filled down its first column, so every row keeps its
 * department; other cells of a merge stay empty (a title across six columns is one value). Only a
 * workbook read whole says where merges are, so this holds up to WHOLE_XLSX_BYTES; exports large
 * enough to be streamed come from systems, which do not merge.
 */
export async function xlsxToCsv(
  path: string,
  dir: string,
  sheet?: string,
  wholeBytes = WHOLE_XLSX_BYTES,
): Promise<{ csv: string; sheets: string[]; sheet: string; rowOffset: number }> {
  const out = tempName(dir, '.xlsx.csv');
  const ws = createWriteStream(out);
  const sink = sheetCsv(ws);
  const sheets: string[] = [];
  let chosen: string | null = null;
  if (statSync(path).size <= wholeBytes) {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(path);
    sheets.push(...wb.worksheets.map((w) => w.name));
    const w = wb.worksheets.find((x) => sheet === undefined || x.name === sheet);
    if (w) {
      chosen = w.name;
      // Cells of a merge other than its first column, by row: the reader repeats the merge's value there.
      const blank = new Map<number, number[]>();
      for (const ref of (w.model as { merges?: string[] }).merges ?? []) {
        const m = /^([A-Z]+)(\d+):([A-Z]+)(\d+)$/.exec(ref);
        if (!m) continue;
        const [c0, c1] = [columnIndex(m[1]!), columnIndex(m[3]!)];
        for (let r = Number(m[2]); r <= Number(m[4]); r++) {
          const cols = blank.get(r) ?? blank.set(r, []).get(r)!;
          for (let c = c0 + 1; c <= c1; c++) cols.push(c);
        }
      }
      const rows: Array<{ number: number; texts: string[] }> = [];
      w.eachRow((row, number) => {
        const texts = (row.values as unknown[]).slice(1).map(cellText);
        for (const c of blank.get(number) ?? []) if (c - 1 < texts.length) texts[c - 1] = '';
        rows.push({ number, texts });
      });
      for (const r of rows) await sink.push(r.number, r.texts);
    }
  } else {
    const reader = new ExcelJS.stream.xlsx.WorkbookReader(path, {
      worksheets: 'emit',
      sharedStrings: 'cache',
      styles: 'cache', // needed to recognise date-formatted numbers as dates
      hyperlinks: 'ignore',
      entries: 'ignore',
    });
    for await (const worksheet of reader) {
      const name = (worksheet as unknown as { name: string }).name;
      sheets.push(name);
      const take = chosen === null && (sheet === undefined || sheet === name);
      if (take) chosen = name;
      for await (const row of worksheet) if (take) await sink.push(row.number, (row.values as unknown[]).slice(1).map(cellText));
    }
  }
  const rowOffset = await sink.end();
  ws.end();
  await once(ws, 'finish');
  if (chosen === null) {
    throw new Error(
      sheet
        ? `Sheet "${sheet}" not found; the workbook has: ${sheets.join(', ')}. / 找不到工作表「${sheet}」，工作簿中有：${sheets.join('、')}。`
        : 'The workbook has no worksheet. / 工作簿中没有工作表。',
    );
  }
  return { csv: out, sheets, sheet: chosen, rowOffset };
}

/** 'A' → 1, 'AB' → 28. */
function columnIndex(letters: string): number {
  let n = 0;
  for (const ch of letters) n = n * 26 + ch.charCodeAt(0) - 64;
  return n;
}

const cache = new Map<string, PreparedSource>();

/** Prepares a file for DuckDB; conversions are cached per file version so preview + run convert once. */
export async function prepareSource(path: string, opts: { fileName?: string; sheet?: string; dir?: string } = {}): Promise<PreparedSource> {
  const st = statSync(path);
  const key = `${path}|${st.size}|${st.mtimeMs}|${opts.sheet ?? ''}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const format = detectFormat(path, opts.fileName ?? path);
  let prepared: PreparedSource;
  if (format === 'parquet') {
    prepared = { format, path, encoding: null, delimiter: null, sheets: [], sheet: null };
  } else if (format === 'xlsx') {
    const x = await xlsxToCsv(path, workDir(opts.dir), opts.sheet);
    prepared = { format, path: x.csv, encoding: null, delimiter: ',', sheets: x.sheets, sheet: x.sheet, rowOffset: x.rowOffset };
  } else {
    const head = readHead(path);
    const encoding = detectEncoding(head);
    const csvPath = encoding === 'gb18030' ? await transcodeToUtf8(path, workDir(opts.dir)) : path;
    const text = encoding === 'gb18030' ? new TextDecoder('gb18030').decode(head) : new TextDecoder('utf-8').decode(head);
    prepared = textSource(csvPath, encoding, text);
  }
  if (cache.size > 50) cache.delete(cache.keys().next().value!);
  cache.set(key, prepared);
  return prepared;
}

/** Re-decodes a file whose sample looked like UTF-8 but whose body is not (DuckDB rejects it). */
export async function forceGb18030(path: string, dir?: string): Promise<PreparedSource> {
  const csv = await transcodeToUtf8(path, workDir(dir));
  return textSource(csv, 'gb18030', new TextDecoder('gb18030').decode(readHead(path)));
}

/** A text file as DuckDB will read it (UTF-8 at `path`), from the start of its decoded text. */
function textSource(path: string, encoding: TextEncoding, head: string): PreparedSource {
  const text = head.replace(/^\uFEFF/, '');
  const delimiter = sniffDelimiter(text);
  // The title rows a workbook may have, saved as CSV: "2024年3月绩效考核汇总表,,,,".
  const lines = headerRowIndex(headLines(text, delimiter));
  const records = text.split(/\r?\n/).slice(0, lines).filter((l) => l.trim() !== '').length;
  return { format: 'csv', path, encoding, delimiter, sheets: [], sheet: null, ...(lines > 0 ? { rowOffset: lines, title: { lines, records } } : {}) };
}

/** The blank lines below the header (csvStructure counts records from the top, title lines included). */
export function blankRowsBelowHeader(blankRows: number[], p: PreparedSource): number[] {
  const above = p.title?.records ?? 0;
  return above ? blankRows.filter((k) => k >= above).map((k) => k - above) : blankRows;
}

const QUOTE = 0x22;

const NL = 0x0a;
const CR = 0x0d;
const BLANK_LF = Buffer.from('\n\n');
const BLANK_CRLF = Buffer.from('\n\r\n');

/**
 * One read of the file: its SHA-256 and, for a CSV, how many quote bytes it holds and whether a
 * blank line may sit between records ('\n\n', or '\n\r\n' in a file with Windows line ends,
 * before the last non-blank byte; blank lines at the end change no row number).
 */
async function scanFile(path: string, csv: boolean): Promise<{ sha256: string; quotes: number; blankLines: boolean }> {
  const h = createHash('sha256');
  let quotes = 0;
  let offset = 0;
  let firstBlank = -1;
  let lastContent = -1;
  let tail = Buffer.alloc(0);
  let blank: Buffer | undefined;
  for await (const chunk of createReadStream(path, { highWaterMark: 4 << 20 })) {
    const b = chunk as Buffer;
    h.update(b);
    if (csv) {
      for (let i = b.indexOf(QUOTE); i >= 0; i = b.indexOf(QUOTE, i + 1)) quotes++;
      // One search, for the file's own line end (seen in its first chunk): each costs ~0.1 s per 300 MB.
      blank ??= b.includes('\r\n') ? BLANK_CRLF : BLANK_LF;
      if (firstBlank < 0) {
        // The last two bytes of the previous chunk go in front, so a pair split between chunks is seen.
        const across = Buffer.concat([tail, b.subarray(0, 2)]).indexOf(blank);
        const within = b.indexOf(blank);
        if (across >= 0) firstBlank = offset - tail.length + across;
        else if (within >= 0) firstBlank = offset + within;
      }
      for (let i = b.length - 1; i >= 0; i--)
        if (b[i] !== NL && b[i] !== CR) {
          lastContent = offset + i;
          break;
        }
      tail = Buffer.from(b.subarray(Math.max(0, b.length - 2)));
    }
    offset += b.length;
  }
  return { sha256: h.digest('hex'), quotes, blankLines: firstBlank >= 0 && firstBlank < lastContent };
}

export interface FileScan {
  sha256: string;
  /** Line on which a quoted field opens and never closes, else null (CSV only). */
  openQuoteLine: number | null;
  /** Blank lines between records: for each, how many data rows precede it (see csvStructure). */
  blankRows: number[];
}

/**
 * The file's SHA-256, and for a CSV file the line on which a quoted field opens and never
 * closes (else null) and where blank lines sit, from one read. DuckDB reads an unclosed quote
 * without complaint and silently drops everything from that field to the end of the file, so
 * the importer checks it; it also skips blank lines, which Excel shows as rows.
 * An even number of quote bytes and no blank line (the usual case) prove both; only other files
 * pay for the walk.
 */
export async function hashAndCheckQuotes(path: string, fileName?: string): Promise<FileScan> {
  const csv = detectFormat(path, fileName) === 'csv';
  const { sha256, quotes, blankLines } = await scanFile(path, csv);
  if (!csv || (quotes % 2 === 0 && !blankLines)) return { sha256, openQuoteLine: null, blankRows: [] };
  return { sha256, ...(await csvStructure(path)) };
}

/** A quoted field that never closes, as the line it opens on (else null). */
export async function csvOpenQuoteLine(path: string): Promise<number | null> {
  return (await csvStructure(path)).openQuoteLine;
}

/**
 * Walks a CSV file byte by byte: for a quoted field that never closes, and for blank lines
 * between records. Quotes only open a field at its start (a quote inside an unquoted value,
 * 张"三, is literal for DuckDB too); "" inside a quoted field is an escaped quote. Quote,
 * delimiter and newline are ASCII, which neither UTF-8 nor GBK uses inside a multi-byte
 * character, so the bytes are walked as they are.
 *
 * DuckDB skips blank lines, so the n-th record it reads is not the n-th row Excel shows. Each
 * blank line is given as the number of data rows (records after the header) before it: the
 * data row k (0-based) is then the sheet's row k + 2 + (blank lines given as ≤ k). Blank lines
 * after the last record are left out.
 */
export async function csvStructure(path: string): Promise<{ openQuoteLine: number | null; blankRows: number[] }> {
  // Delimiters are ASCII, so the head decodes well enough as latin1 whatever the encoding.
  const DELIM = sniffDelimiter(readHead(path, 64 << 10).toString('latin1')).charCodeAt(0);
  let line = 1;
  let openedAt = 0;
  let fieldStart = true;
  let inQuoted = false;
  // A quote seen inside a quoted field: either the closing quote or the first of an escaped "".
  let pendingQuote = false;
  let first = true;
  let records = 0;
  let emptyLine = true;
  const blanks: number[] = [];
  for await (const chunk of createReadStream(path, { highWaterMark: 4 << 20 })) {
    const b = chunk as Buffer;
    const bom = first && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
    first = false;
    for (let i = bom; i < b.length; i++) {
      const c = b[i]!;
      if (inQuoted) {
        if (pendingQuote) {
          pendingQuote = false;
          if (c === QUOTE) continue; // "" is a literal quote
          inQuoted = false; // the field closed just before c: fall through to handle c
        } else {
          if (c === QUOTE) pendingQuote = true;
          else if (c === NL) line++;
          continue;
        }
      }
      if (c === NL) {
        line++;
        if (emptyLine) blanks.push(Math.max(0, records - 1));
        else records++;
        fieldStart = true;
        emptyLine = true;
      } else if (c === DELIM) {
        fieldStart = true;
        emptyLine = false;
      } else if (c === QUOTE && fieldStart) {
        inQuoted = true;
        openedAt = line;
        fieldStart = false;
        emptyLine = false;
      } else if (c !== CR) {
        fieldStart = false;
        emptyLine = false;
      }
    }
  }
  if (!emptyLine) records++;
  const dataRows = Math.max(0, records - 1);
  return { openQuoteLine: inQuoted && !pendingQuote ? openedAt : null, blankRows: blanks.filter((k) => k < dataRows) };
}

/** A string literal for the few places DuckDB does not accept a bound parameter (views). */
export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

export function sqlIdent(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}
