import { AsyncLocalStorage } from 'node:async_hooks';
import type { UserRole } from '@perflens/core';

/**
 * Who is acting, for the length of one request (or one CLI command). The API layer sets it from
 * the signed-in session or token; the audit trail and the scoped queries read it here, so an
 * actor is never a value from the request body.
 */
export interface Actor {
  userId: string;
  name: string;
  role: UserRole;
  /** Org units the user may see (subtree roots), for scoped roles; null = everything. */
  orgScopes: string[] | null;
  ip: string | null;
  via: 'session' | 'token' | 'cli' | 'system';
}

const storage = new AsyncLocalStorage<Actor>();

export function runAs<T>(actor: Actor, fn: () => T): T {
  return storage.run(actor, fn);
}

export function currentActor(): Actor | null {
  return storage.getStore() ?? null;
}

/** The local operator at the command line (imports, backups): they hold the database file. */
export function cliActor(): Actor {
  return { userId: `cli:${process.env.USER ?? 'local'}`, name: process.env.USER ?? 'local', role: 'admin', orgScopes: null, ip: null, via: 'cli' };
}
