import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, openSync, readdirSync, readSync, closeSync, rmSync, statSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ImportLimitError, SheetNotFoundError, UnreadableFileError, type LimitBreach } from './file-errors.ts';
import { importLimits, type ImportLimits } from './limits.ts';
import { checkParquet } from './parquet-footer.ts';
import { cellText, HEADER_SCAN, headerRowIndex } from './sheet-csv.mjs';
import { checkTextFile } from './text-scan.ts';
import { scanWorkbook } from './zip-scan.ts';

export { cellText, headerRowIndex };

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
  // At most once an hour per folder: conversions of files last used a day ago (an upload is
  // kept a day, uploads.ts) are not coming back.
  const now = Date.now();
  if (now - (swept.get(d) ?? 0) > SWEEP_EVERY_MS) {
    swept.set(d, now);
    pruneConversions(d, CONVERSION_MAX_AGE_MS, now);
  }
  return d;
}

const tempName = (dir: string, suffix: string) => join(dir, `${randomBytes(8).toString('hex')}${suffix}`);
/** The names tempName hands out: the only files the clean-up below ever removes. */
const CONVERSION_NAME = /^[0-9a-f]{16}\.(utf8|xlsx)\.csv$/;
export const CONVERSION_MAX_AGE_MS = 24 * 60 * 60 * 1000;
const SWEEP_EVERY_MS = 60 * 60 * 1000;
const swept = new Map<string, number>();

/**
 * Deletes converted files (GBK → UTF-8, workbook → CSV) in `dir` not written or read for
 * `maxAgeMs`; returns how many went. Another process's conversion in use is younger than that.
 */
export function pruneConversions(dir: string, maxAgeMs = CONVERSION_MAX_AGE_MS, now = Date.now()): number {
  let removed = 0;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    if (!CONVERSION_NAME.test(name)) continue;
    const path = join(dir, name);
    try {
      const st = statSync(path);
      if (now - Math.max(st.mtimeMs, st.atimeMs) > maxAgeMs) {
        rmSync(path, { force: true });
        removed++;
      }
    } catch {
      /* removed meanwhile: nothing to do */
    }
  }
  return removed;
}

/** `from`: bytes to leave out (a UTF-8 byte-order mark in front of GBK text). */
async function transcodeToUtf8(path: string, dir: string, from = 0): Promise<string> {
  const out = tempName(dir, '.utf8.csv');
  const ws = createWriteStream(out);
  const decoder = new TextDecoder('gb18030');
  for await (const chunk of createReadStream(path, { highWaterMark: 4 << 20, start: from })) {
    await write(ws, decoder.decode(chunk as Buffer, { stream: true }));
  }
  ws.end(decoder.decode());
  await once(ws, 'finish');
  return out;
}

