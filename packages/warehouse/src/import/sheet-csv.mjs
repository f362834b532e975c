// @ts-check
/**
 * Sheet rows → CSV text, shared by the main thread (read.ts: header detection of text files,
 * cellText) and the workbook worker (xlsx-worker.mjs). Plain JavaScript because the worker runs
 * in a thread of its own, which the TypeScript loader of the repository's runtimes (tsx for the
 * server and CLI, vite-node for vitest) does not reach; types are in sheet-csv.d.mts.
 */

/** Rows of a sheet read before its header row is chosen. */
export const HEADER_SCAN = 10;

const pad = (/** @type {number} */ n) => String(n).padStart(2, '0');

/**
 * Cell value as the text a user would type: dates as ISO, formulas as their result.
 * @param {unknown} v
 * @returns {string}
 */
export function cellText(v) {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) {
    const date = `${v.getUTCFullYear()}-${pad(v.getUTCMonth() + 1)}-${pad(v.getUTCDate())}`;
    const hasTime = v.getUTCHours() || v.getUTCMinutes() || v.getUTCSeconds();
    return hasTime ? `${date} ${pad(v.getUTCHours())}:${pad(v.getUTCMinutes())}:${pad(v.getUTCSeconds())}` : date;
  }
  if (typeof v === 'object') {
    const o = /** @type {Record<string, unknown>} */ (v);
    if (Array.isArray(o.richText)) return o.richText.map((r) => /** @type {{ text: string }} */ (r).text).join('');
    if ('result' in o) return cellText(o.result);
    if ('text' in o) return cellText(o.text);
    return '';
  }
  return String(v);
}

/**
 * The header among a sheet's first rows (as cell texts). Workbooks made for people often start
 * with a title ("2024年3月绩效考核汇总表", one merged cell), a note or two ("制表部门：人力资源部",
 * "制表日期：2025-12-31") or a blank row above the table. The header is the first row that looks
 * like one: at least two values, none of them a number (headers are labels, data rows hold
 * scores) or a "label：value" note, and at least half as many values as the fullest of these
 * rows. Failing that, the first row of two values that are not notes, then of any two values;
 * failing all (one column), the first row.
 * @param {string[][]} rows
 * @returns {number}
 */
export function headerRowIndex(rows) {
  const values = rows.map((r) => r.map((t) => t.trim()).filter((t) => t !== ''));
  const most = Math.max(0, ...values.map((v) => v.length));
  const note = (/** @type {string} */ t) => /[：:]\s*\S/.test(t);
  const number = (/** @type {string} */ t) => Number.isFinite(Number(t.replace(/[,%]/g, '')));
  const first = (/** @type {(v: string[]) => boolean} */ ok) => values.findIndex((v) => v.length >= 2 && ok(v));
  for (const i of [first((v) => v.length >= most / 2 && !v.some((t) => number(t) || note(t))), first((v) => !v.some(note)), first(() => true)]) if (i >= 0) return i;
  return 0;
}

/**
 * 'A' → 1, 'AB' → 28.
 * @param {string} letters
 */
export function columnIndex(letters) {
  let n = 0;
  for (const ch of letters) n = n * 26 + ch.charCodeAt(0) - 64;
  return n;
}

/**
 * 1 → 'A', 28 → 'AB'.
 * @param {number} n
 */
export function columnLetters(n) {
  let s = '';
  for (; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

/** @param {string} v */
function csvCell(v) {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** A bound a sheet went past (file-errors.ts LimitBreach), thrown to end the conversion. */
export class BreachError extends Error {
  /** @param {Record<string, unknown> & { limit: string }} breach */
  constructor(breach) {
    super(`limit ${breach.limit}`);
    this.breach = breach;
  }
}

/**
 * @typedef {{ maxColumns: number; maxRows: number; maxCells: number; maxCellChars: number }} SheetLimits
 * @typedef {{ write(text: string): Promise<void> }} Sink
 */

/**
 * Writes one sheet's rows (sheet row number, cell texts) as a UTF-8 CSV from its header row on;
 * `end` gives the number of sheet rows above the header. Each row is checked against the bounds
 * as it comes (columns holding a value, row number, rows × columns written, characters in a
 * value), so a hostile sheet stops at its first offending row.
 * @param {Sink} ws
 * @param {SheetLimits} limits
 * @param {string} sheet
 * @returns {{ push(number: number, texts: string[]): Promise<void>; end(): Promise<number> }}
 */
export function sheetCsv(ws, limits, sheet) {
  let width = 0;
  let last = 0;
  let rowOffset = 0;
  let cells = 0;
  /** @param {number} number @param {string[]} texts */
  const check = (number, texts) => {
    if (number > limits.maxRows) throw new BreachError({ limit: 'maxRows', max: limits.maxRows, sheet });
    let used = 0;
    for (let i = 0; i < texts.length; i++) {
      const t = /** @type {string} */ (texts[i]);
      if (t === '') continue;
      used = i + 1;
      if (t.length > limits.maxCellChars) throw new BreachError({ limit: 'maxCellChars', found: t.length, max: limits.maxCellChars, row: number, column: columnLetters(i + 1), sheet });
    }
    if (used > limits.maxColumns) throw new BreachError({ limit: 'maxColumns', found: used, max: limits.maxColumns, row: number, sheet });
    // Cells past the last value (formatted but empty) are dropped only where they would go past the bound.
    if (texts.length > limits.maxColumns) texts.length = limits.maxColumns;
  };
  /** @param {number} number @param {string[]} texts */
  const emit = async (number, texts) => {
    // Rows the sheet leaves out (entirely empty) keep their place as empty records, so row
    // numbers match what the user sees; the importer skips empty records. A blank line would
    // not do: DuckDB drops blank lines. '""' keeps a one-column row from being one.
    const records = last > 0 ? number - last : 1;
    cells += records * Math.max(width, texts.length, 1);
    if (cells > limits.maxCells) throw new BreachError({ limit: 'maxCells', max: limits.maxCells, columns: Math.max(width, texts.length), sheet });
    if (last > 0) for (let n = last + 1; n < number; n++) await ws.write(`""${','.repeat(Math.max(width - 1, 0))}\n`);
    last = number;
    /** @type {string[]} */
    const out = [];
    for (let i = 0; i < Math.max(width, texts.length); i++) out.push(csvCell(texts[i] ?? ''));
    if (!out.some((c) => c !== '')) out[0] = '""';
    await ws.write(out.join(',') + '\n');
  };
  // The first rows wait until the header among them is known.
  /** @type {Array<{ number: number; texts: string[] }> | null} */
  let head = [];
  /** @param {Array<{ number: number; texts: string[] }>} rows */
  const flush = async (rows) => {
    const h = headerRowIndex(rows.map((r) => r.texts));
    const header = /** @type {{ number: number; texts: string[] }} */ (rows[h]);
    width = header.texts.length;
    rowOffset = header.number - 1;
    for (const r of rows.slice(h)) await emit(r.number, r.texts);
  };
  return {
    async push(number, texts) {
      check(number, texts);
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
