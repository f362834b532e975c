import { z } from 'zod';
import { GRADES } from '@perflens/core';
import type { SqlParams, Warehouse } from '../db.ts';
import { loadSession, quotaCounters, sessionIdSchema, type QuotaCounter, type SessionRow } from './calibration-session-common.ts';

export const calibrationSessionGetInputSchema = z.strictObject({
  id: sessionIdSchema,
  people: z
    .strictObject({
      groupKey: z.string().max(200).optional(),
      periodId: z.string().max(20).optional(),
      finalGrade: z.enum(GRADES).optional(),
      onlyChanged: z.boolean().default(false),
      onlyFlagged: z.boolean().default(false),
      search: z.string().max(100).optional(),
      limit: z.number().int().min(0).max(5000).default(100),
      offset: z.number().int().min(0).default(0),
    })
    .prefault({}),
});
export type CalibrationSessionGetInput = z.input<typeof calibrationSessionGetInputSchema>;

export interface SessionItem {
  employeeId: string;
  employeeName: string | null;
  periodId: string;
  groupKey: string;
  orgUnitId: string;
  role: string;
  score: number | null;
  rankingScore: number | null;
  position: number;
  recordedGrade: string | null;
  proposedGrade: string;
  finalGrade: string;
  flagged: boolean;
}

export interface AuditEntry {
  id: number;
  occurredAt: string;
  actor: string | null;
  action: string;
  entityId: string | null;
  before: unknown;
  after: unknown;
  reason: string | null;
  /** For an entry about one person (an adjustment): that person's name, so nobody reads a bare id. */
  employeeName: string | null;
}

export interface SessionDetail extends Omit<SessionRow, 'definition'> {
  input: unknown;
  counters: QuotaCounter[];
  people: { total: number; rows: SessionItem[] };
  audit: AuditEntry[];
}

/** The audit trail of one session, oldest first. */
export async function sessionAudit(wh: Warehouse, id: string): Promise<AuditEntry[]> {
  const rows = await wh.query<Omit<AuditEntry, 'before' | 'after'> & { before: string | null; after: string | null }>(
    `SELECT a.id::INTEGER AS id, strftime(a.occurred_at, '%Y-%m-%dT%H:%M:%S') AS "occurredAt", a.actor, a.action,
            a.entity_id AS "entityId", a.before::VARCHAR AS before, a.after::VARCHAR AS after, a.reason,
            (SELECT any_value(i.employee_name) FROM calibration_items i
              WHERE i.calibration_id = $id AND i.employee_id = json_extract_string(a.after, '$.employeeId')
                AND i.period_id = json_extract_string(a.after, '$.periodId')) AS "employeeName"
       FROM audit_log a WHERE a.entity = 'calibration' AND a.entity_id = $id ORDER BY a.id`,
    { id },
  );
  return rows.map((r) => ({ ...r, before: r.before === null ? null : JSON.parse(r.before), after: r.after === null ? null : JSON.parse(r.after) }));
}

/** `calibration.session.get`: a saved session reopened — counters, a filtered page of people, the audit trail. */
export async function calibrationSessionGet(wh: Warehouse, input: CalibrationSessionGetInput): Promise<SessionDetail> {
  const f = calibrationSessionGetInputSchema.parse(input);
  const s = await loadSession(wh, f.id);
  const where = ['calibration_id = $id'];
  const params: SqlParams = { id: f.id };
  const p = f.people;
  if (p.groupKey !== undefined) (where.push('group_key = $groupKey'), (params.groupKey = p.groupKey));
  if (p.periodId !== undefined) (where.push('period_id = $periodId'), (params.periodId = p.periodId));
  if (p.finalGrade !== undefined) (where.push('final_grade = $finalGrade'), (params.finalGrade = p.finalGrade));
  if (p.onlyChanged) where.push('(final_grade IS DISTINCT FROM recorded_grade OR final_grade <> proposed_grade)');
  if (p.onlyFlagged) where.push('flagged');
  if (p.search !== undefined && p.search.trim() !== '') {
    where.push(`(employee_id ILIKE $search OR employee_name ILIKE $search)`);
    params.search = `%${p.search.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  }
  const [total] = await wh.query<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM calibration_items WHERE ${where.join(' AND ')}`, params);
  const rows = await wh.query<SessionItem>(
    `SELECT employee_id AS "employeeId", employee_name AS "employeeName", period_id AS "periodId", group_key AS "groupKey",
            org_unit_id AS "orgUnitId", role, score, ranking_score AS "rankingScore", position,
            recorded_grade AS "recordedGrade", proposed_grade AS "proposedGrade", final_grade AS "finalGrade", flagged
       FROM calibration_items WHERE ${where.join(' AND ')}
      ORDER BY period_id, group_key, position, employee_id LIMIT $limit OFFSET $offset`,
    { ...params, limit: p.limit, offset: p.offset },
  );
  const { definition, ...meta } = s;
  return { ...meta, input: definition.input, counters: await quotaCounters(wh, s), people: { total: total!.n, rows }, audit: await sessionAudit(wh, f.id) };
}
