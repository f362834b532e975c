import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import {
  CalibrationError,
  Warehouse,
  calibrationSessionAdjust,
  calibrationSessionCreate,
  calibrationSessionExport,
  calibrationSessionFinalise,
  calibrationSessionGet,
  calibrationSessionList,
} from '../src/index.ts';
import { loadCalibrationFixture } from './calibration.fixture.ts';
import { runAs } from '../src/context.ts';

let dir: string;
let wh: Warehouse;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perflens-cal-s-'));
  wh = await Warehouse.open({ path: join(dir, 'cal.duckdb') });
  await loadCalibrationFixture(wh);
});
afterAll(() => {
  wh.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('calibration sessions', () => {
  it('create → adjust with reason → counters → finalise locks → export holds result and audit', async () => {
    // The actor is whoever is signed in (context.ts), not a field of the request.
    const hrLi = { userId: 'hr-li', name: '李', role: 'hr' as const, orgScopes: null, ip: '127.0.0.1', via: 'session' as const };
    const { id, people } = await runAs(hrLi, () => calibrationSessionCreate(wh, { name: '2024年1月校准', ranking: { from: '2024-01', minGroupSize: 5 } }));
    expect(people).toBe(22);
    const s = await calibrationSessionGet(wh, { id, people: { groupKey: 'D1', limit: 3 } });
    expect(s.status).toBe('open');
    expect(s.people.total).toBe(12);
    expect(s.people.rows.map((r) => `${r.employeeId}:${r.finalGrade}`)).toEqual(['E01:A', 'E02:B', 'E03:B']);
    // better-grade ties leave D1 one over on 良 and one under on 中 (see calibration-ranking.test.ts).
    expect(s.counters.find((c) => c.key === 'D1')!.diff).toEqual({ A: 0, B: 1, C: -1, D: 0, E: 0 });

    // Move E04 (88, tied) down to 中: the group now meets its quota exactly.
    const adj = await runAs(hrLi, () => calibrationSessionAdjust(wh, { id, employeeId: 'E04', periodId: '2024-01', grade: 'C', reason: '同分，按关键项目得分排后' }));
    expect([adj.before, adj.after]).toEqual(['B', 'C']);
    expect(adj.counter.diff).toEqual({ A: 0, B: 0, C: 0, D: 0, E: 0 });

    await expect(calibrationSessionAdjust(wh, { id, employeeId: 'E05', periodId: '2024-01', grade: 'B', reason: '' })).rejects.toThrow(/reason is required/);
    await expect(calibrationSessionAdjust(wh, { id, employeeId: 'E99', periodId: '2024-01', grade: 'B', reason: '测试' })).rejects.toThrow(/E99.*没有员工 E99/s);

    await runAs({ ...hrLi, userId: 'hr-wang' }, () => calibrationSessionFinalise(wh, { id }));
    const locked = await calibrationSessionAdjust(wh, { id, employeeId: 'E05', periodId: '2024-01', grade: 'B', reason: '再调整' }).catch((e: unknown) => e);
    expect(locked).toBeInstanceOf(CalibrationError);
    expect((locked as CalibrationError).kind).toBe('locked');
    expect((locked as Error).message).toMatch(/finalised.*已于 .* 定稿锁定/s);

    const after = await calibrationSessionGet(wh, { id, people: { onlyChanged: true } });
    expect(after.status).toBe('final');
    expect(after.audit.map((a) => [a.action, a.actor, a.reason])).toEqual([
      ['calibration.create', 'hr-li', null],
      ['calibration.adjust', 'hr-li', '同分，按关键项目得分排后'],
      ['calibration.finalise', 'hr-wang', null],
    ]);
    expect(after.audit[1]!.before).toEqual({ employeeId: 'E04', periodId: '2024-01', grade: 'B' });
    expect((await calibrationSessionList(wh)).map((x) => [x.name, x.status, x.people, x.adjusted])).toEqual([['2024年1月校准', 'final', 22, 1]]);

    const x = await calibrationSessionExport(wh, { id });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(x.base64, 'base64') as never);
    const result = wb.getWorksheet('结果 Result')!;
    expect(result.rowCount).toBe(23);
    const e04 = result.getRows(2, 22)!.find((r) => r.getCell(1).value === 'E04')!;
    expect([e04.getCell(10).value, e04.getCell(11).value, e04.getCell(12).value]).toEqual(['B', 'B', 'C']);
    const audit = wb.getWorksheet('审计 Audit')!;
    expect(audit.getRow(3).getCell(7).value).toBe('同分，按关键项目得分排后');
  });

  it('the audit log is append-only in practice: a failed adjust writes nothing', async () => {
    const { id } = await calibrationSessionCreate(wh, { name: 'second', ranking: { from: '2024-01' } });
    const before = (await calibrationSessionGet(wh, { id })).audit.length;
    await calibrationSessionAdjust(wh, { id, employeeId: 'E01', periodId: '2024-01', grade: 'A', reason: 'same grade' }).catch(() => undefined);
    expect((await calibrationSessionGet(wh, { id })).audit.length).toBe(before);
    await expect(calibrationSessionGet(wh, { id: '00000000-0000-4000-8000-000000000000' })).rejects.toThrow(/不存在/);
  });
});
