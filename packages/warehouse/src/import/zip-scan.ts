import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInflateRaw } from 'node:zlib';
import { ImportLimitError, UnreadableFileError } from './file-errors.ts';
import type { ImportLimits } from './limits.ts';

/**
 * A cheap look inside a workbook before any XLSX reader gets it. ExcelJS reads a workbook's XML
 * whole and makes an object for every cell of every merged range, so a 1.7 KB file whose one
 * merged range is E3:XFD1048576 (17 billion cells) used to grow the server to 4.5 GB and end it;
 * 30,000 small merges took 140 s (ExcelJS checks each merge against all earlier ones); a 2 MB
 * file unpacking to 498 MB of XML blocked it for 76 s. The facts that decide those cases are
 * cheap to get without building anything:
 *
 * - the zip's central directory gives every entry's packed and unpacked size: the total and the
 *   ratio are checked from it before a byte is inflated;
 * - each entry is then inflated as a stream (zlib works off the main thread; this only counts
 *   bytes and searches each chunk natively) and stopped as soon as it outgrows what the
 *   directory said, so a zip that lies about its sizes is caught too;
 * - in worksheet XML the `<mergeCell ref="…"/>` elements are counted and their areas summed,
 *   and `<dimension ref="…"/>` (the used range the sheet declares) is read.
 */

export interface ZipEntryInfo {
  name: string;
  method: number;
  packed: number;
  size: number;
  localOffset: number;
}

export interface SheetFacts {
  /** Zip entry of the sheet's XML. */
  entry: string;
  /** The sheet's name in the workbook (the entry name when the workbook does not say). */
  name: string;
  mergedRanges: number;
  mergedCells: number;
  dimension: { ref: string; rows: number; columns: number } | null;
}

export interface WorkbookFacts {
  entries: ZipEntryInfo[];
  /** Bytes the entries actually unpack to. */
  expandedBytes: number;
  sheets: SheetFacts[];
}

const EOCD = 0x06054b50;
const EOCD64 = 0x06064b50;
const EOCD64_LOCATOR = 0x07064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
/** Entries smaller than this are not checked for their ratio (a 10 KB part cannot exhaust anything). */
const RATIO_FLOOR = 1 << 20;
/** A directory larger than this is not a workbook's (Excel writes a few dozen entries). */
const MAX_DIRECTORY = 16 << 20;

async function readAt(fd: Awaited<ReturnType<typeof open>>, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fd.read(buf, 0, length, position);
  return buf.subarray(0, bytesRead);
}

