import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import ExcelJS from 'exceljs';
import { Warehouse } from '../src/db.ts';
import { importFile, ImportFileError, previewImport, errorsToCsv, type ImportFailure, type ImportSuccess } from '../src/import/index.ts';
import { xlsxToCsv } from '../src/import/read.ts';

const dir = mkdtempSync(join(tmpdir(), 'perflens-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
let wh: Warehouse;

beforeEach(async () => {
  wh?.close();
  wh = await Warehouse.open({ path: join(dir, `t${++n}.duckdb`) });
});

function file(name: string, text: string): string {
  const p = join(dir, `${n}_${name}`);
  writeFileSync(p, text);
  return p;
}

async function seedOrg(): Promise<void> {
  await wh.run(`INSERT INTO org_units VALUES ('root', '公司', NULL, 'company', NULL, NULL), ('d1', '销售一部', 'root', 'department', NULL, NULL)`);
  await wh.run(`INSERT INTO employees (id, name, org_unit_id, role) VALUES ('E001', '张三', 'd1', 'sales'), ('E002', '李四', 'd1', 'merchandiser')`);
  await wh.run(`INSERT INTO periods VALUES ('2024-03', 'month', DATE '2024-03-01', DATE '2024-03-31', NULL, NULL)`);
}

const ok = (r: unknown) => {
  if (!(r as ImportSuccess).ok) throw new Error(JSON.stringify(r, null, 1));
  return r as ImportSuccess;
};
const bad = (r: unknown) => {
  expect((r as ImportFailure).ok).toBe(false);
  return r as ImportFailure;
};

/** Order-independent fingerprint of every imported table plus the batch log. */
async function checksums(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  // The key dictionaries too: a failed import must not hand out keys (the direct route needs them dense).
  for (const t of ['org_units', 'employees', 'periods', 'kpi_results', 'employee_keys', 'period_keys', 'kpi_codes', 'rater_scores', 'assessments', 'metrics', 'policies', 'import_batches', 'import_mappings']) {
    const [r] = await wh.query<{ c: string }>(`SELECT count(*) || ':' || COALESCE(sum(hash(CAST(x AS VARCHAR)))::VARCHAR, '') AS c FROM ${t} x`);
    out[t] = r!.c;
  }
  return out;
}

const KPI_MAP = { employee_id: '工号', period_id: '考核月份', kpi_code: '指标', score: '得分', weight: '权重' };

describe('kpi_results from CSV', () => {
  it('imports valid rows with batch id and source row', async () => {
    await seedOrg();
    const p = file('kpi.csv', '工号,考核月份,指标,得分,权重\nE001,2024年3月,accuracy,95,30\nE002,202403,accuracy,80.5,30\n');
    const r = ok(await importFile(wh, p, { table: 'kpi_results', mapping: KPI_MAP, source: 'cli' }));
    expect(r.inserted).toBe(2);
    // Both spellings of March are in the file's first rows, so the clean file streams straight in.
    expect(r.route).toBe('direct');
    const rows = await wh.query(`SELECT employee_id, period_id, score, batch_id, source_row FROM kpi_results ORDER BY source_row`);
    expect(rows).toEqual([
      { employee_id: 'E001', period_id: '2024-03', score: 95, batch_id: r.batchId, source_row: 2 },
      { employee_id: 'E002', period_id: '2024-03', score: 80.5, batch_id: r.batchId, source_row: 3 },
    ]);
    const [b] = await wh.query<Record<string, unknown>>(`SELECT table_name, format, row_count, inserted, source, length(file_sha256)::INTEGER AS l FROM import_batches`);
    expect(b).toEqual({ table_name: 'kpi_results', format: 'csv', row_count: 2, inserted: 2, source: 'cli', l: 64 });
  });

  it('reports every error class with Excel row numbers and the file’s own headers, writing nothing', async () => {
    await seedOrg();
    const p = file(
      'bad.csv',
      [
        '工号,考核月份,指标,得分,权重',
        'E001,2024-03,a,abc,30', // row 2: type
        ',2024-03,a,50,30', // row 3: required
        'E001,2024-03,b,151,30', // row 4: range
        'E999,2024-03,c,50,30', // row 5: unknown employee
        'E001,2024-04,d,50,30', // row 6: a period not stored yet (created by the import, not an error)
        'E002,2024-03,e,50,30', // row 7: first of a duplicate pair (fine)
        'E002,2024-03,e,60,30', // row 8: duplicate in file
        'E002,13th month,f,60,30', // row 9: bad period
      ].join('\n'),
    );
    const before = await checksums();
    const r = bad(await importFile(wh, p, { table: 'kpi_results', mapping: KPI_MAP }));
    expect(r.counts).toEqual({ type: 2, required: 1, range: 1, reference: 1, duplicate_in_file: 1 });
    const brief = r.errors.map((e) => [e.row, e.column, e.code, e.value]);
    expect(brief).toEqual([
      [2, '得分', 'type', 'abc'],
      [3, '工号', 'required', null],
      [4, '得分', 'range', '151'],
      [5, '工号', 'reference', 'E999'],
      [8, '工号', 'duplicate_in_file', 'E002 / 2024-03 / e'],
      [9, '考核月份', 'type', '13th month'],
    ]);
    expect(r.errors[0]!.message.zh).toContain('第 2 行');
    expect(r.errors[0]!.message.en).toContain('Row 2');
    expect(await checksums()).toEqual(before);
    const csv = errorsToCsv(r.errors);
    expect(csv.startsWith('\uFEFF')).toBe(true);
    expect(csv.split('\r\n')).toHaveLength(1 + 6 + 1);
  });

  it('handles duplicates against stored rows under both policies; replace is idempotent', async () => {
    await seedOrg();
    const p = file('kpi.csv', '工号,考核月份,指标,得分,权重\nE001,2024-03,a,90,50\nE001,2024-03,b,70,50\n');
    ok(await importFile(wh, p, { table: 'kpi_results', mapping: KPI_MAP }));
    const rej = bad(await importFile(wh, p, { table: 'kpi_results', mapping: KPI_MAP, onDuplicate: 'reject' }));
    expect(rej.counts).toEqual({ duplicate_existing: 2 });
    expect(rej.errors.map((e) => e.row)).toEqual([2, 3]);
    const again = ok(await importFile(wh, p, { table: 'kpi_results', mapping: KPI_MAP, onDuplicate: 'replace' }));
    expect(again.replaced).toBe(2);
    const [s] = await wh.query<{ n: number; total: number }>(`SELECT count(*)::INTEGER AS n, sum(score) AS total FROM kpi_results`);
    expect(s).toEqual({ n: 2, total: 160 });
    const third = ok(await importFile(wh, p, { table: 'kpi_results', mapping: KPI_MAP, onDuplicate: 'replace' }));
    expect(third.replaced).toBe(2);
    expect((await wh.query(`SELECT count(*)::INTEGER AS n FROM kpi_results`))[0]).toEqual({ n: 2 });
  });

  it('stores the same rows whichever route a file takes: values needing clean-up go through staging', async () => {
    await seedOrg();
    const lines = async () => wh.query(`SELECT employee_id, period_id, kpi_code, score, weight, source_row FROM kpi_results ORDER BY source_row`);
    const clean = ok(await importFile(wh, file('clean.csv', '工号,考核月份,指标,得分,权重\nE001,2024-03,a,90,50\nE002,2024-03,a,,50\n'), { table: 'kpi_results', mapping: KPI_MAP }));
    expect(clean.route).toBe('direct');
    const stored = await lines();
    await wh.run('DELETE FROM kpi_lines');
    // A padded id and an empty quoted score: the general path trims and reads "" as empty.
    const messy = ok(await importFile(wh, file('messy.csv', '工号,考核月份,指标,得分,权重\n E001 ,2024-03,a,90,50\nE002,2024-03,a,"",50\n'), { table: 'kpi_results', mapping: KPI_MAP }));
    expect(messy.route).toBe('staged');
    expect(await lines()).toEqual(stored);
    expect(stored).toEqual([
      { employee_id: 'E001', period_id: '2024-03', kpi_code: 'a', score: 90, weight: 50, source_row: 2 },
      { employee_id: 'E002', period_id: '2024-03', kpi_code: 'a', score: null, weight: 50, source_row: 3 },
    ]);
  });

  it('reads a quoted field spanning lines on both routes, numbering records as Excel rows', async () => {
    await seedOrg();
    const text = (pad: string) => `工号,考核月份,指标,得分,权重\n${pad}E001${pad},2024-03,"g\nh",90,50\nE002,2024-03,b,80,50\n`;
    const direct = ok(await importFile(wh, file('nl.csv', text('')), { table: 'kpi_results', mapping: KPI_MAP }));
    expect(direct.route).toBe('direct');
    const stored = await wh.query(`SELECT employee_id, kpi_code, source_row FROM kpi_results ORDER BY source_row`);
    expect(stored).toEqual([
      { employee_id: 'E001', kpi_code: 'g\nh', source_row: 2 },
      { employee_id: 'E002', kpi_code: 'b', source_row: 3 },
    ]);
    await wh.run('DELETE FROM kpi_lines');
    // DuckDB's parallel reader cannot pad short rows when a quoted field spans lines: staging reads sequentially.
    const staged = ok(await importFile(wh, file('nl2.csv', text(' ')), { table: 'kpi_results', mapping: KPI_MAP }));
    expect(staged.route).toBe('staged');
    expect(await wh.query(`SELECT employee_id, kpi_code, source_row FROM kpi_results ORDER BY source_row`)).toEqual(stored);
  });

  it('streams a file whose KPI codes first appear after the rows read up front', async () => {
    await seedOrg();
    // 25,000 lines: codes k00000–k12499 for two employees; the last 2,500 codes appear only after row 20,000.
    const rows = Array.from({ length: 25_000 }, (_v, i) => `E00${(i % 2) + 1},2024-03,k${String(i >> 1).padStart(5, '0')},${i % 100},1`);
    const r = ok(await importFile(wh, file('many.csv', `工号,考核月份,指标,得分,权重\n${rows.join('\n')}\n`), { table: 'kpi_results', mapping: KPI_MAP }));
    expect(r.route).toBe('direct');
    expect(r.inserted).toBe(25_000);
    const [s] = await wh.query(`SELECT count(*)::INTEGER AS n, count(DISTINCT kpi_code)::INTEGER AS codes, max(source_row) AS last, sum(score)::DOUBLE AS total FROM kpi_results`);
    expect(s).toEqual({ n: 25_000, codes: 12_500, last: 25_001, total: 250 * 4950 });
    const [tail] = await wh.query(`SELECT employee_id, kpi_code, score FROM kpi_results WHERE source_row = 25_001`);
    expect(tail).toEqual({ employee_id: 'E002', kpi_code: 'k12499', score: 99 });
    // Every line carries its own row number (they are numbered after the insert, by position).
    const [wrong] = await wh.query(`SELECT count(*)::INTEGER AS n FROM kpi_results
      WHERE kpi_code <> printf('k%05d', (source_row - 2) // 2) OR employee_id <> printf('E00%d', (source_row - 2) % 2 + 1) OR score <> (source_row - 2) % 100`);
    expect(wrong).toEqual({ n: 0 });
  });

  it('rolls back everything when a failure happens after the first insert', async () => {
    await seedOrg();
    const p = file('kpi.csv', '工号,考核月份,指标,得分,权重\nE001,2024-03,a,90,50\n');
    ok(await importFile(wh, p, { table: 'kpi_results', mapping: KPI_MAP }));
    const before = await checksums();
    const q = file('kpi2.csv', '工号,考核月份,指标,得分,权重\nE001,2024-03,a,10,50\nE002,2024-03,a,20,50\n');
    await expect(
      importFile(wh, q, {
        table: 'kpi_results', mapping: KPI_MAP, onDuplicate: 'replace',
        afterWrite: (step) => {
          if (step === 'kpi_results') throw new Error('disk full (injected)');
        },
      }),
    ).rejects.toThrow('injected');
    expect(await checksums()).toEqual(before);
    // The flat sheet writes several tables: break it after the first one.
    const f = file('flat.csv', '工号,部门,岗位,考核期间,得分\nE100,新部门,跟单员,2025-01,88\n');
    await expect(importFile(wh, f, { table: 'flat', mapping: { employee_id: '工号', department: '部门', role: '岗位', period: '考核期间', score: '得分' }, afterWrite: () => { throw new Error('injected'); } })).rejects.toThrow('injected');
    expect(await checksums()).toEqual(before);
  });

  it('uses constants for missing columns and reports unmapped required fields', async () => {
    await seedOrg();
    const p = file('k.csv', 'emp_no;KPI;Score\nE001;a;90\n');
    const r = bad(await importFile(wh, p, { table: 'kpi_results', mapping: { employee_id: 'emp_no', kpi_code: 'KPI', score: 'Score' } }));
    expect(r.errors.map((e) => [e.code, e.row])).toEqual([['mapping', null]]);
    expect(r.errors[0]!.message.en).toContain('Period');
    const r2 = ok(await importFile(wh, p, { table: 'kpi_results', mapping: { employee_id: 'emp_no', kpi_code: 'KPI', score: 'Score' }, constants: { period_id: '2024年3月' } }));
    expect(r2.inserted).toBe(1);
    expect(await wh.query(`SELECT period_id FROM kpi_results`)).toEqual([{ period_id: '2024-03' }]);
  });
});

describe('encodings and formats', () => {
  it('reads GBK and UTF-8-with-BOM CSV the same way', async () => {
    await seedOrg();
    const text = '员工编号\t考核期间\t指标\t绩效得分\nE001\t2024/3\t准确率\t88\n';
    const gbk = file('gbk.csv', '');
    writeFileSync(gbk, iconv.encode(text, 'gbk'));
    const pv = await previewImport(wh, gbk, { table: 'kpi_results' });
    expect([pv.encoding, pv.delimiter, pv.rowCount]).toEqual(['gb18030', '\t', 1]);
    expect(pv.headers).toEqual(['员工编号', '考核期间', '指标', '绩效得分']);
    // '绩效得分' is the score field's zh label, so an exact match.
    expect(pv.mapping).toEqual({ employee_id: '员工编号', period_id: '考核期间', kpi_code: '指标', score: '绩效得分' });
    expect(pv.suggestions.find((s) => s.field === 'score')?.confidence).toBe(1);
    ok(await importFile(wh, gbk, { table: 'kpi_results', mapping: pv.mapping }));
    const bom = file('bom.csv', '\uFEFF' + text.replace('准确率', '满意度'));
    const pv2 = await previewImport(wh, bom, { table: 'kpi_results' });
    expect([pv2.encoding, pv2.headers[0]]).toEqual(['utf-8-bom', '员工编号']);
    ok(await importFile(wh, bom, { table: 'kpi_results', mapping: { ...pv2.mapping, score: '绩效得分' } }));
    expect(await wh.query(`SELECT kpi_code, score FROM kpi_results ORDER BY kpi_code`)).toEqual([
      { kpi_code: '满意度', score: 88 },
      { kpi_code: '准确率', score: 88 },
    ].sort((a, b) => (a.kpi_code < b.kpi_code ? -1 : 1)));
  });

  it('imports XLSX (named sheet, date cells) and Parquet', async () => {
    await seedOrg();
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('说明').addRow(['ignore me']);
    const ws = wb.addWorksheet('员工');
    ws.addRow(['工号', '姓名', '部门编号', '职位', '入职日期']);
    ws.addRow(['E010', '王五', 'd1', '外贸业务员', new Date(Date.UTC(2021, 4, 6))]);
    ws.addRow(['E011', '赵六', 'd1', '客服', '2022/7/1']);
    const x = join(dir, `${n}_emp.xlsx`);
    await wb.xlsx.writeFile(x);
    const pv = await previewImport(wh, x, { table: 'employees', sheet: '员工' });
    expect([pv.format, pv.sheets, pv.sheet, pv.rowCount]).toEqual(['xlsx', ['说明', '员工'], '员工', 2]);
    ok(await importFile(wh, x, { table: 'employees', sheet: '员工', mapping: pv.mapping }));
    expect(await wh.query(`SELECT id, role, CAST(hire_date AS VARCHAR) AS d, source_row FROM employees WHERE id >= 'E010' ORDER BY id`)).toEqual([
      { id: 'E010', role: 'foreign_trade', d: '2021-05-06', source_row: 2 },
      { id: 'E011', role: 'cs_ecommerce', d: '2022-07-01', source_row: 3 },
    ]);

    const pq = join(dir, `${n}_k.parquet`);
    await wh.run(`COPY (SELECT * FROM (VALUES ('E001', '2024-03', 'x', 77.5::DOUBLE), ('E404', '2024-03', 'y', 1.0)) v(emp, period, kpi, score)) TO '${pq}' (FORMAT parquet)`);
    const r = bad(await importFile(wh, pq, { table: 'kpi_results', mapping: { employee_id: 'emp', period_id: 'period', kpi_code: 'kpi', score: 'score' } }));
    expect(r.errors.map((e) => [e.row, e.code, e.value])).toEqual([[3, 'reference', 'E404']]);
    await wh.run(`COPY (SELECT * FROM (VALUES ('E001', '2024-03', 'x', 77.5::DOUBLE)) v(emp, period, kpi, score)) TO '${pq}' (FORMAT parquet)`);
    const good = ok(await importFile(wh, pq, { table: 'kpi_results', mapping: { employee_id: 'emp', period_id: 'period', kpi_code: 'kpi', score: 'score' } }));
    expect(good.route).toBe('direct');
    expect(await wh.query(`SELECT score, source_row FROM kpi_results`)).toEqual([{ score: 77.5, source_row: 2 }]);
  });

  it('reads typed Parquet numbers as the general path reads their text', async () => {
    await seedOrg();
    // Every numeric Parquet type, with values whose decimal text is not exact in binary (0.1,
    // 1.005, 2.675) and 2,000 more from a fixed hash. A padded id sends the second file to the
    // general path, which stages every value as text.
    const numbers = (emp: string) => `SELECT 'k' || i AS kpi, CASE WHEN i = 0 THEN '${emp}' ELSE 'E001' END AS emp, '2024-03' AS period,
        (CASE i WHEN 0 THEN 0.1 WHEN 1 THEN 1.005 WHEN 2 THEN 2.675 ELSE (hash(i) % 150001) / 1000 END)::DECIMAL(9,3) AS score,
        (CASE i WHEN 0 THEN 0.1 ELSE (hash(i) % 100000) / 1000 END)::FLOAT AS weight,
        (hash(i) % 1000)::SMALLINT AS target, ((hash(i) % 10000000000) / 1e8)::DECIMAL(38,10) AS actual
      FROM range(2002) t(i)`;
    const map = { employee_id: 'emp', period_id: 'period', kpi_code: 'kpi', score: 'score', weight: 'weight', target: 'target', actual: 'actual' };
    const lines = () => wh.query(`SELECT kpi_code, target, actual, score, weight, source_row FROM kpi_results ORDER BY source_row`);
    const pq = join(dir, `${n}_typed.parquet`);
    await wh.run(`COPY (${numbers('E001')}) TO '${pq}' (FORMAT parquet)`);
    expect(ok(await importFile(wh, pq, { table: 'kpi_results', mapping: map })).route).toBe('direct');
    const direct = await lines();
    await wh.run('DELETE FROM kpi_lines');
    await wh.run(`COPY (${numbers(' E001 ')}) TO '${pq}' (FORMAT parquet)`);
    expect(ok(await importFile(wh, pq, { table: 'kpi_results', mapping: map })).route).toBe('staged');
    expect(direct).toHaveLength(2002);
    // A FLOAT reads as its text on both paths: 0.1, not 0.10000000149011612.
    expect(direct.slice(0, 3).map((r) => [r.score, r.weight])).toEqual([[0.1, 0.1], [1.005, expect.any(Number)], [2.675, expect.any(Number)]]);
    expect(await lines()).toEqual(direct);
  });

  it('numbers rows as the sheet shows them: blank lines, empty rows and gaps between rows count', async () => {
    await seedOrg();
    const MAP = { employee_id: '工号', period_id: '考核月份', kpi_code: '指标', score: '得分' };
    const rows = async () => (await wh.query<{ k: string; r: number }>(`SELECT kpi_code AS k, source_row AS r FROM kpi_results ORDER BY r`)).map((x) => [x.k, x.r]);
    // DuckDB skips blank lines; Excel shows them. Row 4 here is the line after the blank one.
    ok(await importFile(wh, file('blank.csv', '工号,考核月份,指标,得分\nE001,2024-03,a,90\n\nE001,2024-03,b,80\n'), { table: 'kpi_results', mapping: MAP }));
    expect(await rows()).toEqual([['a', 2], ['b', 4]]);
    await wh.run('DELETE FROM kpi_lines');
    // Blank lines only at the end change no number, and the file keeps the direct route.
    expect(ok(await importFile(wh, file('tail.csv', '工号,考核月份,指标,得分\nE001,2024-03,a,90\n\n\n'), { table: 'kpi_results', mapping: MAP })).route).toBe('direct');
    await wh.run('DELETE FROM kpi_lines');
    // Windows line ends; a quoted value spanning three lines, one of them blank, which is one row
    // as in Excel; two blank lines (rows 3, 4); an empty record (Excel's ',,,' for a formatted
    // empty row, row 6), which is skipped.
    const crlf = ['工号,考核月份,指标,得分', 'E001,2024-03,"a', '', 'note",90', '', '', 'E001,2024-03,b,80', ',,,', 'E404,2024-03,c,70', ''].join('\r\n');
    const before = await checksums();
    const r = bad(await importFile(wh, file('crlf.csv', crlf), { table: 'kpi_results', mapping: MAP }));
    expect(r.errors.map((e) => [e.row, e.code, e.value])).toEqual([[7, 'reference', 'E404']]);
    expect(await checksums()).toEqual(before);
    ok(await importFile(wh, file('crlf2.csv', crlf.replace('E404', 'E002')), { table: 'kpi_results', mapping: MAP }));
    expect(await rows()).toEqual([['a\r\n\r\nnote', 2], ['b', 5], ['c', 7]]);
    await wh.run('DELETE FROM kpi_lines');
    // A workbook leaves empty rows out: row 4 is after a missing row 3, row 6 after an empty row 5.
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('KPI');
    ws.getRow(1).values = ['工号', '考核月份', '指标', '得分'];
    ws.getRow(2).values = ['E001', '2024-03', 'a', 90];
    ws.getRow(4).values = ['E001', '2024-03', 'b', 80];
    ws.getRow(5).getCell(1).numFmt = '0.00'; // formatted, no value
    ws.getRow(6).values = ['E404', '2024-03', 'c', 70];
    const x = join(dir, `${n}_gaps.xlsx`);
    await wb.xlsx.writeFile(x);
    const xr = bad(await importFile(wh, x, { table: 'kpi_results', mapping: MAP }));
    expect(xr.errors.map((e) => [e.row, e.code, e.value])).toEqual([[6, 'reference', 'E404']]);
  });

  it('finds the header of a workbook below its title rows, and numbers rows as the sheet does', async () => {
    await seedOrg();
    const MAP = { employee_id: '工号', period_id: '考核月份', kpi_code: '指标', score: '得分' };
    const book = async (name: string, bad: boolean) => {
      const wb = new ExcelJS.Workbook();
      const ws = wb.addWorksheet('汇总');
      ws.getRow(1).values = ['2024年3月绩效考核汇总表'];
      ws.mergeCells('A1:D1');
      ws.getRow(2).values = ['制表：人力资源部'];
      ws.getRow(4).values = ['工号', '考核月份', '指标', '得分'];
      ws.getRow(5).values = ['E001', '2024-03', 'a', 90];
      ws.getRow(6).values = [bad ? 'E404' : 'E002', '2024-03', 'a', 80];
      const x = join(dir, `${n}_${name}.xlsx`);
      await wb.xlsx.writeFile(x);
      return x;
    };
    const pv = await previewImport(wh, await book('titled', false), { table: 'kpi_results' });
    expect([pv.headers, pv.headerRow]).toEqual([['工号', '考核月份', '指标', '得分'], 4]);
    expect(pv.mapping).toMatchObject(MAP);
    expect(ok(await importFile(wh, await book('titled', false), { table: 'kpi_results', mapping: MAP })).route).toBe('direct');
    expect(await wh.query(`SELECT employee_id, source_row FROM kpi_results ORDER BY source_row`)).toEqual([
      { employee_id: 'E001', source_row: 5 },
      { employee_id: 'E002', source_row: 6 },
    ]);
    await wh.run('DELETE FROM kpi_lines');
    const r = bad(await importFile(wh, await book('titled-bad', true), { table: 'kpi_results', mapping: MAP }));
    expect(r.errors.map((e) => [e.row, e.code, e.value])).toEqual([[6, 'reference', 'E404']]);
  });

  it('fills a cell merged down the rows (a department, a month) into each of them; a merged title stays one value', async () => {
    await seedOrg();
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('KPI');
    ws.getRow(1).values = ['2024年3月 KPI'];
    ws.mergeCells('A1:D1');
    ws.getRow(2).values = ['工号', '考核月份', '指标', '得分'];
    ws.getRow(3).values = ['E001', '2024-03', 'a', 90];
    ws.getRow(4).values = ['E001', null, 'b', 80];
    ws.getRow(5).values = ['E002', null, 'a', 70];
    ws.mergeCells('B3:B5');
    ws.getRow(6).values = ['E002', '2024-03', 'b', 60];
    const x = join(dir, `${n}_merged.xlsx`);
    await wb.xlsx.writeFile(x);
    const MAP = { employee_id: '工号', period_id: '考核月份', kpi_code: '指标', score: '得分' };
    const pv = await previewImport(wh, x, { table: 'kpi_results' });
    expect([pv.headerRow, pv.rows.map((r) => r[1])]).toEqual([2, ['2024-03', '2024-03', '2024-03', '2024-03']]);
    ok(await importFile(wh, x, { table: 'kpi_results', mapping: MAP }));
    expect(await wh.query(`SELECT employee_id, period_id, kpi_code, source_row FROM kpi_results ORDER BY source_row`)).toEqual([
      { employee_id: 'E001', period_id: '2024-03', kpi_code: 'a', source_row: 3 },
      { employee_id: 'E001', period_id: '2024-03', kpi_code: 'b', source_row: 4 },
      { employee_id: 'E002', period_id: '2024-03', kpi_code: 'a', source_row: 5 },
      { employee_id: 'E002', period_id: '2024-03', kpi_code: 'b', source_row: 6 },
    ]);
    // A block: its first column is filled down, the rest of it stays empty.
    const block = new ExcelJS.Workbook();
    const bs = block.addWorksheet('S');
    bs.getRow(1).values = ['a', 'b', 'c'];
    bs.getRow(2).values = ['x', 'y', 'z'];
    bs.getRow(3).values = ['p', null, 'r'];
    bs.mergeCells('A2:B3');
    const bx = join(dir, `${n}_block.xlsx`);
    await block.xlsx.writeFile(bx);
    expect(readFileSync((await xlsxToCsv(bx, dir)).csv, 'utf8')).toBe('a,b,c\nx,,z\nx,,r\n');
  });

  it('a workbook too large to read whole is streamed to the same CSV (without merges)', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('说明').addRow(['ignore me']);
    const ws = wb.addWorksheet('数据');
    ws.getRow(1).values = ['汇总表'];
    ws.getRow(3).values = ['工号', '日期', '得分', '备注'];
    ws.getRow(4).values = ['E001', new Date(Date.UTC(2024, 2, 1)), { formula: '80+10', result: 90 }, { richText: [{ text: '好' }, { text: '的' }] }];
    ws.getRow(6).values = ['E002', new Date(Date.UTC(2024, 2, 1, 8, 30)), 75.5, 'a,"b"'];
    const x = join(dir, `${n}_stream.xlsx`);
    await wb.xlsx.writeFile(x);
    const whole = await xlsxToCsv(x, dir, '数据');
    const streamed = await xlsxToCsv(x, dir, '数据', 0);
    expect(readFileSync(streamed.csv, 'utf8')).toBe(readFileSync(whole.csv, 'utf8'));
    expect(readFileSync(whole.csv, 'utf8')).toBe('工号,日期,得分,备注\nE001,2024-03-01,90,好的\n"",,,\nE002,2024-03-01 08:30:00,75.5,"a,""b"""\n');
    expect([whole.rowOffset, streamed.rowOffset, whole.sheets, streamed.sheets]).toEqual([2, 2, ['说明', '数据'], ['说明', '数据']]);
  });

  it('a CSV saved from such a workbook: title lines skipped, rows numbered as the sheet does', async () => {
    await seedOrg();
    const MAP = { employee_id: '工号', period_id: '考核月份', kpi_code: '指标', score: '得分' };
    // Lines: 1 title, 2 note, 3 blank, 4 header, 5 E001, 6 blank, 7 the second row.
    const text = (second: string) => `2024年3月绩效考核汇总表,,,\n制表：人力资源部,,,\n\n工号,考核月份,指标,得分\nE001,2024-03,a,90\n\n${second},2024-03,b,80\n`;
    const pv = await previewImport(wh, file('titled.csv', text('E002')), { table: 'kpi_results' });
    expect([pv.headers, pv.headerRow, pv.rows]).toEqual([['工号', '考核月份', '指标', '得分'], 4, [['E001', '2024-03', 'a', '90'], ['E002', '2024-03', 'b', '80']]]);
    ok(await importFile(wh, file('titled.csv', text('E002')), { table: 'kpi_results', mapping: MAP }));
    expect(await wh.query(`SELECT employee_id, source_row FROM kpi_results ORDER BY source_row`)).toEqual([
      { employee_id: 'E001', source_row: 5 },
      { employee_id: 'E002', source_row: 7 },
    ]);
    await wh.run('DELETE FROM kpi_lines');
    // The same in GBK, as Excel in China saves CSV, with an unknown employee: named by its sheet row.
    const gbk = join(dir, `${n}_titled-gbk.csv`);
    writeFileSync(gbk, iconv.encode(text('E404'), 'gbk'));
    const r = bad(await importFile(wh, gbk, { table: 'kpi_results', mapping: MAP }));
    expect(r.errors.map((e) => [e.row, e.code, e.value])).toEqual([[7, 'reference', 'E404']]);
    // Without the blank line under the header the clean file streams in directly, numbered alike.
    await wh.run('DELETE FROM kpi_lines');
    const direct = ok(await importFile(wh, file('titled2.csv', text('E002').replace('90\n\n', '90\n')), { table: 'kpi_results', mapping: MAP }));
    expect(direct.route).toBe('direct');
    expect(await wh.query(`SELECT employee_id, source_row FROM kpi_results ORDER BY source_row`)).toEqual([
      { employee_id: 'E001', source_row: 5 },
      { employee_id: 'E002', source_row: 6 },
    ]);
  });

  it('reads numbers as Excel writes formatted cells into a CSV: 75%, 1,234.5, ¥1,234.50', async () => {
    await seedOrg();
    const map = { employee_id: '工号', period_id: '考核月份', kpi_code: '指标', actual: '实际', target: '目标' };
    const csv = ['工号,考核月份,指标,实际,目标', 'E001,2024-03,a,75%,80 %', 'E001,2024-03,b,"1,234.5",1000', 'E001,2024-03,c,"¥1,234.50",￥800', 'E001,2024-03,d,-12.5%,0.5'];
    const r = ok(await importFile(wh, file('fmt.csv', csv.join('\n') + '\n'), { table: 'kpi_results', mapping: map }));
    expect(r.route).toBe('staged');
    expect(await wh.query(`SELECT kpi_code, actual, target FROM kpi_results ORDER BY kpi_code`)).toEqual([
      { kpi_code: 'a', actual: 0.75, target: 0.8 },
      { kpi_code: 'b', actual: 1234.5, target: 1000 },
      { kpi_code: 'c', actual: 1234.5, target: 800 },
      { kpi_code: 'd', actual: -0.125, target: 0.5 },
    ]);
    // Near misses stay errors: a misplaced separator, two signs, a percent sign in front.
    await wh.run('DELETE FROM kpi_lines');
    const before = await checksums();
    const broken = ['工号,考核月份,指标,实际,目标', 'E001,2024-03,a,"1,23",1', 'E001,2024-03,b,75%%,1', 'E001,2024-03,c,%75,1', 'E001,2024-03,d,¥¥5,1'];
    const f = bad(await importFile(wh, file('fmt-bad.csv', broken.join('\n') + '\n'), { table: 'kpi_results', mapping: map }));
    expect(f.errors.map((e) => [e.row, e.code, e.value])).toEqual([[2, 'type', '1,23'], [3, 'type', '75%%'], [4, 'type', '%75'], [5, 'type', '¥¥5']]);
    expect(await checksums()).toEqual(before);
  });

  it('Parquet: periods spelt in any accepted way stream straight in', async () => {
    await seedOrg();
    const pq = join(dir, `${n}_spelt.parquet`);
    await wh.run(`COPY (SELECT * FROM (VALUES ('E001', '2024年3月', 'a', 90.0), ('E001', '202403', 'b', 80.0), ('E002', '2024-03', 'a', 70.0)) v(emp, period, kpi, score)) TO '${pq}' (FORMAT parquet)`);
    const r = ok(await importFile(wh, pq, { table: 'kpi_results', mapping: { employee_id: 'emp', period_id: 'period', kpi_code: 'kpi', score: 'score' } }));
    expect(r.route).toBe('direct');
    expect(await wh.query(`SELECT employee_id, period_id, kpi_code, source_row FROM kpi_results ORDER BY source_row`)).toEqual([
      { employee_id: 'E001', period_id: '2024-03', kpi_code: 'a', source_row: 2 },
      { employee_id: 'E001', period_id: '2024-03', kpi_code: 'b', source_row: 3 },
      { employee_id: 'E002', period_id: '2024-03', kpi_code: 'a', source_row: 4 },
    ]);
  });

  it('reads a Parquet timestamp period as its month, and refuses a boolean score', async () => {
    await seedOrg();
    const map = { employee_id: 'emp', period_id: 'period', kpi_code: 'kpi', score: 'score' };
    const pq = join(dir, `${n}_ts.parquet`);
    // pandas writes datetime columns as TIMESTAMP: midnight on the 1st is the month.
    await wh.run(`COPY (SELECT 'E001' AS emp, TIMESTAMP '2024-03-01 00:00:00' AS period, 'x' AS kpi, 90.5 AS score) TO '${pq}' (FORMAT parquet)`);
    ok(await importFile(wh, pq, { table: 'kpi_results', mapping: map }));
    expect(await wh.query(`SELECT employee_id, period_id, score FROM kpi_results`)).toEqual([{ employee_id: 'E001', period_id: '2024-03', score: 90.5 }]);
    await wh.run('DELETE FROM kpi_lines');
    const before = await checksums();
    await wh.run(`COPY (SELECT 'E001' AS emp, '2024-03' AS period, 'x' AS kpi, true AS score) TO '${pq}' (FORMAT parquet)`);
    const r = bad(await importFile(wh, pq, { table: 'kpi_results', mapping: map }));
    expect(r.errors.map((e) => [e.row, e.column, e.code, e.value])).toEqual([[2, 'score', 'type', 'true']]);
    expect(await checksums()).toEqual(before);
  });
});

describe('other tables', () => {
  it('employees: hire dates as Excel writes date and date-time cells into a CSV', async () => {
    await seedOrg();
    const csv = ['工号,姓名,部门编号,职位,入职日期', 'E020,甲,d1,销售,2021/5/6 0:00', 'E021,乙,d1,销售,2021/5/6', 'E022,丙,d1,销售,2021-05-06 08:30', 'E023,丁,d1,销售,2021年5月6日'];
    ok(await importFile(wh, file('emp-dates.csv', csv.join('\n') + '\n'), { table: 'employees', mapping: { id: '工号', name: '姓名', org_unit_id: '部门编号', role: '职位', hire_date: '入职日期' } }));
    expect((await wh.query<{ d: string }>(`SELECT CAST(hire_date AS VARCHAR) AS d FROM employees WHERE id >= 'E020' ORDER BY id`)).map((r) => r.d)).toEqual(['2021-05-06', '2021-05-06', '2021-05-06', '2021-05-06']);
  });

  it('org units accept a parent listed later in the same file; unknown parents are rejected', async () => {
    const p = file('ou.csv', '部门编号,部门名称,上级部门\nd2,华东销售,d1\nd1,销售中心,\nd3,孤儿,dX\n');
    const r = bad(await importFile(wh, p, { table: 'org_units', mapping: { id: '部门编号', name: '部门名称', parent_id: '上级部门' } }));
    expect(r.errors.map((e) => [e.row, e.code, e.value])).toEqual([[4, 'reference', 'dX']]);
    const p2 = file('ou2.csv', '部门编号,部门名称,上级部门\nd2,华东销售,d1\nd1,销售中心,\n');
    ok(await importFile(wh, p2, { table: 'org_units', mapping: { id: '部门编号', name: '部门名称', parent_id: '上级部门' } }));
    expect(await wh.query(`SELECT id, kind FROM org_units ORDER BY id`)).toEqual([{ id: 'd1', kind: 'department' }, { id: 'd2', kind: 'department' }]);
  });

  it('periods derive kind and dates; assessments normalise S-scale grades and take department/role from the employee', async () => {
    await seedOrg();
    const p = file('p.csv', '期间\n2024年第一季度\n2024\n2024-02\n');
    ok(await importFile(wh, p, { table: 'periods', mapping: { id: '期间' } }));
    expect(await wh.query(`SELECT id, kind, CAST(start_date AS VARCHAR) s, CAST(end_date AS VARCHAR) e FROM periods WHERE id <> '2024-03' ORDER BY id`)).toEqual([
      { id: '2024', kind: 'year', s: '2024-01-01', e: '2024-12-31' },
      { id: '2024-02', kind: 'month', s: '2024-02-01', e: '2024-02-29' },
      { id: '2024-Q1', kind: 'quarter', s: '2024-01-01', e: '2024-03-31' },
    ]);
    const a = file('a.csv', '工号,考核期间,等级,总分\nE001,2024-Q1,S,96\nE002,2024-Q1,C,70\n');
    ok(await importFile(wh, a, { table: 'assessments', mapping: { employee_id: '工号', period_id: '考核期间', grade: '等级', score: '总分' } }));
    expect(await wh.query(`SELECT employee_id, grade, org_unit_id, role FROM assessments ORDER BY 1`)).toEqual([
      { employee_id: 'E001', grade: 'A', org_unit_id: 'd1', role: 'sales' },
      { employee_id: 'E002', grade: 'D', org_unit_id: 'd1', role: 'merchandiser' },
    ]);
  });
});

describe('file structure', () => {
  const KPI_HEAD = '工号,考核月份,指标,得分,权重';

  it('a row with more fields than the header is refused by row, whichever route reads it', async () => {
    await seedOrg();
    const before = await checksums();
    const early = bad(await importFile(wh, file('wide.csv', `${KPI_HEAD}\nE001,2024-03,accuracy,95,30\nE002,2024-03,accuracy,80,5,30\n`), { table: 'kpi_results', mapping: KPI_MAP }));
    expect(early.errors).toEqual([expect.objectContaining({ row: 3, code: 'format', value: '30' })]);
    expect(early.errors[0]!.message.zh).toContain('有 6 个字段，而表头只有 5 列');
    expect(early.errors[0]!.message.en).toContain('6 fields but the header has 5 columns');
    // Past DuckDB's 20,480-row sample the reader itself stops at the row: same error, not a crash.
    await wh.run(`INSERT INTO employees (id, name, org_unit_id, role) SELECT 'X' || i, 'n', 'd1', 'sales' FROM range(25000) t(i)`);
    const before2 = await checksums();
    const lines = Array.from({ length: 25000 }, (_, i) => `X${i},2024-03,accuracy,95,30${i === 24000 ? ',oops' : ''}`);
    const late = bad(await importFile(wh, file('wide-late.csv', `${KPI_HEAD}\n${lines.join('\n')}\n`), { table: 'kpi_results', mapping: KPI_MAP }));
    expect(late.errors).toEqual([expect.objectContaining({ row: 24002, code: 'format', value: 'oops' })]);
    expect(await checksums()).toEqual(before2);
    await wh.run(`DELETE FROM employees WHERE id LIKE 'X%'`);
    expect(await checksums()).toEqual(before);
    // Other tables read the same way.
    const ou = bad(await importFile(wh, file('ou.csv', '部门编号,部门名称,上级部门\nd2,华东,销售,d1\nd3,华北,\nd4,华南,销售,二部,d1\n'), { table: 'org_units', mapping: { id: '部门编号', name: '部门名称', parent_id: '上级部门' } }));
    expect(ou.errors.map((e) => [e.row, e.code, e.value])).toEqual([[2, 'format', 'd1'], [4, 'format', '二部 | d1']]);
    expect([ou.errorCount, ou.counts, ou.rowCount]).toEqual([2, { format: 2 }, 3]);
    expect(ou.errors[1]!.message.en).toContain('Row 4: 5 fields but the header has 3 columns');
  });

  it('an empty trailing field (a delimiter at the end of the line, as some exports write) is fine', async () => {
    await seedOrg();
    const r = ok(await importFile(wh, file('trail.csv', `${KPI_HEAD}\nE001,2024-03,accuracy,95,30,\nE002,2024-03,accuracy,80,30,\n`), { table: 'kpi_results', mapping: KPI_MAP }));
    expect(r.inserted).toBe(2);
  });

  it('a quote that never closes is refused with its line instead of silently dropping the rest of the file', async () => {
    await seedOrg();
    const before = await checksums();
    const r = bad(await importFile(wh, file('quote.csv', `${KPI_HEAD}\nE001,2024-03,"accuracy,95,30\nE002,2024-03,accuracy,80,30\n`), { table: 'kpi_results', mapping: KPI_MAP }));
    expect(r.errors).toEqual([expect.objectContaining({ row: 2, code: 'format' })]);
    expect(r.errors[0]!.message.en).toContain('never closed');
    expect(await checksums()).toEqual(before);
  });

  it('a text that is not a table (notes saved as .csv) is refused in plain words, by preview and by both import routes', async () => {
    await seedOrg();
    const before = await checksums();
    // Quotes in the middle of unquoted text, as in notes or a pasted JSON snippet: no CSV dialect fits.
    const notes = '# 导入说明\n接口返回 `{"status":"ok","version":1}` 等字段, 详见 README\n';
    const path = file('notes.csv', notes);
    const preview = await previewImport(wh, path, { table: 'org_units', fileName: 'notes.csv' }).catch((e: unknown) => e);
    expect(preview).toBeInstanceOf(ImportFileError);
    expect((preview as ImportFileError).message).toMatch(/^notes\.csv：无法把文件读成表格.* \/ notes\.csv: The file cannot be read as a table/);
    for (const [table, mapping] of [['org_units', { id: '工号', name: '说明' }], ['kpi_results', KPI_MAP]] as const) {
      const r = bad(await importFile(wh, path, { table, mapping, fileName: 'notes.csv' }));
      expect(r.errors).toEqual([expect.objectContaining({ row: null, code: 'format' })]);
      expect(r.errors[0]!.message.en).toContain('cannot be read as a table');
    }
    expect(await checksums()).toEqual(before);
  });

  it('a header given twice is told apart, so either column can be mapped', async () => {
    await seedOrg();
    const p = file('twice.csv', '工号,考核月份,指标,得分,得分\nE001,2024-03,a,90,10\n');
    const pv = await previewImport(wh, p, { table: 'kpi_results' });
    expect([pv.headers, pv.mapping.score]).toEqual([['工号', '考核月份', '指标', '得分', '得分 (2)'], '得分']);
    ok(await importFile(wh, p, { table: 'kpi_results', mapping: { employee_id: '工号', period_id: '考核月份', kpi_code: '指标', score: '得分 (2)' } }));
    expect(await wh.query(`SELECT score FROM kpi_results`)).toEqual([{ score: 10 }]);
  });

  it('an empty file, or a header with nothing under it, is refused as having nothing to import', async () => {
    await seedOrg();
    const before = await checksums();
    for (const [name, text] of [['empty.csv', ''], ['bom.csv', '\uFEFF'], ['blank.csv', '\n\n']] as const) {
      const preview = await previewImport(wh, file(name, text), { table: 'kpi_results', fileName: name }).catch((e: unknown) => e);
      expect(preview).toBeInstanceOf(ImportFileError);
      expect((preview as ImportFileError).message).toContain(`${name}: The file is empty`);
      const r = bad(await importFile(wh, file(name, text), { table: 'kpi_results', mapping: KPI_MAP }));
      expect(r.errors.map((e) => [e.row, e.code, e.message.zh])).toEqual([[null, 'format', '文件是空的：没有表头，也没有数据']]);
    }
    // An empty template sent by mistake, with the spacer rows Excel leaves: no batch of nothing.
    for (const text of ['工号,考核月份,指标,得分,权重\n', '工号,考核月份,指标,得分,权重\n,,,,\n\n']) {
      const r = bad(await importFile(wh, file('template.csv', text), { table: 'kpi_results', mapping: KPI_MAP }));
      expect(r.errors.map((e) => [e.row, e.code, e.message.en])).toEqual([[null, 'format', 'The file has a header but no data rows under it: there is nothing to import']]);
    }
    expect(await checksums()).toEqual(before);
  });

  it('quotes that do close, escaped quotes, quoted line breaks and a literal quote inside a value all import', async () => {
    await seedOrg();
    // Five quote characters: an odd count, so the line-by-line walk runs and must find nothing open.
    const text = `工号,姓名,考核月份,得分\nE001,"张""三\n二行",2024-03,95\nE002,李"四,2024-03,80\n`;
    const r = ok(await importFile(wh, file('quotes-ok.csv', text), { table: 'assessments', mapping: { employee_id: '工号', period_id: '考核月份', score: '得分' } }));
    expect(r.inserted).toBe(2);
  });
});

describe('concurrent imports', () => {
  it('run one after another: each gets its own batch and both land, whatever the tables', async () => {
    await seedOrg();
    const kpiA = file('ka.csv', '工号,考核月份,指标,得分,权重\nE001,2024-03,accuracy,95,30\n');
    const kpiB = file('kb.csv', '工号,考核月份,指标,得分,权重\nE002,2024-03,accuracy,80,30\n');
    const periods = file('p.csv', '期间\n2024-04\n2024-05\n');
    const org = file('ou.csv', '部门编号,部门名称,上级部门\nd9,新部门,root\n');
    const results = await Promise.all([
      importFile(wh, kpiA, { table: 'kpi_results', mapping: KPI_MAP }),
      importFile(wh, kpiB, { table: 'kpi_results', mapping: KPI_MAP }),
      importFile(wh, periods, { table: 'periods', mapping: { id: '期间' } }),
      importFile(wh, org, { table: 'org_units', mapping: { id: '部门编号', name: '部门名称', parent_id: '上级部门' } }),
    ]);
    const ids = results.map((r) => ok(r).batchId);
    expect(new Set(ids).size).toBe(4);
    expect(await wh.query(`SELECT id::INTEGER AS id FROM import_batches ORDER BY id`)).toEqual([1, 2, 3, 4].map((id) => ({ id })));
    expect(await wh.query(`SELECT employee_id, score FROM kpi_results ORDER BY 1`)).toEqual([
      { employee_id: 'E001', score: 95 },
      { employee_id: 'E002', score: 80 },
    ]);
    expect((await wh.query(`SELECT count(*)::INTEGER AS n FROM periods`))[0]).toEqual({ n: 3 });
  });
});

describe('flat sheet', () => {
  const FLAT = { employee_id: '工号', name: '姓名', department: '所属部门', role: '岗位', period: '考核月份', score: '考核得分', grade: '考核等级' };
  it('creates org units, employees and periods in one step and re-imports idempotently', async () => {
    const text = [
      '工号,姓名,所属部门,岗位,考核月份,考核得分,考核等级',
      'E1,甲,跟单部,跟单员,2024-01,92,优秀',
      'E1,甲,跟单部,跟单员,2024-02,85,良好',
      'E2,,客服部,客服,2024-01,58,不合格',
    ].join('\n');
    const p = file('flat.csv', text);
    const pv = await previewImport(wh, p, { table: 'flat' });
    expect(pv.mapping).toEqual(FLAT);
    expect(pv.unmappedRequired).toEqual([]);
    const r = ok(await importFile(wh, p, { table: 'flat', mapping: pv.mapping }));
    // root + 2 departments; E1, E2; 2024-01, 2024-02
    expect(r.created).toEqual({ orgUnits: 3, employees: 2, periods: 2, roles: 0 });
    expect(r.inserted).toBe(3);
    const emps = await wh.query(`SELECT e.id, e.name, o.name AS dept, o.parent_id, e.role FROM employees e JOIN org_units o ON o.id = e.org_unit_id ORDER BY 1`);
    expect(emps).toEqual([
      { id: 'E1', name: '甲', dept: '跟单部', parent_id: 'root', role: 'merchandiser' },
      { id: 'E2', name: 'E2', dept: '客服部', parent_id: 'root', role: 'cs_ecommerce' },
    ]);
    expect(await wh.query(`SELECT employee_id, period_id, grade FROM assessments ORDER BY 1, 2`)).toEqual([
      { employee_id: 'E1', period_id: '2024-01', grade: 'A' },
      { employee_id: 'E1', period_id: '2024-02', grade: 'B' },
      { employee_id: 'E2', period_id: '2024-01', grade: 'E' },
    ]);
    const before = await checksums();
    const rej = bad(await importFile(wh, p, { table: 'flat', mapping: pv.mapping }));
    expect(rej.counts).toEqual({ duplicate_existing: 3 });
    const again = ok(await importFile(wh, p, { table: 'flat', mapping: pv.mapping, onDuplicate: 'replace' }));
    expect([again.created, again.replaced]).toEqual([{ orgUnits: 0, employees: 0, periods: 0, roles: 0 }, 3]);
    const after = await checksums();
    for (const t of ['org_units', 'employees', 'periods']) expect(after[t]).toBe(before[t]);
    expect((await wh.query(`SELECT count(*)::INTEGER n, sum(score) s FROM assessments`))[0]).toEqual({ n: 3, s: 92 + 85 + 58 });
  });
});
