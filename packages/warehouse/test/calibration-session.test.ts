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
    // The trail names the person it is about, so the dashboard need not show a bare id.
    expect(after.audit.map((a) => a.employeeName)).toEqual([null, '员工4', null]);
    expect((await calibrationSessionList(wh)).map((x) => [x.name, x.status, x.people, x.adjusted])).toEqual([['2024年1月校准', 'final', 22, 1]]);

    const x = await calibrationSessionExport(wh, { id });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(x.base64, 'base64') as never);
    const result = wb.getWorksheet('结果 Result')!;
    expect(result.rowCount).toBe(23);
    const e04 = result.getRows(2, 22)!.find((r) => r.getCell(1).value === 'E04')!;
    // Grades by the scale's names (优/良/中 …), the unit by its name, the role by its name; the
    // codes only in their own trailing columns (unit id, role code, final grade letter).
    expect([e04.getCell(10).value, e04.getCell(11).value, e04.getCell(12).value]).toEqual(['良', '良', '中']);
    expect(e04.getCell(5).value).toBe('销售一部');
    expect([e04.getCell(14).value, e04.getCell(16).value]).toEqual(['D1', 'C']);
    expect(e04.getCell(6).value).not.toBe(e04.getCell(15).value); // role name, not its code
    expect(e04.getCell(13).value).toBe('否');
    const audit = wb.getWorksheet('审计 Audit')!;
    const headers = (audit.getRow(1).values as unknown[]).slice(1);
    expect(headers).toEqual([
      '序号 #', '时间 When', '操作人 Who', '操作 Action', '工号 Employee ID', '姓名 Employee name', '期间 Period',
      '原等级 From grade', '新等级 To grade', '理由 Reason', '说明 Details', '操作代码 Action code',
    ]);
    const adjusted = (audit.getRow(3).values as unknown[]).slice(1);
    expect(adjusted).toEqual([2, expect.any(String), 'hr-li', '调整等级', 'E04', '员工4', '2024-01', '良', '中', '同分，按关键项目得分排后', '', 'calibration.adjust']);
    expect(audit.getRow(2).getCell(11).value).toMatch(/保存「2024年1月校准」：22 人/);
    // No cell of any sheet holds JSON, and no name column holds a bare grade letter.
    const codeColumns = new Set(['组织单元代码 Org unit ID', '岗位代码 Role code', '最终等级代码 Final grade code', '操作代码 Action code']);
    for (const ws of [result, audit]) {
      const head = (ws.getRow(1).values as unknown[]).map(String);
      ws.eachRow((row, n) => {
        if (n === 1) return;
        row.eachCell((cell, c) => {
          const v = String(cell.value ?? '');
          expect(v, `${ws.name} ${cell.address}`).not.toMatch(/^[[{]/);
          if (!codeColumns.has(head[c]!)) expect(v, `${ws.name} ${cell.address}`).not.toMatch(/^[A-E]$/);
        });
      });
    }
    const quotaHead = (wb.getWorksheet('配额 Quotas')!.getRow(1).values as unknown[]).map(String);
    expect(quotaHead).toContain('优 Outstanding 配额 quota');

    // In English the same cells speak English.
    const en = new ExcelJS.Workbook();
    await en.xlsx.load(Buffer.from((await calibrationSessionExport(wh, { id }, 'en')).base64, 'base64') as never);
    const e04en = en.getWorksheet('结果 Result')!.getRows(2, 22)!.find((r) => r.getCell(1).value === 'E04')!;
    expect([e04en.getCell(10).value, e04en.getCell(12).value, e04en.getCell(13).value]).toEqual(['Good', 'Satisfactory', 'No']);
    expect(en.getWorksheet('审计 Audit')!.getRow(3).getCell(4).value).toBe('Grade moved');
  });

  it('the audit log is append-only in practice: a failed adjust writes nothing', async () => {
    const { id } = await calibrationSessionCreate(wh, { name: 'second', ranking: { from: '2024-01' } });
    const before = (await calibrationSessionGet(wh, { id })).audit.length;
    await calibrationSessionAdjust(wh, { id, employeeId: 'E01', periodId: '2024-01', grade: 'A', reason: 'same grade' }).catch(() => undefined);
    expect((await calibrationSessionGet(wh, { id })).audit.length).toBe(before);
    await expect(calibrationSessionGet(wh, { id: '00000000-0000-4000-8000-000000000000' })).rejects.toThrow(/不存在/);
  });
});
