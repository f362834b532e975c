import ExcelJS from 'exceljs';
import { safeWorkbook } from '../safe-cell.ts';
import { z } from 'zod';
import { GRADES, GRADE_LABELS } from '@perflens/core';
import type { Warehouse } from '../db.ts';
import { loadSession, quotaCounters, sessionIdSchema } from './calibration-session-common.ts';
import { sessionAudit } from './calibration-session-get.ts';

export const calibrationSessionExportInputSchema = z.strictObject({ id: sessionIdSchema });
export type CalibrationSessionExportInput = z.input<typeof calibrationSessionExportInputSchema>;

/**
 * `calibration.session.export`: the result (every person's recorded, proposed and final grade),
 * the quota counters and the audit trail as one XLSX workbook with bilingual headers; cells name
 * grades, units, roles and actions in the caller's language, codes only in their own columns. Returned as
 * base64 inside the tRPC response (the API has no transformer, so binary cannot travel as-is);
 * the browser turns it into a Blob download.
 */
export async function calibrationSessionExport(
  wh: Warehouse,
  input: CalibrationSessionExportInput,
  lang: Lang = 'zh',
): Promise<{ fileName: string; mimeType: string; base64: string }> {
  const f = calibrationSessionExportInputSchema.parse(input);
  const s = await loadSession(wh, f.id);
  const L = EXPORT_TEXT[lang];
  const gradeName = (g: string | null | undefined): string => (g == null ? '' : (GRADE_LABELS as Record<string, { zh: string; en: string }>)[g]?.[lang] ?? g);
  const groupLabel = new Map(s.definition.groups.map((g) => [`${g.periodId}\u0000${g.key}`, g.label]));
  const wb = new ExcelJS.Workbook();
  wb.creator = 'PerfLens';
  const result = wb.addWorksheet('结果 Result');
  // Names first, as people read them; the codes an analyst filters or joins on (unit id, role
  // code, grade letter) follow in their own columns at the end rather than replacing the names.
  result.columns = [
    { header: '工号 Employee ID', key: 'employeeId', width: 14 },
    { header: '姓名 Name', key: 'employeeName', width: 12 },
    { header: '期间 Period', key: 'periodId', width: 10 },
    { header: '校准组 Group', key: 'group', width: 18 },
    { header: '组织单元 Org unit', key: 'orgUnitName', width: 16 },
    { header: '岗位 Role', key: 'roleName', width: 16 },
    { header: '分数 Score', key: 'score', width: 10 },
    { header: '排序分 Ranking score', key: 'rankingScore', width: 12 },
    { header: '名次 Position', key: 'position', width: 8 },
    { header: '原等级 Recorded', key: 'recordedGrade', width: 12 },
    { header: '建议等级 Proposed', key: 'proposedGrade', width: 12 },
    { header: '最终等级 Final', key: 'finalGrade', width: 12 },
    { header: '需人工决定 Flagged', key: 'flagged', width: 10 },
    { header: '组织单元代码 Org unit ID', key: 'orgUnitId', width: 12 },
    { header: '岗位代码 Role code', key: 'role', width: 14 },
    { header: '最终等级代码 Final grade code', key: 'finalGradeCode', width: 10 },
  ];
  const items = await wh.query<{
    employeeId: string; employeeName: string | null; periodId: string; groupKey: string; orgUnitId: string; orgUnitName: string | null;
    role: string; roleName: string | null; score: number | null; rankingScore: number | null; position: number;
    recordedGrade: string | null; proposedGrade: string; finalGrade: string; flagged: boolean;
  }>(
    `SELECT i.employee_id AS "employeeId", i.employee_name AS "employeeName", i.period_id AS "periodId", i.group_key AS "groupKey",
            i.org_unit_id AS "orgUnitId", o.name AS "orgUnitName", i.role, ${lang === 'zh' ? 'r.name_zh' : 'r.name_en'} AS "roleName",
            i.score, i.ranking_score AS "rankingScore", i.position, i.recorded_grade AS "recordedGrade",
            i.proposed_grade AS "proposedGrade", i.final_grade AS "finalGrade", i.flagged
       FROM calibration_items i
       LEFT JOIN org_units o ON o.id = i.org_unit_id
       LEFT JOIN roles r ON r.code = i.role
      WHERE i.calibration_id = $id ORDER BY i.period_id, i.group_key, i.position, i.employee_id`,
    { id: f.id },
  );
  result.addRows(
    items.map((r) => ({
      employeeId: r.employeeId,
      employeeName: r.employeeName ?? '',
      periodId: r.periodId,
      group: groupLabel.get(`${r.periodId}\u0000${r.groupKey}`) ?? r.groupKey,
      orgUnitName: r.orgUnitName ?? r.orgUnitId,
      roleName: r.roleName ?? r.role,
      score: r.score,
      rankingScore: r.rankingScore,
      position: r.position,
      recordedGrade: gradeName(r.recordedGrade),
      proposedGrade: gradeName(r.proposedGrade),
      finalGrade: gradeName(r.finalGrade),
      flagged: r.flagged ? L.yes : L.no,
      orgUnitId: r.orgUnitId,
      role: r.role,
      finalGradeCode: r.finalGrade,
    })),
  );
  const quotas = wb.addWorksheet('配额 Quotas');
  quotas.addRow([
    '期间 Period', '校准组 Group', '人数 Headcount',
    ...GRADES.flatMap((g) => {
      const n = `${GRADE_LABELS[g].zh} ${GRADE_LABELS[g].en}`;
      return [`${n} 配额 quota`, `${n} 最终 final`, `${n} 差额 diff`];
    }),
  ]);
  for (const c of await quotaCounters(wh, s)) quotas.addRow([c.periodId, c.label, c.n, ...GRADES.flatMap((g) => [c.quota[g], c.current[g], c.diff[g]])]);
  // The trail as readable columns — who moved whom from which grade to which, and why — instead
  // of the stored before/after JSON; the action code stays in the last column for filtering.
  const audit = wb.addWorksheet('审计 Audit');
  audit.columns = [
    { header: '序号 #', key: 'seq', width: 6 },
    { header: '时间 When', key: 'when', width: 20 },
    { header: '操作人 Who', key: 'who', width: 12 },
    { header: '操作 Action', key: 'action', width: 14 },
    { header: '工号 Employee ID', key: 'employeeId', width: 14 },
    { header: '姓名 Employee name', key: 'employeeName', width: 12 },
    { header: '期间 Period', key: 'periodId', width: 10 },
    { header: '原等级 From grade', key: 'fromGrade', width: 12 },
    { header: '新等级 To grade', key: 'toGrade', width: 12 },
    { header: '理由 Reason', key: 'reason', width: 30 },
    { header: '说明 Details', key: 'details', width: 30 },
    { header: '操作代码 Action code', key: 'actionCode', width: 20 },
  ];
  const entries = await sessionAudit(wh, f.id);
  entries.forEach((a, i) => {
    const b = (a.before ?? {}) as { grade?: string; employeeId?: string; periodId?: string };
    const x = (a.after ?? {}) as { grade?: string; employeeId?: string; periodId?: string; name?: string; people?: number; groups?: number };
    const person = a.action === 'calibration.adjust';
    audit.addRow({
      seq: i + 1,
      when: a.occurredAt.replace('T', ' '),
      who: a.actor ?? '',
      action: L.actions[a.action] ?? a.action,
      employeeId: person ? (x.employeeId ?? b.employeeId ?? '') : '',
      employeeName: person ? (a.employeeName ?? '') : '',
      periodId: person ? (x.periodId ?? b.periodId ?? '') : '',
      fromGrade: person ? gradeName(b.grade) : '',
      toGrade: person ? gradeName(x.grade) : '',
      reason: a.reason ?? '',
      details: a.action === 'calibration.create' ? L.created(x.name ?? s.name, x.people ?? 0, x.groups ?? 0) : a.action === 'calibration.finalise' ? L.finalised : '',
      actionCode: a.action,
    });
  });
  for (const ws of [result, quotas, audit]) ws.getRow(1).font = { bold: true };
  const buf = Buffer.from(await safeWorkbook(wb).xlsx.writeBuffer());
  const safe = s.name.replace(/[\\/:*?"<>|]/g, '_').slice(0, 80);
  return {
    fileName: `calibration-${safe}.xlsx`,
    mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    base64: buf.toString('base64'),
  };
}

type Lang = 'zh' | 'en';

/** Cell text of the workbook in the caller's language (the headers are bilingual). */
const EXPORT_TEXT: Record<Lang, { yes: string; no: string; finalised: string; actions: Record<string, string>; created: (name: string, n: number, groups: number) => string }> = {
  zh: {
    yes: '是',
    no: '否',
    finalised: '定稿锁定：进行中 → 已定稿',
    actions: { 'calibration.create': '创建会话', 'calibration.adjust': '调整等级', 'calibration.finalise': '定稿', 'export.calibration': '导出' },
    created: (name, n, groups) => `保存「${name}」：${n} 人，${groups} 个校准组`,
  },
  en: {
    yes: 'Yes',
    no: 'No',
    finalised: 'Locked: open → finalised',
    actions: { 'calibration.create': 'Session created', 'calibration.adjust': 'Grade moved', 'calibration.finalise': 'Finalised', 'export.calibration': 'Exported' },
    created: (name, n, groups) => `"${name}" saved with ${n} people in ${groups} groups`,
  },
};
