import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Warehouse } from '../db.ts';
import { planForcedRanking, rankingForcedInputSchema } from './ranking-forced.ts';
import { type SessionDefinition } from './calibration-session-common.ts';
import { appendAuditOn } from './audit-append.ts';

export const calibrationSessionCreateInputSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  ranking: rankingForcedInputSchema.omit({ people: true }),
});
export type CalibrationSessionCreateInput = z.input<typeof calibrationSessionCreateInputSchema>;

/**
 * `calibration.session.create`: runs the forced ranking and saves it — the inputs and group quotas
 * in `calibrations`, every proposal in `calibration_items` (final grade = proposal) — and appends
 * a 'create' entry to the audit log, all in one transaction.
 */
export async function calibrationSessionCreate(wh: Warehouse, input: CalibrationSessionCreateInput): Promise<{ id: string; people: number }> {
  const f = calibrationSessionCreateInputSchema.parse(input);
  const plan = await planForcedRanking(wh, f.ranking);
  const id = randomUUID();
  const definition: SessionDefinition = {
    input: plan.f,
    groups: plan.groups.map(({ periodId, key, label, orgUnitIds, n, quota, departmentGrade }) => ({ periodId, key, label, orgUnitIds, n, quota, departmentGrade })),
  };
  let people = 0;
  await wh.transaction(async (conn) => {
    await conn.run(`INSERT INTO calibrations (id, name, definition, status, created_at) VALUES ($id, $name, $def, 'open', current_timestamp)`, {
      id,
      name: f.name,
      def: JSON.stringify(definition),
    });
    if (plan.groups.length > 0)
      await conn.run(
        `INSERT INTO calibration_items
         SELECT $cid, employee_id, employee_name, period_id, group_key, org_unit_id, role, score, ranking_score, position,
                recorded_grade, proposed_grade, proposed_grade, flagged
           FROM (${plan.sql})`,
        { ...plan.params, cid: id } as never,
      );
    const r = await conn.runAndReadAll('SELECT count(*)::INTEGER AS n FROM calibration_items WHERE calibration_id = $id', { id });
    people = (r.getRowObjectsJson()[0] as { n: number }).n;
    await appendAuditOn(conn, { action: 'calibration.create', entity: 'calibration', entityId: id, after: { name: f.name, people, groups: plan.groups.length } });
  });
  return { id, people };
}