async function write(ws: WriteStream, text: string): Promise<void> {
  if (!ws.write(text)) await once(ws, 'drain');
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
 * Workbooks up to this size (about 50,000 rows) are read whole, which gives their merged cells;
 * larger ones are streamed. Reading whole costs memory and time: 11 MB (300,000 rows) took 14.8 s
 * and 0.9 GB whole, 9.4 s and 25 MB streamed.
 */
const WHOLE_XLSX_BYTES = 2 << 20;
/**
 * ...and only while its parts unpack to at most this. Read whole, a workbook takes about 15 times
 * its XML in heap (a 2 MB workbook of 55,000 rows, 19.6 MB of XML: 330 MB), and the converter's
 * heap is capped (xlsxWorkerHeapMb, 512 MB by default). Ordinary sheets unpack to about ten times
 * their packed size; a small file that unpacks to more is streamed (or refused by the ratio bound).
 */
const WHOLE_XML_BYTES = 24 << 20;
/** Workbooks converted at once: each worker process may take xlsxWorkerHeapMb, the others wait their turn. */
const XLSX_WORKERS = 2;

let converting = 0;
const waiting: Array<() => void> = [];
async function inTurn<T>(fn: () => Promise<T>): Promise<T> {
  if (converting >= XLSX_WORKERS) await new Promise<void>((r) => waiting.push(r));
  converting++;
  try {
    return await fn();
  } finally {
    converting--;
    waiting.shift()?.();
  }
}

interface WorkerJob {
  path: string;
  out: string;
  sheet?: string;
  whole: boolean;
  limits: Pick<ImportLimits, 'maxColumns' | 'maxRows' | 'maxCells' | 'maxCellChars'>;
}

type WorkerReply =
  | { ok: true; sheets: string[]; sheet: string; rowOffset: number }
  | { ok: false; breach: LimitBreach }
  | { ok: false; missing: string | null; sheets: string[] }
  | { ok: false; error: string };

const WORKER = fileURLToPath(new URL('./xlsx-worker.mjs', import.meta.url));

/**
 * Runs xlsx-worker.mjs on one workbook, in a process of its own with a capped heap, killed when it
 * runs past its time; either way the server's thread never parsed a byte of it, and a workbook
 * that exhausts the capped heap ends that process only (a worker thread's would, now and then,
 * abort the server: see xlsx-worker.mjs). It is plain JavaScript and gets none of the server's
 * flags (`--import tsx`, a larger heap): it needs no loader, and its heap is the one set here.
 */
function convertInWorker(job: WorkerJob, limits: ImportLimits): Promise<{ sheets: string[]; sheet: string; rowOffset: number }> {
  return new Promise((resolve, reject) => {
    // NODE_OPTIONS is left out too: a heap size or loader set there for the server is not the converter's.
    const { NODE_OPTIONS: _ignored, ...env } = process.env;
    const child = fork(WORKER, [JSON.stringify(job)], {
      env,
      execArgv: [`--max-old-space-size=${limits.xlsxWorkerHeapMb}`],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'json',
    });
    // The last of what it printed: V8's out-of-memory report, for the log (never for the user).
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4096)));
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    const timer = setTimeout(() => settle(() => reject(new ImportLimitError({ limit: 'xlsxTimeoutMs', max: limits.xlsxTimeoutMs }))), limits.xlsxTimeoutMs);
    child.once('message', (m: WorkerReply) =>
      settle(() => {
        if (m.ok) resolve(m);
        else if ('breach' in m) reject(new ImportLimitError(m.breach));
        else if ('missing' in m) reject(new SheetNotFoundError(m.missing, m.sheets));
        // JSZip's and ExcelJS's words are for the log (as the cause), not for the user.
        else reject(new UnreadableFileError('xlsx', undefined, new Error(m.error)));
      }),
    );
    child.once('error', (err) => settle(() => reject(new UnreadableFileError('xlsx', undefined, err))));
    child.once('exit', (code, signal) =>
      // 'close' would wait for stderr; a short delay lets its last lines arrive.
      setTimeout(
        () =>
          settle(() => {
            const cause = new Error(`workbook worker ended (code ${code}, signal ${signal}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
            reject(/heap out of memory|Allocation failed/i.test(stderr) ? Object.assign(new ImportLimitError({ limit: 'xlsxWorkerHeapMb', max: limits.xlsxWorkerHeapMb }), { cause }) : new UnreadableFileError('xlsx', undefined, cause));
          }),
        50,
      ),
    );
  });
}

/**
 * One worksheet as a UTF-8 CSV (first sheet unless `sheet` names one) from its header row on,
 * and all sheet names. `rowOffset` is the number of sheet rows above the header.
 *
 * Sheets made by hand merge cells: a department merged down the rows of its people, a title
 * across the top. A merge spanning rows is filled down its first column, so every row keeps its
 * department; other cells of a merge stay empty (a title across six columns is one value). Only a
 * workbook read whole says where merges are, so this holds up to WHOLE_XLSX_BYTES; exports large
 * enough to be streamed come from systems, which do not merge.
 *
 * A hostile workbook is stopped in two steps: the pre-scan (zip-scan.ts) checks sizes, merges and
 * the declared dimension without parsing anything, then the conversion runs in a worker process
 * with a capped heap and a deadline, checking columns, rows and value lengths as it writes.
 * Throws ImportLimitError, UnreadableFileError or SheetNotFoundError.
 */
export async function xlsxToCsv(
  path: string,
  dir: string,
  sheet?: string,
  wholeBytes = WHOLE_XLSX_BYTES,
  limits: ImportLimits = importLimits(),
): Promise<{ csv: string; sheets: string[]; sheet: string; rowOffset: number }> {
  const size = statSync(path).size;
  const facts = await scanWorkbook(path, size, limits);
  const whole = size <= wholeBytes && facts.expandedBytes <= WHOLE_XML_BYTES;
  const out = tempName(dir, '.xlsx.csv');
  const { maxColumns, maxRows, maxCells, maxCellChars } = limits;
  try {
    const r = await inTurn(() => convertInWorker({ path, out, ...(sheet === undefined ? {} : { sheet }), whole, limits: { maxColumns, maxRows, maxCells, maxCellChars } }, limits));
    return { csv: out, sheets: r.sheets, sheet: r.sheet, rowOffset: r.rowOffset };
  } catch (err) {
    rmSync(out, { force: true });
    throw err;
  }
}

/**
 * Conversions by file version, so preview and run convert once. An entry dropped from the cache
 * takes its converted file with it, unless it was used in the last CACHE_IN_USE_MS (an import may
 * still be reading it; the sweep in workDir removes it a day later).
 */
interface CacheEntry {
  source: string;
  prepared: PreparedSource;
  usedAt: number;
}
const cache = new Map<string, CacheEntry>();
const CACHE_ENTRIES = 50;
const CACHE_IN_USE_MS = 10 * 60 * 1000;

function remember(key: string, source: string, prepared: PreparedSource): void {
  while (cache.size >= CACHE_ENTRIES) {
    const [oldKey, old] = cache.entries().next().value!;
    cache.delete(oldKey);
    const converted = old.prepared.path !== old.source && CONVERSION_NAME.test(basename(old.prepared.path));
    if (converted && Date.now() - old.usedAt > CACHE_IN_USE_MS && ![...cache.values()].some((e) => e.prepared.path === old.prepared.path))
      rmSync(old.prepared.path, { force: true });
  }
  cache.set(key, { source, prepared, usedAt: Date.now() });
}

/**
 * Prepares a file for DuckDB; conversions are cached per file version so preview + run convert
 * once. Every file is measured against the import bounds (limits.ts) first, so DuckDB and ExcelJS
 * only ever see files they can read in bounded time and memory: a Parquet file by its footer, a
 * text file by a walk over its fields, a workbook by its zip directory and a worker process.
 * Throws ImportLimitError, UnreadableFileError or SheetNotFoundError (file-errors.ts).
 */
export async function prepareSource(path: string, opts: { fileName?: string; sheet?: string; dir?: string } = {}): Promise<PreparedSource> {
  const st = statSync(path);
  const key = `${path}|${st.size}|${st.mtimeMs}|${opts.sheet ?? ''}`;
  const hit = cache.get(key);
  // A conversion swept away meanwhile is made again.
  if (hit && (hit.prepared.path === path || existsSync(hit.prepared.path))) {
    // Last in line again: the cache drops the conversions used longest ago.
    cache.delete(key);
    cache.set(key, { ...hit, usedAt: Date.now() });
    return hit.prepared;
  }
  const format = detectFormat(path, opts.fileName ?? path);
  const limits = importLimits();
  let prepared: PreparedSource;
  if (format === 'parquet') {
    await checkParquet(path, st.size, limits);
    prepared = { format, path, encoding: null, delimiter: null, sheets: [], sheet: null };
  } else if (format === 'xlsx') {
    const x = await xlsxToCsv(path, workDir(opts.dir), opts.sheet, undefined, limits);
    prepared = { format, path: x.csv, encoding: null, delimiter: ',', sheets: x.sheets, sheet: x.sheet, rowOffset: x.rowOffset };
  } else {
    const head = readHead(path);
    const encoding = detectEncoding(head);
    if (encoding === 'gb18030') {
      const csvPath = await transcodeToUtf8(path, workDir(opts.dir));
      prepared = await checkedTextSource(csvPath, encoding, new TextDecoder('gb18030').decode(head), limits);
    } else {
      const source = textSource(path, encoding, new TextDecoder('utf-8').decode(head));
      const shape = await checkTextFile(path, source.delimiter ?? ',', source.title?.lines ?? 0, limits, { utf8: true });
      if (shape.utf8) prepared = source;
      else if (shape.mixed) throw new UnreadableFileError('csv', 'encoding', undefined, shape.mixed.badLine);
      else {
        // Plain ASCII up to where it stops being UTF-8 (ids and numbers first, names further on):
        // GBK, read as GB18030 as a file that is not UTF-8 from the start is (without the
        // byte-order mark, which belongs to neither).
        const bom = encoding === 'utf-8-bom' ? 3 : 0;
        const csvPath = await transcodeToUtf8(path, workDir(opts.dir), bom);
        prepared = await checkedTextSource(csvPath, 'gb18030', new TextDecoder('gb18030').decode(head.subarray(bom)), limits);
      }
    }
  }
  remember(key, path, prepared);
  return prepared;
}

/** Re-decodes a file whose sample looked like UTF-8 but whose body is not (DuckDB rejects it). */
export async function forceGb18030(path: string, dir?: string): Promise<PreparedSource> {
  const csv = await transcodeToUtf8(path, workDir(dir));
  return checkedTextSource(csv, 'gb18030', new TextDecoder('gb18030').decode(readHead(path)), importLimits());
}

/** textSource, after the file's columns, rows and values are measured against the bounds (text-scan.ts). */
async function checkedTextSource(path: string, encoding: TextEncoding, head: string, limits: ImportLimits): Promise<PreparedSource> {
  const source = textSource(path, encoding, head);
  await checkTextFile(path, source.delimiter ?? ',', source.title?.lines ?? 0, limits);
  return source;
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