/** The central directory: every entry's name, method, sizes and where its data starts. */
async function centralDirectory(path: string, size: number): Promise<ZipEntryInfo[]> {
  const fd = await open(path, 'r');
  try {
    const head = await readAt(fd, 0, 8);
    // An OLE compound file: an old .xls, or an .xlsx with an open password (Excel encrypts those into one).
    if (head.length === 8 && head.readUInt32BE(0) === 0xd0cf11e0 && head.readUInt32BE(4) === 0xa1b11ae1) throw new UnreadableFileError('xlsx', 'xls');
    if (size < 22) throw new UnreadableFileError('xlsx', 'truncated');
    const tailLength = Math.min(size, 22 + 0xffff);
    const tail = await readAt(fd, size - tailLength, tailLength);
    let at = -1;
    for (let i = tail.length - 22; i >= 0; i--)
      if (tail.readUInt32LE(i) === EOCD) {
        at = i;
        break;
      }
    // No end record: not a zip, or one cut short (the directory is written last).
    if (at < 0) throw new UnreadableFileError('xlsx', head.readUInt32LE(0) === LOCAL ? 'truncated' : undefined);
    let count = tail.readUInt16LE(at + 10);
    let dirSize = tail.readUInt32LE(at + 12);
    let dirOffset = tail.readUInt32LE(at + 16);
    if (count === 0xffff || dirSize === 0xffffffff || dirOffset === 0xffffffff) {
      // Zip64: the real numbers are in the zip64 end record the locator points at.
      const loc = at - 20;
      if (loc < 0 || tail.readUInt32LE(loc) !== EOCD64_LOCATOR) throw new UnreadableFileError('xlsx');
      const rec = await readAt(fd, Number(tail.readBigUInt64LE(loc + 8)), 56);
      if (rec.length < 56 || rec.readUInt32LE(0) !== EOCD64) throw new UnreadableFileError('xlsx');
      count = Number(rec.readBigUInt64LE(32));
      dirSize = Number(rec.readBigUInt64LE(40));
      dirOffset = Number(rec.readBigUInt64LE(48));
    }
    if (dirOffset + dirSize > size) throw new UnreadableFileError('xlsx', 'truncated');
    if (dirSize > MAX_DIRECTORY) throw new UnreadableFileError('xlsx');
    const dir = await readAt(fd, dirOffset, dirSize);
    const entries: ZipEntryInfo[] = [];
    let p = 0;
    for (let i = 0; i < count; i++) {
      if (p + 46 > dir.length || dir.readUInt32LE(p) !== CENTRAL) throw new UnreadableFileError('xlsx');
      const flags = dir.readUInt16LE(p + 8);
      const method = dir.readUInt16LE(p + 10);
      let packed = dir.readUInt32LE(p + 20);
      let unpacked = dir.readUInt32LE(p + 24);
      const nameLength = dir.readUInt16LE(p + 28);
      const extraLength = dir.readUInt16LE(p + 30);
      const commentLength = dir.readUInt16LE(p + 32);
      let localOffset = dir.readUInt32LE(p + 42);
      if (p + 46 + nameLength + extraLength > dir.length) throw new UnreadableFileError('xlsx');
      const name = dir.toString(flags & 0x800 ? 'utf8' : 'latin1', p + 46, p + 46 + nameLength);
      // Zip64 extra field: 64-bit values for the fields set to 0xFFFFFFFF, in this order.
      for (let e = p + 46 + nameLength; e + 4 <= p + 46 + nameLength + extraLength; ) {
        const id = dir.readUInt16LE(e);
        const len = dir.readUInt16LE(e + 2);
        if (id === 0x0001) {
          let q = e + 4;
          const next = () => {
            const v = q + 8 <= e + 4 + len ? Number(dir.readBigUInt64LE(q)) : NaN;
            q += 8;
            return v;
          };
          if (unpacked === 0xffffffff) unpacked = next();
          if (packed === 0xffffffff) packed = next();
          if (localOffset === 0xffffffff) localOffset = next();
        }
        e += 4 + len;
      }
      // Encrypted entries, or a compression no XLSX reader supports: not a workbook we can read.
      if (flags & 0x1 || (method !== 0 && method !== 8) || !Number.isFinite(packed + unpacked + localOffset)) throw new UnreadableFileError('xlsx', flags & 0x1 ? 'xls' : undefined);
      if (localOffset + packed > size) throw new UnreadableFileError('xlsx', 'truncated');
      entries.push({ name, method, packed, size: unpacked, localOffset });
      p += 46 + nameLength + extraLength + commentLength;
    }
    return entries;
  } finally {
    await fd.close();
  }
}

/** 'A' → 1, 'XFD' → 16384. */
function columnNumber(letters: string): number {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + ch.charCodeAt(0) - 64;
  return n;
}

/** 'B3:D5' → 3 rows × 3 columns; a single cell is 1 × 1; null when it is not a cell range. */
export function rangeSize(ref: string): { rows: number; columns: number } | null {
  const m = /^\$?([A-Za-z]{1,3})\$?(\d{1,7})(?::\$?([A-Za-z]{1,3})\$?(\d{1,7}))?$/.exec(ref.trim());
  if (!m) return null;
  const c0 = columnNumber(m[1]!);
  const r0 = Number(m[2]);
  const c1 = m[3] ? columnNumber(m[3]) : c0;
  const r1 = m[4] ? Number(m[4]) : r0;
  return { rows: Math.abs(r1 - r0) + 1, columns: Math.abs(c1 - c0) + 1 };
}

const MERGE = Buffer.from('mergeCell');
const DIMENSION = Buffer.from('dimension');
const LT = 0x3c;
const GT = 0x3e;

/** Whether `name` at `i` is an element's name: '<name' or '<prefix:name', followed by a space. */
function isElement(buf: Buffer, i: number, length: number): boolean {
  const after = buf[i + length];
  if (after !== 0x20 && after !== 0x09 && after !== 0x0a && after !== 0x0d) return false;
  let j = i - 1;
  if (buf[j] === LT) return true;
  if (buf[j] !== 0x3a) return false; // ':'
  for (j--; j >= 0 && j > i - 40; j--) {
    const c = buf[j]!;
    if (c === LT) return j < i - 2;
    const nameChar = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x5f || c === 0x2d || c === 0x2e;
    if (!nameChar) return false;
  }
  return false;
}

const REF = /\bref\s*=\s*["']([^"']*)["']/;

/**
 * Counts the merged ranges of one XML part as it streams by, and reads its declared dimension.
 * Text content cannot contain '<', so only real elements match. A tag cut between two chunks is
 * carried over to the next; bytes of a tag already counted never are.
 */
class XmlFacts {
  mergedRanges = 0;
  mergedCells = 0;
  dimension: SheetFacts['dimension'] = null;
  private carry: Buffer = Buffer.alloc(0);
  private seen = 0;

