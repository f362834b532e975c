import type { Warehouse } from '../db.ts';
import { appendAuditOn } from './audit-append.ts';

export interface TokenRow {
  id: string;
  userId: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const COLUMNS = `id, user_id AS "userId", name, strftime(created_at, '%Y-%m-%dT%H:%M:%S') AS "createdAt",
  strftime(last_used_at, '%Y-%m-%dT%H:%M:%S') AS "lastUsedAt", strftime(revoked_at, '%Y-%m-%dT%H:%M:%S') AS "revokedAt"`;

export async function listTokens(wh: Warehouse, userId?: string): Promise<TokenRow[]> {
  return userId === undefined
    ? wh.query<TokenRow>(`SELECT ${COLUMNS} FROM api_tokens ORDER BY created_at DESC`)
    : wh.query<TokenRow>(`SELECT ${COLUMNS} FROM api_tokens WHERE user_id = $u ORDER BY created_at DESC`, { u: userId });
}

/** Stores a new token under its hash (the value is shown to its owner once, never stored). */
export async function createToken(wh: Warehouse, t: { id: string; userId: string; name: string; tokenHash: string }): Promise<void> {
  await wh.transaction(async (conn) => {
    await conn.run(`INSERT INTO api_tokens (id, user_id, name, token_hash, created_at) VALUES ($id, $u, $n, $h, current_timestamp)`, { id: t.id, u: t.userId, n: t.name, h: t.tokenHash });
    await appendAuditOn(conn, { action: 'token.create', entity: 'token', entityId: t.id, after: { userId: t.userId, name: t.name } });
  });
}

/** The owner of a live token, marking it used (at most once a minute). */
export async function resolveToken(wh: Warehouse, tokenHash: string): Promise<{ id: string; userId: string } | null> {
  const [t] = await wh.query<{ id: string; userId: string; stale: boolean }>(
    `SELECT id, user_id AS "userId", coalesce(last_used_at < current_timestamp - INTERVAL 1 MINUTE, true) AS stale FROM api_tokens WHERE token_hash = $h AND revoked_at IS NULL`,
    { h: tokenHash },
  );
  if (!t) return null;
  // A read-only snapshot cannot record the use; the token still works there.
  // Best effort: concurrent first requests with one token all try this, and DuckDB lets one win
  // (the others get a write conflict, which must not fail their request).
  if (t.stale && !wh.readOnly) await wh.touch('UPDATE api_tokens SET last_used_at = current_timestamp WHERE id = $id', { id: t.id }).catch(() => undefined);
  return { id: t.id, userId: t.userId };
}

/** Revokes a token; `ownerId` limits it to the caller's own tokens (admins pass none). */
export async function revokeToken(wh: Warehouse, id: string, ownerId?: string): Promise<boolean> {
  return wh.transaction(async (conn) => {
    const r = await conn.runAndReadAll(
      `UPDATE api_tokens SET revoked_at = current_timestamp WHERE id = $id AND revoked_at IS NULL ${ownerId === undefined ? '' : 'AND user_id = $owner'} RETURNING user_id`,
      ownerId === undefined ? { id } : { id, owner: ownerId },
    );
    if (r.getRowObjectsJson().length === 0) return false;
    await appendAuditOn(conn, { action: 'token.revoke', entity: 'token', entityId: id });
    return true;
  });
}
