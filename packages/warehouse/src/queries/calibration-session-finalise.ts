import { z } from 'zod';
import type { Warehouse } from '../db.ts';
import { CalibrationError, loadSession, sessionIdSchema } from './calibration-session-common.ts';
import { appendAuditOn } from './audit-append.ts';

export const calibrationSessionFinaliseInputSchema = z.strictObject({ id: sessionIdSchema });
export type CalibrationSessionFinaliseInput = z.input<typeof calibrationSessionFinaliseInputSchema>;

/** `calibration.session.finalise`: locks the session (no further adjustments) and records who did it. */
export async function calibrationSessionFinalise(wh: Warehouse, input: CalibrationSessionFinaliseInput): Promise<{ finalisedAt: string }> {
  const f = calibrationSessionFinaliseInputSchema.parse(input);
  const s = await loadSession(wh, f.id);
  if (s.status !== 'open')
    throw new CalibrationError('locked', `Calibration session "${s.name}" is already finalised. / 校准会话「${s.name}」已定稿。`);
  await wh.transaction(async (conn) => {
    // The status check is repeated inside the write so two concurrent finalisations cannot both win.
    const r = await conn.runAndReadAll(
      `UPDATE calibrations SET status = 'final', finalised_at = current_timestamp WHERE id = $id AND status = 'open' RETURNING id`,
      { id: f.id },
    );
    if (r.getRowObjectsJson().length === 0)
      throw new CalibrationError('locked', `Calibration session "${s.name}" is already finalised. / 校准会话「${s.name}」已定稿。`);
    await appendAuditOn(conn, { action: 'calibration.finalise', entity: 'calibration', entityId: f.id, before: { status: 'open' }, after: { status: 'final' } });
  });
  return { finalisedAt: (await loadSession(wh, f.id)).finalisedAt! };
}