  constructor(private readonly check: (f: XmlFacts) => void) {}

  push(chunk: Buffer): void {
    const buf = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    let consumed = 0;
    let cut = -1;
    const cutAt = (i: number) => {
      const lt = buf.lastIndexOf(LT, i);
      cut = Math.max(consumed, lt >= 0 ? lt : i);
    };
    // The declared dimension comes before the cells; only the head of the part is searched.
    if (this.dimension === null && this.seen < 1 << 20) {
      const i = buf.indexOf(DIMENSION);
      if (i >= 0 && i + DIMENSION.length >= buf.length) cutAt(i);
      else if (i >= 0 && isElement(buf, i, DIMENSION.length)) {
        const close = buf.indexOf(GT, i);
        if (close < 0) cutAt(i);
        else {
          const ref = REF.exec(buf.toString('latin1', i, close))?.[1];
          // "A1:D10 F1:G2" (several areas) is rare; the first decides.
          const size = ref ? rangeSize(ref.split(/\s+/)[0]!) : null;
          this.dimension = ref && size ? { ref, ...size } : { ref: '', rows: 0, columns: 0 };
          consumed = close + 1;
          this.check(this);
        }
      }
    }
    if (cut < 0)
      for (let i = buf.indexOf(MERGE, consumed); i >= 0; i = buf.indexOf(MERGE, i + MERGE.length)) {
        if (i + MERGE.length >= buf.length) {
          cutAt(i);
          break;
        }
        if (!isElement(buf, i, MERGE.length)) continue;
        const close = buf.indexOf(GT, i);
        if (close < 0) {
          cutAt(i);
          break;
        }
        this.mergedRanges++;
        const ref = REF.exec(buf.toString('latin1', i, close))?.[1];
        const size = ref ? rangeSize(ref) : null;
        this.mergedCells += size ? size.rows * size.columns : 1;
        consumed = close + 1;
        this.check(this);
      }
    this.seen += chunk.length;
    // Keep the unfinished tag, or the last few bytes (a name cut in two).
    const keepFrom = cut >= 0 ? cut : Math.max(consumed, buf.length - 64);
    if (buf.length - keepFrom <= 64 << 10) this.carry = Buffer.from(buf.subarray(keepFrom));
    else {
      // A tag longer than 64 KB is no spreadsheet's: count it as a range rather than carry it on.
      this.carry = Buffer.alloc(0);
      this.mergedRanges++;
      this.mergedCells++;
      this.check(this);
    }
  }
}

/** The workbook's sheet names by part, from workbook.xml and its relationships (for messages). */
function sheetNames(workbookXml: string, relsXml: string): Map<string, string> {
  const targets = new Map<string, string>();
  for (const m of relsXml.matchAll(/<(?:\w+:)?Relationship\b[^>]*>/g)) {
    const id = /\bId\s*=\s*"([^"]*)"/.exec(m[0])?.[1];
    const target = /\bTarget\s*=\s*"([^"]*)"/.exec(m[0])?.[1];
    if (id && target) targets.set(id, target.startsWith('/') ? target.slice(1) : `xl/${target}`);
  }
  const names = new Map<string, string>();
  for (const m of workbookXml.matchAll(/<(?:\w+:)?sheet\b[^>]*>/g)) {
    const name = /\bname\s*=\s*"([^"]*)"/.exec(m[0])?.[1];
    const id = /\b(?:\w+:)?id\s*=\s*"([^"]*)"/.exec(m[0])?.[1];
    const entry = id ? targets.get(id) : undefined;
    if (name && entry) names.set(entry.replace(/\/\.\//g, '/'), name.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'"));
  }
  return names;
}

/** Inflates one entry as a stream; `onChunk` sees its bytes. Throws when it outgrows its declared size. */
async function inflateEntry(path: string, size: number, e: ZipEntryInfo, onChunk: (b: Buffer) => void): Promise<number> {
  const fd = await open(path, 'r');
  let dataStart: number;
  try {
    const local = await readAt(fd, e.localOffset, 30);
    if (local.length < 30 || local.readUInt32LE(0) !== LOCAL) throw new UnreadableFileError('xlsx');
    dataStart = e.localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  } finally {
    await fd.close();
  }
  if (dataStart + e.packed > size) throw new UnreadableFileError('xlsx', 'truncated');
  if (e.packed === 0) return 0;
  const raw = createReadStream(path, { start: dataStart, end: dataStart + e.packed - 1, highWaterMark: 256 << 10 });
  let out = 0;
  const take = (b: Buffer) => {
    out += b.length;
    // A zip that says less than it holds is not read further: its directory is what was checked.
    if (out > e.size) throw new UnreadableFileError('xlsx', 'sizes');
    onChunk(b);
  };
  try {
    if (e.method === 0) for await (const b of raw) take(b as Buffer);
    else {
      const inflate = createInflateRaw({ chunkSize: 256 << 10 });
      raw.on('error', (err) => inflate.destroy(err));
      raw.pipe(inflate);
      try {
        for await (const b of inflate) take(b as Buffer);
      } finally {
        raw.destroy();
        inflate.destroy();
      }
    }
  } catch (err) {
    if (err instanceof UnreadableFileError || err instanceof ImportLimitError) throw err;
    // zlib's "invalid stored block lengths" and the like: a damaged entry.
    throw new UnreadableFileError('xlsx', undefined, err);
  }
  return out;
}

