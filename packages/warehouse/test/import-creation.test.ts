import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { Warehouse } from '../src/db.ts';
import { importFile, previewImport } from '../src/import/index.ts';
import { CreationNotConfirmedError } from '../src/import/creation.ts';
import { suggestTarget } from '../src/import/preview.ts';

/**
 * What an import creates besides its rows is listed before it runs and written only when
 * confirmed (issue 18, point 9); and of a workbook's sheets the flat one is the one read.
 */
const dir = mkdtempSync(join(tmpdir(), 'perflens-import-creation-'));
let wh: Warehouse;
beforeAll(async () => {
  wh = await Warehouse.open({ path: join(dir, 'c.duckdb') });
  await wh.run(`INSERT INTO org_units VALUES ('root', '公司', NULL, 'company', NULL, NULL), ('d1', '跟单一部', 'root', 'department', NULL, NULL), ('d2', '跟单二部', 'root', 'department', NULL, NULL)`);
  await wh.run(`INSERT INTO employees (id, name, org_unit_id, role) VALUES ('E001', '张三', 'd1', 'merchandiser')`);
});
afterAll(() => {
  wh.close();
  rmSync(dir, { recursive: true, force: true });
});

const count = async (table: string) => (await wh.query<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM ${table}`))[0]!.n;

describe('creation plan and confirmation in the importer', () => {
  const csv = join(dir, 'flat.csv');
  // Full-width and doubled spaces are folded as the importer keys names: '跟单一布　' is 跟单一布.
  writeFileSync(csv, ['工号,姓名,部门,岗位,考核月份,等级', 'E001,张三,跟单一部,跟单员,2024-03,优', 'E002,李四,跟单一布　,跟单员,2024-03,良', 'E003,王五,跟单三部,跟单员,2024-03,中'].join('\n'));
  const mapping = { employee_id: '工号', name: '姓名', department: '部门', role: '岗位', period: '考核月份', grade: '等级' };

  it('lists 跟单一布 as a near match of 跟单一部, and the numbered sibling 跟单三部 as none', async () => {
    const p = await previewImport(wh, csv, { table: 'flat' });
    expect(p.creates?.orgUnits).toEqual([
      { name: '跟单一布', rows: 1, firstRow: null, similar: { name: '跟单一部', existing: true } },
      { name: '跟单三部', rows: 1, firstRow: null, similar: null },
    ]);
    expect(p.creates?.employeeCount).toBe(2);
  });

  it('refuses inside the transaction when unconfirmed, leaving every table as it was', async () => {
    const before = await Promise.all(['org_units', 'employees', 'assessments', 'periods', 'import_batches'].map(count));
    const err = await importFile(wh, csv, { table: 'flat', mapping, fileName: 'flat.csv', confirmCreate: { orgUnits: ['跟单三部'], employees: 2 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CreationNotConfirmedError);
    expect((err as CreationNotConfirmedError).plan.orgUnits.map((u) => [u.name, u.firstRow])).toEqual([['跟单一布', 3], ['跟单三部', 4]]);
    expect(await Promise.all(['org_units', 'employees', 'assessments', 'periods', 'import_batches'].map(count))).toEqual(before);
    // Confirmed (the names as the user saw them, spacing aside), the import goes through.
    const r = await importFile(wh, csv, { table: 'flat', mapping, fileName: 'flat.csv', confirmCreate: { orgUnits: ['跟单一布', ' 跟单三部'], employees: 2 } });
    expect(r.ok && r.created).toMatchObject({ orgUnits: 2, employees: 2 });
  });

  it('suggests the flat target from its headers only', () => {
    expect(suggestTarget(['工号', '姓名', '部门', '考核月份', '得分'], [['E1', '甲', '销售部', '2024-03', '80']])).toBe('flat');
    expect(suggestTarget(['EmployeeNumber', 'Department', 'JobRole', 'PerformanceRating'], [['1', 'Sales', 'Sales Executive', '3']])).toBe('flat');
    expect(suggestTarget(['工号', '考核月份', '指标', '得分', '权重'], [['E1', '2024-03', 'kpi', '80', '20']])).toBeNull();
    expect(suggestTarget(['部门编号', '部门名称'], [['d1', '销售部']])).toBeNull();
  });

  it('of a workbook\'s sheets, the one laid out as a flat sheet is read unless the user picks one', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('说明').addRows([['本表由人力资源系统导出'], ['填表说明', '请勿修改表头']]);
    wb.addWorksheet('考核结果').addRows([['工号', '姓名', '部门', '岗位', '考核月份', '得分'], ['E001', '张三', '跟单一部', '跟单员', '2024-04', 90]]);
    const path = join(dir, 'export.xlsx');
    writeFileSync(path, Buffer.from(await wb.xlsx.writeBuffer()));
    const p = await previewImport(wh, path, { workDir: dir });
    expect([p.sheets, p.sheet, p.suggestedTable, p.headers[2]]).toEqual([['说明', '考核结果'], '考核结果', 'flat', '部门']);
    expect((await previewImport(wh, path, { workDir: dir, table: 'flat' })).sheet).toBe('考核结果');
    expect((await previewImport(wh, path, { workDir: dir, sheet: '说明' })).sheet).toBe('说明');
  });
});
