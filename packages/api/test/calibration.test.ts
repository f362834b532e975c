import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TRPCError } from '@trpc/server';
// exceljs is the warehouse's dependency (it writes the workbook); the test reads it back with it.
import ExcelJS from '../../warehouse/node_modules/exceljs';
import { Warehouse } from '@perflens/warehouse';
import { appRouter, createCallerFactory } from '../src/index.ts';
import { loadCalibrationFixture } from '../../warehouse/test/calibration.fixture.ts';

let dir: string;
let wh: Warehouse;
const createCaller = createCallerFactory(appRouter);
let caller: ReturnType<typeof createCaller>;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perflens-api-cal-'));
  wh = await Warehouse.open({ path: join(dir, 'api.duckdb') });
  await loadCalibrationFixture(wh);
  caller = createCaller({ wh, lang: 'zh' });
});
afterAll(() => {
  wh.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('calibration procedures (fixture: warehouse/test/calibration.fixture.ts)', () => {
  it('ranking.forced with defaults and a bad guideline', async () => {
    const r = await caller.ranking.forced({ from: '2024-01', minGroupSize: 5 });
    expect(r.groups.map((g) => g.key)).toEqual(['D1', 'D2']);
    const bad = await caller.ranking
      .forced({ from: '2024-01', guideline: { mode: 'ranges', ranges: { A: { min: 0.6 }, B: { min: 0.6 } } } })
      .catch((e: unknown) => e);
    expect((bad as TRPCError).code).toBe('BAD_REQUEST');
    expect((bad as TRPCError).message).toMatch(/无法满足强制分布区间/);
  });

  it('session round trip: finalised sessions answer CONFLICT, unknown ones NOT_FOUND', async () => {
    const { id } = await caller.calibration.session.create({ name: 'api', ranking: { from: '2024-01' } });
    await caller.calibration.session.adjust({ id, employeeId: 'E05', periodId: '2024-01', grade: 'B', reason: '客户表扬' });
    await caller.calibration.session.finalise({ id });
    const err = await caller.calibration.session.adjust({ id, employeeId: 'E06', periodId: '2024-01', grade: 'B', reason: 'x2' }).catch((e: unknown) => e);
    expect((err as TRPCError).code).toBe('CONFLICT');
    const missing = await caller.calibration.session.get({ id: '00000000-0000-4000-8000-000000000000' }).catch((e: unknown) => e);
    expect((missing as TRPCError).code).toBe('NOT_FOUND');
    const x = await caller.calibration.session.export({ id });
    expect(Buffer.from(x.base64, 'base64').subarray(0, 2).toString()).toBe('PK'); // a zip, i.e. an XLSX
    // Cells speak the caller's language: grade names and action names, the codes only in their own columns.
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from((await createCaller({ wh, lang: 'en' }).calibration.session.export({ id })).base64, 'base64') as never);
    const moved = wb.getWorksheet('审计 Audit')!.getRow(3).values as unknown[];
    expect(moved.slice(4, 10)).toEqual(['Grade moved', 'E05', '员工5', '2024-01', expect.any(String), 'Good']);
    expect(moved[12]).toBe('calibration.adjust');
    // The export is on the session's trail too: who took the grades out, and when.
    expect((await caller.calibration.session.get({ id })).audit.map((a) => a.action)).toEqual(['calibration.create', 'calibration.adjust', 'calibration.finalise', 'export.calibration', 'export.calibration']);
  });

  it('departments, fairness and raters answer with defaults', async () => {
    expect((await caller.calibration.departments({ from: '2024-01', to: '2024-01' })).units).toHaveLength(3);
    expect((await caller.calibration.fairness({ from: '2024-01', to: '2024-01' })).gender).toHaveLength(2);
    expect((await caller.calibration.raters({ from: '2024-01', to: '2024-01' })).raters.map((r) => r.rater).sort()).toEqual(['R1', 'R2', 'R3']);
  });
});
