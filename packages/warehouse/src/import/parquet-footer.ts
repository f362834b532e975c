import { open } from 'node:fs/promises';
import { ImportLimitError, UnreadableFileError } from './file-errors.ts';
import type { ImportLimits } from './limits.ts';

/**
 * A Parquet file's row and column counts from its footer, read in JS before DuckDB opens it: a
 * damaged file is refused with a plain message (DuckDB's names the upload's path and quotes the
 * SQL), and one with 100,000 columns or 10⁹ rows is refused before it is scanned.
 *
 * The footer is the file's last bytes: FileMetaData in Thrift's compact encoding, its length
 * (4 bytes, little-endian) and "PAR1". Only two fields are read: schema (2: a list of
 * SchemaElement, the leaves being the columns) and num_rows (3); every other field is skipped by
 * its type, with bounds checked on every read.
 */

/** A footer larger than this is not a table's (a 1,000-column file with 1,000 row groups is ~20 MB). */
const MAX_FOOTER = 64 << 20;
const MAX_DEPTH = 32;

class Reader {
  pos = 0;
  constructor(private readonly b: Buffer) {}
  byte(): number {
    if (this.pos >= this.b.length) throw new Error('footer ends early');
    return this.b[this.pos++]!;
  }
  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const c = this.byte();
      result += (c & 0x7f) * scale;
      if (!(c & 0x80)) return result;
      scale *= 128;
    }
    throw new Error('bad varint');
  }
  zigzag(): number {
    const n = this.varint();
    // (n >>> 1) ^ -(n & 1), without 32-bit truncation.
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }
  skipBytes(n: number): void {
    if (n < 0 || this.pos + n > this.b.length) throw new Error('footer ends early');
    this.pos += n;
  }
}

/** Skips one value of compact type `t`. */
function skip(r: Reader, t: number, depth: number): void {
  if (depth > MAX_DEPTH) throw new Error('nested too deep');
  switch (t) {
    case 1:
    case 2:
      return; // booleans in a struct carry their value in the type
    case 3:
      return r.skipBytes(1);
    case 4:
    case 5:
    case 6:
      r.varint();
      return;
    case 7:
      return r.skipBytes(8);
    case 8:
      return r.skipBytes(r.varint());
    case 9:
    case 10: {
      const h = r.byte();
      const size = h >> 4 === 15 ? r.varint() : h >> 4;
      const et = h & 0x0f;
      for (let i = 0; i < size; i++) {
        if (et === 1 || et === 2) r.skipBytes(1); // booleans in a list take a byte each
        else skip(r, et, depth + 1);
      }
      return;
    }
    case 11: {
      const size = r.varint();
      if (size === 0) return;
      const kv = r.byte();
      for (let i = 0; i < size; i++) {
        skip(r, kv >> 4, depth + 1);
        skip(r, kv & 0x0f, depth + 1);
      }
      return;
    }
    case 12:
      return struct(r, depth + 1, () => false);
    default:
      throw new Error(`unknown type ${t}`);
  }
}

/** Reads a struct's fields; `on(id, type)` consumes a field and returns true, or leaves it to be skipped. */
function struct(r: Reader, depth: number, on: (id: number, type: number) => boolean): void {
  if (depth > MAX_DEPTH) throw new Error('nested too deep');
  let id = 0;
  for (;;) {
    const h = r.byte();
    if (h === 0) return;
    const t = h & 0x0f;
    id = h >> 4 ? id + (h >> 4) : r.zigzag();
    if (!on(id, t)) skip(r, t, depth);
  }
}

/** Rows and leaf columns of a Parquet file; UnreadableFileError when it is not one, ImportLimitError past a bound. */
export async function checkParquet(path: string, size: number, limits: ImportLimits): Promise<{ rows: number; columns: number }> {
  const fd = await open(path, 'r');
  let footer: Buffer;
  try {
    const head = Buffer.alloc(4);
    const tail = Buffer.alloc(8);
    if (size < 12) throw new UnreadableFileError('parquet', 'truncated');
    await fd.read(head, 0, 4, 0);
    await fd.read(tail, 0, 8, size - 8);
    if (head.toString('latin1') !== 'PAR1') throw new UnreadableFileError('parquet');
    // The magic at the end is written last: without it the file was cut short.
    if (tail.toString('latin1', 4) !== 'PAR1') throw new UnreadableFileError('parquet', 'truncated');
    const length = tail.readUInt32LE(0);
    if (length === 0 || length > size - 12 || length > MAX_FOOTER) throw new UnreadableFileError('parquet');
    footer = Buffer.alloc(length);
    await fd.read(footer, 0, length, size - 8 - length);
  } finally {
    await fd.close();
  }
  let rows = -1;
  let columns = 0;
  try {
    const r = new Reader(footer);
    struct(r, 0, (id, t) => {
      if (id === 3 && t === 6) {
        rows = r.zigzag();
        return true;
      }
      if (id === 2 && t === 9) {
        const h = r.byte();
        const n = h >> 4 === 15 ? r.varint() : h >> 4;
        if ((h & 0x0f) !== 12) throw new Error('schema is not a list of structs');
        for (let i = 0; i < n; i++) {
          let children = 0;
          struct(r, 1, (fid, ft) => {
            if (fid === 5 && ft === 5) {
              children = r.zigzag();
              return true;
            }
            return false;
          });
          // The root and groups have children; the leaves are the columns.
          if (children === 0) columns++;
          if (columns > limits.maxColumns) throw new ImportLimitError({ limit: 'maxColumns', found: columns, max: limits.maxColumns });
        }
        return true;
      }
      return false;
    });
  } catch (err) {
    if (err instanceof ImportLimitError) throw err;
    throw new UnreadableFileError('parquet', undefined, err);
  }
  if (rows < 0) throw new UnreadableFileError('parquet');
  if (rows > limits.maxRows) throw new ImportLimitError({ limit: 'maxRows', max: limits.maxRows });
  if (rows * Math.max(columns, 1) > limits.maxCells) throw new ImportLimitError({ limit: 'maxCells', max: limits.maxCells, columns });
  return { rows, columns };
}
