import { isAscii, isUtf8 } from 'node:buffer';
import { createReadStream, statSync } from 'node:fs';
import { ImportLimitError } from './file-errors.ts';
import type { ImportLimits } from './limits.ts';
import { columnLetters } from './sheet-csv.mjs';

/**
 * A text file's shape, measured in JS before DuckDB reads it. DuckDB's CSV sniffer makes a
 * column for every field of the widest row among its first 20,480, and reads that sample with all
 * of them: a 600 KB file with 100,000 columns ran it out of memory after 12 s. Counting the fields
 * first costs a walk over those rows.
 *
 * - Fields per record (quote-aware, as csvStructure in read.ts reads quotes) over the sniffer's
 *   sample, or over the whole file when it is small enough to walk in well under a second.
 * - Lines in the whole file (for the row and cell bounds) and the longest line, by a native
 *   search for line ends. No value can be longer than the longest line unless a quoted value
 *   spans lines; only a file with a line longer than the value bound is walked to the end to
 *   find which value it is.
 */

/** Records DuckDB's sniffer reads (its sample_size). */
const SNIFF_RECORDS = 20_480;
/** Files up to this size are walked field by field to the end (about 0.1 s). */
const WALK_WHOLE_BYTES = 32 << 20;
const QUOTE = 0x22;
const NL = 0x0a;
const CR = 0x0d;

export interface TextShape {
  /** Whether the whole file is valid UTF-8 (only when asked: `utf8`). */
  utf8: boolean;
  /**
   * Not UTF-8, though what came before the first bad byte held UTF-8 text other than ASCII: the
   * file mixes encodings (GBK rows appended to a UTF-8 export), and no one reading fits it all.
   * `badLine` is the line of the first bad byte.
   */
  mixed?: { badLine: number };
  lines: number;
  longestLine: number;
  /** Fields of the widest record walked. */
  columns: number;
}

/**
 * A quote-aware walk: fields per record and characters per value (UTF-8: bytes that do not
 * continue a character). Throws at the first record or value over its bound.
 */
class FieldWalk {
  private inQuoted = false;
  private pendingQuote = false;
  private fieldStart = true;
  private fields = 1;
  private chars = 0;
  private line = 1;
  private recordLine = 1;
  records = 0;
  widest = 0;

  constructor(
    private readonly delimiter: number,
    private readonly limits: ImportLimits,
    private readonly checkChars: boolean,
  ) {}

  private endField(): void {
    if (this.checkChars && this.chars > this.limits.maxCellChars)
      throw new ImportLimitError({ limit: 'maxCellChars', found: this.chars, max: this.limits.maxCellChars, row: this.recordLine, column: columnLetters(this.fields) });
    this.chars = 0;
  }

  private endRecord(): void {
    this.endField();
    if (this.fields > this.widest) this.widest = this.fields;
    if (this.fields > this.limits.maxColumns) throw new ImportLimitError({ limit: 'maxColumns', found: this.fields, max: this.limits.maxColumns, row: this.recordLine });
    this.records++;
    this.fields = 1;
    this.fieldStart = true;
    this.recordLine = this.line;
  }

  walk(b: Buffer, from = 0): void {
    const d = this.delimiter;
    for (let i = from; i < b.length; i++) {
      const c = b[i]!;
      if (this.inQuoted) {
        if (this.pendingQuote) {
          this.pendingQuote = false;
          if (c === QUOTE) {
            this.chars++;
            continue; // "" is a literal quote
          }
          this.inQuoted = false; // the field closed just before c: handle c below
        } else {
          if (c === QUOTE) this.pendingQuote = true;
          else {
            if (c === NL) this.line++;
            if ((c & 0xc0) !== 0x80) this.chars++;
          }
          continue;
        }
      }
      if (c === NL) {
        this.line++;
        this.endRecord();
      } else if (c === d) {
        this.endField();
        this.fields++;
        this.fieldStart = true;
        // A record that is already too wide says so now, not at its end (a 100,000-field line).
        if (this.fields > this.limits.maxColumns) throw new ImportLimitError({ limit: 'maxColumns', found: this.fields, max: this.limits.maxColumns, row: this.recordLine });
      } else if (c === QUOTE && this.fieldStart) {
        this.inQuoted = true;
        this.fieldStart = false;
      } else if (c !== CR) {
        this.fieldStart = false;
        if ((c & 0xc0) !== 0x80) this.chars++;
      }
    }
  }

  finish(): void {
    if (this.fields > 1 || this.chars > 0) this.endRecord();
  }
}

