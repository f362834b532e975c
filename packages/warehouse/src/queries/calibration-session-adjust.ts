import { z } from 'zod';
import { GRADES, GRADE_LABELS, periodIdSchema } from '@perflens/core';
import type { Warehouse } from '../db.ts';
import { CalibrationError, loadSession, quotaCounters, sessionIdSchema, type QuotaCounter } from './calibration-session-common.ts';
import { appendAuditOn } from './audit-append.ts';

export const calibrationSessionAdjustInputSchema = z.strictObject({
  id: sessionIdSchema,
  employeeId: z.string().min(1).max(64),
  periodId: periodIdSchema,
  grade: z.enum(GRADES),
  reason: z.string().trim().min(2, 'a reason is required / 必须填写调整理由').max(2000),
});
export type CalibrationSessionAdjustInput = z.input<typeof calibrationSessionAdjustInputSchema>;

/**
 * `calibration.session.adjust`: HR moves one person to another grade. The change and its reason
 * are appended to the audit log in the same transaction as the update, so neither exists without
 * the other. A finalised session refuses changes.
 */
export async function calibrationSessionAdjust(
  wh: Warehouse,
  input: CalibrationSessionAdjustInput,
): Promise<{ before: string; after: string; counter: QuotaCounter }> {
  const f = calibrationSessionAdjustInputSchema.parse(input);
  const s = await loadSession(wh, f.id);
  if (s.status !== 'open')
    throw new CalibrationError(
      'locked',
      `Calibration session "${s.name}" was finalised on ${s.finalisedAt} and can no longer be changed. / 校准会话「${s.name}」已于 ${s.finalisedAt} 定稿锁定，不能再调整。`,
    );
  let before = '';
  let groupKey = '';
  await wh.transaction(async (conn) => {
    const r = await conn.runAndReadAll(
      `SELECT final_grade AS g, group_key AS k FROM calibration_items WHERE calibration_id = $id AND employee_id = $e AND period_id = $p`,
      { id: f.id, e: f.employeeId, p: f.periodId },
    );
    const row = r.getRowObjectsJson()[0] as { g: string; k: string } | undefined;
    if (!row)
      throw new CalibrationError(
        'not-found',
        `Employee ${f.employeeId} has no proposal for ${f.periodId} in this session. / 本校准会话中没有员工 ${f.employeeId} 在 ${f.periodId} 的等级建议。`,
      );
    before = row.g;
    groupKey = row.k;
    if (before === f.grade)
      throw new CalibrationError(
        'invalid',
        `Employee ${f.employeeId} already has grade ${f.grade} (${GRADE_LABELS[f.grade].en}). / 员工 ${f.employeeId} 的等级已是 ${GRADE_LABELS[f.grade].zh}。`,
      );
    await conn.run(`UPDATE calibration_items SET final_grade = $g WHERE calibration_id = $id AND employee_id = $e AND period_id = $p`, {
      g: f.grade,
      id: f.id,
      e: f.employeeId,
      p: f.periodId,
    });
    await appendAuditOn(conn, {
      action: 'calibration.adjust', entity: 'calibration', entityId: f.id,
      before: { employeeId: f.employeeId, periodId: f.periodId, grade: before },
      after: { employeeId: f.employeeId, periodId: f.periodId, grade: f.grade },
      reason: f.reason,
    });
  });
  const counter = (await quotaCounters(wh, s)).find((c) => c.periodId === f.periodId && c.key === groupKey)!;
  return { before, after: f.grade, counter };
}
