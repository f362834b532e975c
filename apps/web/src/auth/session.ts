import { computed, shallowRef } from 'vue';
import { ROLE_PERMISSIONS, type Permission } from '@perflens/core/auth/permissions';
import { setUnauthorizedHandler } from '@/api/client';
import { authApi, type Me } from './api';
import { takeEarlyMe } from './early';

/**
 * The signed-in user, resolved once at start (auth.me) and again after signing in or out. The
 * router guard waits for it; the header, the user menu and the pages read it. When the user
 * changes, `onUserChange` listeners run (the app clears the query cache there, so nothing the
 * previous user was allowed to see stays on screen).
 */
const me = shallowRef<Me | null>(null);
const resolved = shallowRef(false);
let pending: Promise<Me | null> | null = null;
const listeners: Array<() => void> = [];

export const currentUser = computed(() => me.value);
export const sessionResolved = computed(() => resolved.value);

export function onUserChange(listener: () => void): void {
  listeners.push(listener);
}

function setMe(next: Me | null): void {
  // The first answer is not a change: the start-up prefetch already asked as this user.
  const changed = resolved.value && (me.value?.id !== next?.id || me.value?.role !== next?.role || me.value?.orgScopes.join() !== next?.orgScopes.join());
  me.value = next;
  resolved.value = true;
  if (changed) for (const l of listeners) l();
}

/**
 * The current user from the server (cached after the first answer unless `force`). A network
 * failure is not "signed out": it rejects, and the next navigation asks again.
 */
export function loadMe(force = false): Promise<Me | null> {
  if (resolved.value && !force) return Promise.resolve(me.value);
  if (pending && !force) return pending;
  const request: Promise<Me | null> = ((force ? null : takeEarlyMe()) ?? authApi.me()).then(
    (m) => {
      if (pending === request) pending = null;
      setMe(m ?? null);
      return m ?? null;
    },
    (err: unknown) => {
      if (pending === request) pending = null;
      throw err;
    },
  );
  pending = request;
  return request;
}

/** The permissions of the signed-in user (the server's list; the role's as a fallback). */
export function permissionsOf(user: Me | null): readonly Permission[] {
  if (!user) return [];
  return user.permissions?.length ? user.permissions : (ROLE_PERMISSIONS[user.role] ?? []);
}

export function can(permission: Permission): boolean {
  return permissionsOf(me.value).includes(permission);
}

export async function signIn(login: string, password: string): Promise<Me> {
  const { user } = await authApi.signIn(login, password);
  setMe(user);
  return user;
}

/** Signs out on the server; locally signed out even if the server cannot be reached. */
export async function signOut(): Promise<void> {
  try {
    await authApi.signOut();
  } finally {
    setMe(null);
  }
}

/** After the password was changed: the server no longer demands it. */
export function passwordChanged(): void {
  if (me.value) setMe({ ...me.value, mustChangePassword: false });
}

/** Forgets the user without asking the server (it said the session is gone). */
export function sessionLost(): void {
  setMe(null);
}

/** A `next` target that stays on this site: a path, never `//host` or a full URL. */
export function safeNext(next: unknown): string {
  const s = Array.isArray(next) ? next[0] : next;
  return typeof s === 'string' && s.startsWith('/') && !s.startsWith('//') && !s.startsWith('/\\') ? s : '/';
}

export { setUnauthorizedHandler };
