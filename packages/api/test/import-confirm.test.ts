import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TRPCError } from '@trpc/server';
import { newUploadId, uploadFile, Warehouse, writeUploadMeta } from '@perflens/warehouse';
import { appRouter, createCallerFactory } from '../src/index.ts';
import { loadFixture } from '../../warehouse/test/queries.fixture.ts';

/**
 * Imports do not invent departments from typos: the preview lists the org units and employees an
 * import would create, with near matches to the names already stored, and the run refuses to
 * create any it was not told to (issue 18, point 9). Against a real DuckDB file.
 */
let dir: string;
let wh: Warehouse;
const createCaller = createCallerFactory(appRouter);
let zh: ReturnType<typeof createCaller>;
let en: ReturnType<typeof createCaller>;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perflens-import-confirm-'));
  wh = await Warehouse.open({ path: join(dir, 'confirm.duckdb') });
  await loadFixture(wh);
  zh = createCaller({ wh, lang: 'zh' });
  en = createCaller({ wh, lang: 'en' });
});
afterAll(async () => {
  // Imports start a background refresh: close only once it is done.
  await wh.closeWhenIdle();
  rmSync(dir, { recursive: true, force: true });
});

function upload(fileName: string, content: string | Buffer): string {
  const id = newUploadId();
  writeFileSync(uploadFile(wh, id), content);
  writeUploadMeta(wh, id, { fileName, size: Buffer.byteLength(content) });
  return id;
}

/** Rows of the tables an import writes, and the batches: all must stay as they are on a refusal. */
interface Counts {
  units: number;
  employees: number;
  assessments: number;
  periods: number;
  batches: number;
  metrics: number;
}
async function counts(): Promise<Counts> {
  const [r] = await wh.query<Counts>(
    `SELECT (SELECT count(*) FROM org_units)::INTEGER AS units, (SELECT count(*) FROM employees)::INTEGER AS employees,
            (SELECT count(*) FROM assessments)::INTEGER AS assessments, (SELECT count(*) FROM periods)::INTEGER AS periods,
            (SELECT count(*) FROM import_batches)::INTEGER AS batches, (SELECT count(*) FROM metrics)::INTEGER AS metrics`,
  );
  return r!;
}

// The fixture's 运营部 (OPS) mistyped as 运营布 on two rows; 质检部 is genuinely new; E01 exists.
const FLAT = ['工号,姓名,部门,岗位,考核月份,得分', 'E01,王芳,运营部,sales,2024-04,88', 'N01,新人甲,运营布,sales,2024-04,80', 'N02,新人乙,质检部,sales,2024-04,75', 'N03,新人丙,运营布,sales,2024-04,70'].join('\n');
const MAPPING = { employee_id: '工号', name: '姓名', department: '部门', role: '岗位', period: '考核月份', score: '得分' };