/** Where the last complete UTF-8 character of `b` ends (a character cut by the chunk's end is left for the next). */
function completeUtf8(b: Buffer): number {
  for (let k = 1; k <= Math.min(3, b.length); k++) {
    const c = b[b.length - k]!;
    if ((c & 0xc0) === 0x80) continue;
    const needs = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    return needs > k ? b.length - k : b.length;
  }
  return b.length;
}

/** Line ends in `b` before `end`. */
function countLines(b: Buffer, end: number): number {
  let n = 0;
  for (let i = b.indexOf(NL); i >= 0 && i < end; i = b.indexOf(NL, i + 1)) n++;
  return n;
}

/** Offset of the first byte that does not belong to a valid UTF-8 sequence (b is known not to be valid). */
function firstBadUtf8(b: Buffer): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i]!;
    const n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (n === 0 || i + n > b.length) return i;
    for (let k = 1; k < n; k++) if ((b[i + k]! & 0xc0) !== 0x80) return i;
    i += n;
  }
  return b.length;
}

/**
 * Measures a UTF-8 text file (a GBK one after transcoding) and throws ImportLimitError past a
 * bound. `skipLines`: title lines above the header, which the sniffer does not see either.
 * `utf8`: also check the whole file is UTF-8 (natively, chunk by chunk). The encoding is guessed
 * from the first megabyte; a file that turns out otherwise further on (a BOM in front of GBK
 * text, GBK rows appended to a UTF-8 export) used to fail inside DuckDB mid-import.
 */
export async function checkTextFile(path: string, delimiter: string, skipLines: number, limits: ImportLimits, opts: { utf8?: boolean } = {}): Promise<TextShape> {
  const size = statSync(path).size;
  const whole = size <= WALK_WHOLE_BYTES;
  const sample = new FieldWalk(delimiter.charCodeAt(0), limits, true);
  let walker: FieldWalk | null = sample;
  let lines = 0;
  let longest = 0;
  let lineStart = 0;
  let offset = 0;
  let first = true;
  let utf8 = opts.utf8 ?? false;
  let cut: Buffer = Buffer.alloc(0);
  // Whether the valid part so far held anything but ASCII (after a byte-order mark).
  let wide = false;
  for await (const chunk of createReadStream(path, { highWaterMark: 4 << 20 })) {
    const b = chunk as Buffer;
    if (utf8) {
      const whole = cut.length ? Buffer.concat([cut, b]) : b;
      const end = completeUtf8(whole);
      const body = whole.subarray(0, end);
      utf8 = isUtf8(body);
      // Not UTF-8: the caller transcodes (or, for a mixed file, refuses) and measures the converted text instead.
      if (!utf8) {
        const bad = firstBadUtf8(body);
        wide ||= !isAscii(body.subarray(first && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? 3 : 0, bad));
        return { utf8: false, lines: 0, longestLine: 0, columns: 0, ...(wide ? { mixed: { badLine: lines + 1 + countLines(body, bad) } } : {}) };
      }
      wide ||= !isAscii(first && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? body.subarray(3) : body);
      cut = Buffer.from(whole.subarray(end));
    }
    for (let i = b.indexOf(NL); i >= 0; i = b.indexOf(NL, i + 1)) {
      lines++;
      const at = offset + i;
      if (at - lineStart > longest) longest = at - lineStart;
      lineStart = at + 1;
    }
    if (walker) {
      walker.walk(b, first && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0);
      // Past the sniffer's sample the file is not walked any further (unless small).
      if (!whole && walker.records >= SNIFF_RECORDS + skipLines) walker = null;
    }
    first = false;
    offset += b.length;
  }
  if (utf8 && cut.length) return { utf8: false, lines: 0, longestLine: 0, columns: 0 };
  if (offset > lineStart) {
    lines++;
    longest = Math.max(longest, offset - lineStart);
  }
  walker?.finish();
  const columns = sample.widest;
  if (lines > limits.maxRows) throw new ImportLimitError({ limit: 'maxRows', max: limits.maxRows });
  const width = Math.max(columns, 1);
  if (lines * width > limits.maxCells) throw new ImportLimitError({ limit: 'maxCells', max: limits.maxCells, columns: width });
  // A line longer than the value bound may hold a value past it: the rest of the file is walked for it.
  if (!walker && longest > limits.maxCellChars) {
    const again = new FieldWalk(delimiter.charCodeAt(0), { ...limits, maxColumns: Number.MAX_SAFE_INTEGER }, true);
    let start = true;
    for await (const chunk of createReadStream(path, { highWaterMark: 4 << 20 })) {
      const b = chunk as Buffer;
      again.walk(b, start && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0);
      start = false;
    }
    again.finish();
  }
  return { utf8, lines, longestLine: longest, columns };
}
