import type { UserRole } from '@perflens/core';
import type { Warehouse } from '../db.ts';
import { appendAuditOn } from './audit-append.ts';

export interface UserRow {
  id: string;
  name: string;
  role: UserRole;
  orgScopes: string[];
  mustChangePassword: boolean;
  disabled: boolean;
  createdAt: string;
}

/** With the password hash: for sign-in only, never returned by the API. */
export interface UserSecret extends UserRow {
  passwordHash: string | null;
}

const COLUMNS = `id, name, role, coalesce(org_scopes, []::VARCHAR[]) AS "orgScopes", coalesce(must_change_password, false) AS "mustChangePassword",
  coalesce(disabled, false) AS disabled, strftime(created_at, '%Y-%m-%dT%H:%M:%S') AS "createdAt"`;

export async function listUsers(wh: Warehouse): Promise<UserRow[]> {
  return wh.query<UserRow>(`SELECT ${COLUMNS} FROM users ORDER BY id`);
}

export async function getUserSecret(wh: Warehouse, id: string): Promise<UserSecret | null> {
  const [u] = await wh.query<UserSecret>(`SELECT ${COLUMNS}, password_hash AS "passwordHash" FROM users WHERE lower(id) = lower($id)`, { id });
  return u ?? null;
}

export async function countUsers(wh: Warehouse): Promise<number> {
  const [r] = await wh.query<{ n: number }>('SELECT count(*)::INTEGER AS n FROM users');
  return r!.n;
}

/** What an audit entry may say about a user: never the password hash. */
const visible = (u: Partial<UserSecret>) => ({ id: u.id, name: u.name, role: u.role, orgScopes: u.orgScopes, disabled: u.disabled, mustChangePassword: u.mustChangePassword });

export async function createUser(
  wh: Warehouse,
  u: { id: string; name: string; role: UserRole; orgScopes: string[]; passwordHash: string; mustChangePassword: boolean },
): Promise<void> {
  await wh.transaction(async (conn) => {
    await conn.run(
      `INSERT INTO users (id, name, role, created_at, password_hash, must_change_password, disabled, org_scopes, updated_at)
       VALUES ($id, $name, $role, current_timestamp, $hash, $must, false, from_json($scopes, '["VARCHAR"]'), current_timestamp)`,
      { id: u.id, name: u.name, role: u.role, hash: u.passwordHash, must: u.mustChangePassword, scopes: JSON.stringify(u.orgScopes) },
    );
    await appendAuditOn(conn, { action: 'user.create', entity: 'user', entityId: u.id, after: visible(u) });
  });
}

/** Changes role, scopes, name or the disabled flag; audit-logged with before and after. */
export async function updateUser(
  wh: Warehouse,
  id: string,
  change: { name?: string; role?: UserRole; orgScopes?: string[]; disabled?: boolean },
): Promise<UserRow | null> {
  return wh.transaction(async (conn) => {
    const [before] = (await conn.runAndReadAll(`SELECT ${COLUMNS} FROM users WHERE id = $id`, { id })).getRowObjectsJson() as unknown as UserRow[];
    if (!before) return null;
    const next = { ...before, ...change };
    await conn.run(
      `UPDATE users SET name = $name, role = $role, org_scopes = from_json($scopes, '["VARCHAR"]'), disabled = $disabled, updated_at = current_timestamp WHERE id = $id`,
      { id, name: next.name, role: next.role, scopes: JSON.stringify(next.orgScopes), disabled: next.disabled },
    );
    // A disabled user's sessions end now, not at their expiry.
    if (next.disabled) await conn.run('UPDATE sessions SET revoked_at = current_timestamp WHERE user_id = $id AND revoked_at IS NULL', { id });
    await appendAuditOn(conn, { action: 'user.update', entity: 'user', entityId: id, before: visible(before), after: visible(next) });
    return next;
  });
}

/**
 * Sets a password hash. `reset` (an admin setting a one-time password) makes the user change it
 * at the next sign-in and ends their sessions; the audit entry records that it happened, not the value.
 */
export async function setPasswordHash(wh: Warehouse, id: string, hash: string, reset: boolean): Promise<boolean> {
  return wh.transaction(async (conn) => {
    const r = await conn.runAndReadAll(
      `UPDATE users SET password_hash = $hash, must_change_password = $reset, updated_at = current_timestamp WHERE id = $id RETURNING id`,
      { id, hash, reset },
    );
    if (r.getRowObjectsJson().length === 0) return false;
    if (reset) await conn.run('UPDATE sessions SET revoked_at = current_timestamp WHERE user_id = $id AND revoked_at IS NULL', { id });
    await appendAuditOn(conn, { action: reset ? 'user.password_reset' : 'user.password_change', entity: 'user', entityId: id });
    return true;
  });
}