/**
 * The pre-scan: sizes from the directory, then every entry inflated and counted. Throws
 * ImportLimitError past a bound, UnreadableFileError for a damaged or hostile zip.
 */
export async function scanWorkbook(path: string, size: number, limits: ImportLimits): Promise<WorkbookFacts> {
  const entries = await centralDirectory(path, size);
  const declared = entries.reduce((a, e) => a + e.size, 0);
  if (declared > limits.maxXlsxExpandedBytes) throw new ImportLimitError({ limit: 'maxXlsxExpandedBytes', found: declared, max: limits.maxXlsxExpandedBytes });
  for (const e of entries) {
    const ratio = e.size / Math.max(e.packed, 1);
    if (e.size > RATIO_FLOOR && ratio > limits.maxXlsxRatio) throw new ImportLimitError({ limit: 'maxXlsxRatio', entry: e.name, found: ratio, max: limits.maxXlsxRatio });
  }
  // The workbook part and its relationships first (they are small): they name the sheets in messages.
  const isWorkbookPart = (e: ZipEntryInfo) => /^xl\/(_rels\/)?workbook\.xml(\.rels)?$/i.test(e.name);
  let expandedBytes = 0;
  let workbookXml = '';
  let relsXml = '';
  for (const e of entries.filter(isWorkbookPart)) {
    const parts: Buffer[] = [];
    let kept = 0;
    expandedBytes += await inflateEntry(path, size, e, (b) => {
      if ((kept += b.length) <= 4 << 20) parts.push(b);
    });
    if (/rels$/i.test(e.name)) relsXml = Buffer.concat(parts).toString('utf8');
    else workbookXml = Buffer.concat(parts).toString('utf8');
  }
  const names = sheetNames(workbookXml, relsXml);
  const facts: Array<{ entry: string; f: XmlFacts }> = [];
  for (const e of entries.filter((x) => !isWorkbookPart(x))) {
    const lower = e.name.toLowerCase();
    let onChunk: (b: Buffer) => void = () => undefined;
    // Shared strings and styles hold no merges; every other XML part is searched (a sheet may live anywhere).
    if (lower.endsWith('.xml') && !lower.endsWith('sharedstrings.xml') && !lower.endsWith('styles.xml')) {
      const sheet = names.get(e.name) ?? e.name;
      const f = new XmlFacts((x) => {
        if (x.mergedRanges > limits.maxMergedRanges) throw new ImportLimitError({ limit: 'maxMergedRanges', found: x.mergedRanges, max: limits.maxMergedRanges, sheet });
        if (x.mergedCells > limits.maxMergedCells) throw new ImportLimitError({ limit: 'maxMergedCells', found: x.mergedCells, max: limits.maxMergedCells, sheet });
        const d = x.dimension;
        if (d && (d.rows > limits.maxRows || d.columns > limits.maxColumns))
          throw new ImportLimitError({ limit: 'dimension', ref: d.ref, rows: d.rows, columns: d.columns, maxRows: limits.maxRows, maxColumns: limits.maxColumns, sheet });
      });
      facts.push({ entry: e.name, f });
      onChunk = (b) => f.push(b);
    }
    expandedBytes += await inflateEntry(path, size, e, onChunk);
    if (expandedBytes > limits.maxXlsxExpandedBytes) throw new ImportLimitError({ limit: 'maxXlsxExpandedBytes', found: expandedBytes, max: limits.maxXlsxExpandedBytes });
  }
  const sheets = facts
    .filter(({ entry, f }) => names.has(entry) || f.dimension || f.mergedRanges || /^xl\/worksheets\//i.test(entry))
    .map(({ entry, f }) => ({ entry, name: names.get(entry) ?? entry, mergedRanges: f.mergedRanges, mergedCells: f.mergedCells, dimension: f.dimension }));
  return { entries, expandedBytes, sheets };
}
