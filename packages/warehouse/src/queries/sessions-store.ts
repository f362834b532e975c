import type { Warehouse } from '../db.ts';

export interface SessionRecord {
  userId: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
}

/** A new session under the SHA-256 of its token (the token itself is only ever in the cookie). */
export async function createSession(wh: Warehouse, s: { tokenHash: string; userId: string; ip: string | null; absoluteMs: number }): Promise<void> {
  await wh.run(
    `INSERT INTO sessions (id, user_id, created_at, expires_at, last_seen_at, ip)
     VALUES ($id, $user, current_timestamp, current_timestamp + to_milliseconds($ms), current_timestamp, $ip)`,
    { id: s.tokenHash, user: s.userId, ms: s.absoluteMs, ip: s.ip },
  );
}

/**
 * The live session for a token hash: not revoked, before its absolute expiry and seen within the
 * idle timeout. Sliding the idle window is a write, done at most once a minute per session.
 */
export async function resolveSession(wh: Warehouse, tokenHash: string, idleMs: number): Promise<SessionRecord | null> {
  const [s] = await wh.query<SessionRecord & { stale: boolean }>(
    `SELECT user_id AS "userId", strftime(created_at, '%Y-%m-%dT%H:%M:%S') AS "createdAt", strftime(last_seen_at, '%Y-%m-%dT%H:%M:%S') AS "lastSeenAt",
            strftime(expires_at, '%Y-%m-%dT%H:%M:%S') AS "expiresAt", last_seen_at < current_timestamp - INTERVAL 1 MINUTE AS stale
       FROM sessions
      WHERE id = $id AND revoked_at IS NULL AND expires_at > current_timestamp AND last_seen_at > current_timestamp - to_milliseconds($idle)`,
    { id: tokenHash, idle: idleMs },
  );
  if (!s) return null;
  // Best effort, as for tokens: parallel requests of one session race to record it.
  if (s.stale) await wh.touch('UPDATE sessions SET last_seen_at = current_timestamp WHERE id = $id', { id: tokenHash }).catch(() => undefined);
  const { stale: _stale, ...rest } = s;
  return rest;
}

export async function revokeSession(wh: Warehouse, tokenHash: string): Promise<void> {
  await wh.run('UPDATE sessions SET revoked_at = current_timestamp WHERE id = $id AND revoked_at IS NULL', { id: tokenHash });
}
