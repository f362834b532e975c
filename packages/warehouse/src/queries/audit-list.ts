import type { Warehouse } from '../db.ts';

export interface AuditRow {
  id: number;
  occurredAt: string;
  actor: string | null;
  ip: string | null;
  action: string;
  entity: string | null;
  entityId: string | null;
  before: unknown;
  after: unknown;
  reason: string | null;
}

export interface AuditQuery {
  actor?: string;
  /** Prefix of the action: 'calibration', 'user.create' … */
  action?: string;
  from?: string;
  to?: string;
  page: number;
  pageSize: number;
}

/** The audit trail, newest first, filtered by actor, action prefix and date (inclusive days). */
export async function listAudit(wh: Warehouse, q: AuditQuery): Promise<{ total: number; rows: AuditRow[] }> {
  const where: string[] = [];
  const params: Record<string, string | number> = {};
  if (q.actor) { where.push('actor = $actor'); params.actor = q.actor; }
  if (q.action) { where.push('starts_with(action, $action)'); params.action = q.action; }
  if (q.from) { where.push('occurred_at >= CAST($from AS DATE)'); params.from = q.from; }
  if (q.to) { where.push('occurred_at < CAST($to AS DATE) + INTERVAL 1 DAY'); params.to = q.to; }
  const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const [t] = await wh.query<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM audit_log ${w}`, params);
  const rows = await wh.query<Omit<AuditRow, 'before' | 'after'> & { before: string | null; after: string | null }>(
    `SELECT id::DOUBLE AS id, strftime(occurred_at, '%Y-%m-%dT%H:%M:%S') AS "occurredAt", actor, ip, action, entity, entity_id AS "entityId",
            CAST(before AS VARCHAR) AS before, CAST(after AS VARCHAR) AS after, reason
       FROM audit_log ${w} ORDER BY id DESC LIMIT $lim OFFSET $off`,
    { ...params, lim: q.pageSize, off: (q.page - 1) * q.pageSize },
  );
  return { total: t!.n, rows: rows.map((r) => ({ ...r, before: r.before === null ? null : JSON.parse(r.before), after: r.after === null ? null : JSON.parse(r.after) })) };
}
