import { createHash } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import { currentActor } from '../context.ts';

export interface AuditEntry {
  action: string;
  entity?: string | null;
  entityId?: string | null;
  before?: unknown;
  after?: unknown;
  reason?: string | null;
}

/** The stored fields an entry's hash covers, in a fixed order (audit-verify.ts recomputes it). */
export interface AuditContent {
  id: number;
  occurredAt: string;
  actor: string | null;
  ip: string | null;
  action: string;
  entity: string | null;
  entityId: string | null;
  before: string | null;
  after: string | null;
  reason: string | null;
}

export function auditHash(prev: string, c: AuditContent): string {
  const canonical = JSON.stringify([c.id, c.occurredAt, c.actor, c.ip, c.action, c.entity, c.entityId, c.before, c.after, c.reason]);
  return createHash('sha256').update(prev).update('\n').update(canonical).digest('hex');
}

/** The chain starts from a fixed value, so a deleted first entry is detected too. */
export const AUDIT_GENESIS = '0'.repeat(64);

const json = (v: unknown): string | null => (v === undefined || v === null ? null : typeof v === 'string' ? JSON.stringify(JSON.parse(v)) : JSON.stringify(v));

/**
 * Appends one entry inside the caller's transaction. The actor and address are the current
 * request's (context.ts), never a value from the request body. Entries written before the chain
 * existed are sealed first, in id order, so the chain covers the whole trail.
 */
export async function appendAuditOn(conn: DuckDBConnection, e: AuditEntry): Promise<number> {
  const actor = currentActor();
  let [head] = (await conn.runAndReadAll('SELECT last_id::DOUBLE AS last_id, hash FROM audit_head WHERE id = 1')).getRowObjectsJson() as Array<{ last_id: number; hash: string }>;
  const unsealed = (await conn.runAndReadAll(
    `SELECT id::DOUBLE AS id, strftime(occurred_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS "occurredAt", actor, ip, action, entity, entity_id AS "entityId",
            CAST(before AS VARCHAR) AS before, CAST(after AS VARCHAR) AS after, reason
       FROM audit_log WHERE hash IS NULL ORDER BY id`,
  )).getRowObjectsJson() as unknown as AuditContent[];
  let prev = head?.hash ?? AUDIT_GENESIS;
  let lastId = head?.last_id ?? 0;
  for (const u of unsealed) {
    const h = auditHash(prev, u);
    await conn.run('UPDATE audit_log SET prev_hash = $p, hash = $h WHERE id = $id', { p: prev, h, id: u.id });
    prev = h;
    lastId = u.id;
  }
  const [{ id }] = (await conn.runAndReadAll(`SELECT nextval('audit_log_seq')::DOUBLE AS id`)).getRowObjectsJson() as Array<{ id: number }> as [{ id: number }];
  const c: AuditContent = {
    id,
    occurredAt: new Date().toISOString(),
    actor: actor ? actor.userId : null,
    ip: actor?.ip ?? null,
    action: e.action,
    entity: e.entity ?? null,
    entityId: e.entityId ?? null,
    before: json(e.before),
    after: json(e.after),
    reason: e.reason ?? null,
  };
  const hash = auditHash(prev, c);
  await conn.run(
    `INSERT INTO audit_log (id, occurred_at, actor, ip, action, entity, entity_id, before, after, reason, prev_hash, hash)
     VALUES ($id, $at::TIMESTAMP, $actor, $ip, $action, $entity, $eid, CAST($before AS JSON), CAST($after AS JSON), $reason, $prev, $hash)`,
    { id: c.id, at: c.occurredAt.replace('Z', ''), actor: c.actor, ip: c.ip, action: c.action, entity: c.entity, eid: c.entityId, before: c.before, after: c.after, reason: c.reason, prev, hash },
  );
  // One row that every append rewrites: concurrent appends conflict here (and one is retried)
  // rather than both linking to the same predecessor.
  await conn.run(
    `INSERT INTO audit_head VALUES (1, $id, $hash) ON CONFLICT (id) DO UPDATE SET last_id = excluded.last_id, hash = excluded.hash`,
    { id: c.id, hash },
  );
  void lastId;
  return c.id;
}
