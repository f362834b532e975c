import type { Warehouse } from '../db.ts';
import { AUDIT_GENESIS, auditHash, type AuditContent } from './audit-append.ts';

export interface AuditVerification {
  ok: boolean;
  entries: number;
  /** The first entry whose stored hash or link does not match what its content gives. */
  firstBroken: { id: number; reason: 'content' | 'link' | 'head' } | null;
}

/**
 * Recomputes the chain from the first entry: an entry edited in the database (content), removed
 * or reordered (link), or entries cut off the end (head) are found, and the first is named.
 */
export async function verifyAuditChain(wh: Warehouse): Promise<AuditVerification> {
  const rows = await wh.query<AuditContent & { prev_hash: string | null; hash: string | null }>(
    `SELECT id::DOUBLE AS id, strftime(occurred_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS "occurredAt", actor, ip, action, entity, entity_id AS "entityId",
            CAST(before AS VARCHAR) AS before, CAST(after AS VARCHAR) AS after, reason, prev_hash, hash
       FROM audit_log ORDER BY id`,
  );
  const [head] = await wh.query<{ last_id: number; hash: string }>('SELECT last_id::DOUBLE AS last_id, hash FROM audit_head WHERE id = 1');
  let prev = AUDIT_GENESIS;
  let sealed = 0;
  for (const r of rows) {
    // Entries not sealed yet (written before the chain, never followed by a new one) end the check.
    if (r.hash === null) break;
    if (r.prev_hash !== prev) return { ok: false, entries: rows.length, firstBroken: { id: r.id, reason: 'link' } };
    if (auditHash(prev, r) !== r.hash) return { ok: false, entries: rows.length, firstBroken: { id: r.id, reason: 'content' } };
    prev = r.hash;
    sealed++;
  }
  const last = rows[sealed - 1];
  if (head && (!last || head.hash !== last.hash || head.last_id !== last.id))
    return { ok: false, entries: rows.length, firstBroken: { id: last ? last.id : 0, reason: 'head' } };
  return { ok: true, entries: rows.length, firstBroken: null };
}
