import ExcelJS from 'exceljs';
import { safeWorkbook } from '../safe-cell.ts';
import { z } from 'zod';
import { GRADES } from '@perflens/core';
import type { Warehouse } from '../db.ts';
import { loadSession, quotaCounters, sessionIdSchema } from './calibration-session-common.ts';
import { sessionAudit } from './calibration-session-get.ts';

export const calibrationSessionExportInputSchema = z.strictObject({ id: sessionIdSchema });
export type CalibrationSessionExportInput = z.input<typeof calibrationSessionExportInputSchema>;

/**
 * `calibration.session.export`: the result (every person's recorded, proposed and final grade),
 * the quota counters and the audit trail as one XLSX workbook with bilingual headers. Returned as
 * base64 inside the tRPC response (the API has no transformer, so binary cannot travel as-is);
 * the browser turns it into a Blob download.
 */
export async function calibrationSessionExport(
  wh: Warehouse,
  input: CalibrationSessionExportInput,
): Promise<{ fileName: string; mimeType: string; base64: string }> {
  const f = calibrationSessionExportInputSchema.parse(input);
  const s = await loadSession(wh, f.id);
  const wb = new ExcelJS.Workbook();
  wb.creator = 'PerfLens';
  const result = wb.addWorksheet('结果 Result');
  result.columns = [
    { header: '工号 Employee ID', key: 'employeeId', width: 14 },
    { header: '姓名 Name', key: 'employeeName', width: 12 },
    { header: '期间 Period', key: 'periodId', width: 10 },
    { header: '校准组 Group', key: 'groupKey', width: 16 },
    { header: '组织单元 Org unit', key: 'orgUnitId', width: 12 },
    { header: '岗位 Role', key: 'role', width: 14 },
    { header: '分数 Score', key: 'score', width: 10 },
    { header: '排序分 Ranking score', key: 'rankingScore', width: 12 },
    { header: '名次 Position', key: 'position', width: 8 },
    { header: '原等级 Recorded', key: 'recordedGrade', width: 10 },
    { header: '建议等级 Proposed', key: 'proposedGrade', width: 10 },
    { header: '最终等级 Final', key: 'finalGrade', width: 10 },
    { header: '需人工决定 Flagged', key: 'flagged', width: 10 },
  ];
  const items = await wh.query<Record<string, unknown>>(
    `SELECT employee_id AS "employeeId", employee_name AS "employeeName", period_id AS "periodId", group_key AS "groupKey",
            org_unit_id AS "orgUnitId", role, score, ranking_score AS "rankingScore", position, recorded_grade AS "recordedGrade",
            proposed_grade AS "proposedGrade", final_grade AS "finalGrade", flagged
       FROM calibration_items WHERE calibration_id = $id ORDER BY period_id, group_key, position, employee_id`,
    { id: f.id },
  );
  result.addRows(items);
  const quotas = wb.addWorksheet('配额 Quotas');
  quotas.addRow(['期间 Period', '校准组 Group', '人数 Headcount', ...GRADES.flatMap((g) => [`${g} 配额 quota`, `${g} 最终 final`, `${g} 差额 diff`])]);
  for (const c of await quotaCounters(wh, s)) quotas.addRow([c.periodId, c.label, c.n, ...GRADES.flatMap((g) => [c.quota[g], c.current[g], c.diff[g]])]);
  const audit = wb.addWorksheet('审计 Audit');
  audit.addRow(['序号 #', '时间 When', '操作人 Who', '操作 Action', '调整前 Before', '调整后 After', '理由 Reason']);
  for (const a of await sessionAudit(wh, f.id))
    audit.addRow([a.id, a.occurredAt, a.actor, a.action, a.before === null ? '' : JSON.stringify(a.before), a.after === null ? '' : JSON.stringify(a.after), a.reason ?? '']);
  for (const ws of [result, quotas, audit]) ws.getRow(1).font = { bold: true };
  const buf = Buffer.from(await safeWorkbook(wb).xlsx.writeBuffer());
  const safe = s.name.replace(/[\\/:*?"<>|]/g, '_').slice(0, 80);
  return {
    fileName: `calibration-${safe}.xlsx`,
    mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    base64: buf.toString('base64'),
  };
}