describe('import creation needs confirming', () => {
  it('the preview lists the new org units with their near matches, and the new employees', async () => {
    const uploadId = upload('绩效.csv', FLAT);
    const p = await zh.import.preview({ uploadId, table: 'flat' });
    expect(p.creates).toEqual({
      orgUnits: [
        { name: '运营布', rows: 2, firstRow: null, similar: { name: '运营部', existing: true } },
        { name: '质检部', rows: 1, firstRow: null, similar: null },
      ],
      employees: [
        { id: 'N01', name: '新人甲' },
        { id: 'N02', name: '新人乙' },
        { id: 'N03', name: '新人丙' },
      ],
      employeeCount: 3,
    });
    // Without a target the headers say it is a flat sheet.
    expect((await zh.import.preview({ uploadId })).suggestedTable).toBe('flat');
    // A department given as a constant is what would be created.
    const constant = await zh.import.preview({ uploadId, table: 'flat', mapping: { employee_id: '工号' }, constants: { department: ' 运营部 ' } });
    expect(constant.creates?.orgUnits).toEqual([]);
  });

  it('a run without confirmation is refused with what it would create, in the caller\'s language, and writes nothing', async () => {
    const uploadId = upload('绩效.csv', FLAT);
    const before = await counts();
    const err = await zh.import.run({ uploadId, table: 'flat', mapping: MAPPING }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TRPCError);
    expect((err as TRPCError).code).toBe('BAD_REQUEST');
    const message = (err as TRPCError).message;
    expect(message).toMatch(/^绩效\.csv：导入会新建 2 个部门（「部门」列）：/);
    expect(message).toContain('“运营布”（第 3 行起；与现有部门“运营部”相近，是否写错？）');
    expect(message).toContain('3 名员工（N01 新人甲、N02 新人乙、N03 新人丙）');
    expect(message).not.toMatch(/SELECT|imp_|duckdb/i);
    const english = ((await en.import.run({ uploadId, table: 'flat', mapping: MAPPING }).catch((e: unknown) => e)) as TRPCError).message;
    expect(english).toContain('绩效.csv: the import would create 2 departments (column "部门"): "运营布" (from row 3; close to the existing "运营部" — a typo?), "质检部" (from row 4)');
    expect(english).toContain('Nothing was written');
    // A confirmation that leaves a unit out, or counts fewer employees, covers nothing.
    await expect(zh.import.run({ uploadId, table: 'flat', mapping: MAPPING, confirmCreate: { orgUnits: ['质检部'], employees: 3 } })).rejects.toThrow(/运营布/);
    await expect(zh.import.run({ uploadId, table: 'flat', mapping: MAPPING, confirmCreate: { orgUnits: ['运营布', '质检部'], employees: 2 } })).rejects.toThrow(/3 名员工/);
    expect(await counts()).toEqual(before);
  });

  it('with the confirmation the units and employees are created', async () => {
    const uploadId = upload('绩效.csv', FLAT);
    const before = await counts();
    const r = await zh.import.run({ uploadId, table: 'flat', mapping: MAPPING, confirmCreate: { orgUnits: ['运营布', '质检部'], employees: 3 } });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.created).toMatchObject({ orgUnits: 2, employees: 3 });
    expect(await counts()).toMatchObject({ units: before.units + 2, employees: before.employees + 3, assessments: before.assessments + 4 });
    // Re-previewed now, nothing is new any more.
    const again = await zh.import.preview({ uploadId, table: 'flat' });
    expect(again.creates).toEqual({ orgUnits: [], employees: [], employeeCount: 0 });
  });

  it('a file that creates nothing needs no confirmation', async () => {
    const uploadId = upload('已有.csv', ['工号,姓名,部门,岗位,考核月份,得分', 'E02,李娜,北区,sales,2024-05,81'].join('\n'));
    const r = await zh.import.run({ uploadId, table: 'flat', mapping: MAPPING });
    expect(r.ok).toBe(true);
  });

  it('metrics: the org units createMissing would add are listed and need the same confirmation', async () => {
    const uploadId = upload('metrics.csv', ['部门编号,考核期间,指标名称,数值', 'SALES,2024-01,sales_amount,100', 'SALE,2024-01,sales_amount,90'].join('\n'));
    const mapping = { org_unit_id: '部门编号', period_id: '考核期间', metric: '指标名称', value: '数值' };
    const p = await zh.import.preview({ uploadId, table: 'metrics', mapping });
    expect(p.creates?.orgUnits).toEqual([{ name: 'SALE', rows: 1, firstRow: null, similar: { name: 'SALES', existing: true } }]);
    const before = await counts();
    await expect(zh.import.run({ uploadId, table: 'metrics', mapping, createMissing: true })).rejects.toThrow(/“SALE”（第 3 行起；与现有部门“SALES”相近/);
    expect(await counts()).toEqual(before);
    const r = await zh.import.run({ uploadId, table: 'metrics', mapping, createMissing: true, confirmCreate: { orgUnits: ['SALE'], employees: 0 } });
    expect(r.ok && r.created.orgUnits).toBe(1);
  });
});
