import { BilingualError, type UserRole } from '@perflens/core';
import {
  appendAuditOn, countUsers, createSession, createToken, createUser, getUserSecret, listTokens, orgSubtree, resolveSession, resolveToken, revokeSession,
  revokeToken, runAs, setPasswordHash, type Actor, type TokenRow, type UserRow, type Warehouse,
} from '@perflens/warehouse';
import { checkPassword, decoyHash, hashPassword, verifyPassword } from './passwords.ts';
import { newSecret, oneTimePassword, sha256 } from './secrets.ts';
import { Throttle } from './throttle.ts';

export interface AuthOptions {
  /** A session ends after this long without a request. */
  idleMs: number;
  /** …and after this long in any case. */
  absoluteMs: number;
}

export const DEFAULT_AUTH: AuthOptions = { idleMs: 30 * 60_000, absoluteMs: 12 * 3_600_000 };

/** A sign-in or account problem the user can act on; `kind` picks the HTTP status. */
export class AuthError extends BilingualError {
  constructor(readonly kind: 'invalid' | 'throttled' | 'must_change' | 'weak' | 'not_found' | 'conflict', zh: string, en: string) {
    super(zh, en);
  }
}

/** How long a resolved session or token is trusted without asking the database (see `resolved`). */
const CACHE_MS = 30_000;
const CACHE_ENTRIES = 10_000;

const SESSION_PREFIX = 'pls_';
const TOKEN_PREFIX = 'plt_';

/**
 * Sign-in, sessions, personal API tokens and user administration. Secrets are random 256-bit
 * values known only to the client; the database keeps their SHA-256 (a stolen database holds no
 * usable session). Every change and every sign-in attempt is on the audit trail.
 */
export class AuthService {
  readonly throttle = new Throttle();
  /**
   * Sessions on a read-only snapshot server (`serve --read-only`), which cannot write them to its
   * file: kept in this process, by secret hash, with the same idle and absolute limits.
   */
  private readonly memorySessions = new Map<string, { userId: string; createdAt: number; lastSeen: number }>();
  /**
   * Resolved sessions and tokens, so a dashboard's burst of requests does not cost two lookups each
   * (3.6 ms a request on the distribution bench, a fifth of a fast panel's time). An entry is used
   * only while nothing has been written since (the warehouse's write generation: a sign-out, a
   * revoked token, a disabled user or changed scope are writes) and for a short while (CACHE_MS, and
   * at most a quarter of the idle limit), after which the database is asked again and records the
   * use. Keyed by the secret's hash; bounded.
   */
  private readonly resolved = new Map<string, { generation: number; at: number; actor: (Actor & { mustChangePassword?: boolean }) | null }>();
  constructor(readonly wh: Warehouse, readonly options: AuthOptions = DEFAULT_AUTH) {}

  private async cached<T extends (Actor & { mustChangePassword?: boolean }) | null>(key: string, ip: string | null, load: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const hit = this.resolved.get(key);
    if (hit && hit.generation === this.wh.writeGeneration && now - hit.at < Math.min(CACHE_MS, this.options.idleMs / 4))
      return (hit.actor ? { ...hit.actor, ip } : null) as T;
    const generation = this.wh.writeGeneration;
    const actor = await load();
    if (this.resolved.size >= CACHE_ENTRIES) this.resolved.delete(this.resolved.keys().next().value!);
    this.resolved.delete(key);
    // Only a live answer is kept: an unknown secret is asked again (it costs an attacker the lookups).
    if (actor) this.resolved.set(key, { generation, at: now, actor });
    return actor;
  }

  /**
   * First start on a database with no users: an `admin` whose password is given (automated
   * installs: PERFLENS_ADMIN_PASSWORD) or generated and returned for printing once. Either way it
   * must be changed at the first sign-in.
   */
  async bootstrap(given?: string): Promise<{ login: string; password: string; generated: boolean } | null> {
    if ((await countUsers(this.wh)) > 0) return null;
    const password = given ?? oneTimePassword();
    const passwordHash = await hashPassword(password);
    await runAs(systemActor(), () => createUser(this.wh, { id: 'admin', name: 'Administrator', role: 'admin', orgScopes: [], passwordHash, mustChangePassword: true }));
    return { login: 'admin', password, generated: given === undefined };
  }

  async signIn(login: string, password: string, ip: string | null): Promise<{ token: string; actor: Actor; mustChangePassword: boolean }> {
    const wait = this.throttle.wait(login, ip);
    if (wait > 0) {
      await this.audit({ action: 'auth.sign_in_throttled', entity: 'user', entityId: login }, login, ip);
      const s = Math.ceil(wait / 1000);
      throw new AuthError('throttled', `登录失败次数过多，请 ${s} 秒后再试`, `Too many failed sign-ins: try again in ${s} s`);
    }
    const user = await getUserSecret(this.wh, login);
    // The same argon2 work for an unknown login as for a wrong password: timing tells nothing.
    const ok = user && !user.disabled ? await verifyPassword(user.passwordHash, password) : (await verifyPassword(await decoyHash(), password), false);
    if (!user || !ok) {
      this.throttle.failed(login, ip);
      await this.audit({ action: 'auth.sign_in_failed', entity: 'user', entityId: login, after: { reason: user?.disabled ? 'disabled' : 'invalid' } }, login, ip);
      throw new AuthError('invalid', '登录名或密码不正确', 'Wrong login name or password');
    }
    this.throttle.succeeded(login);
    const token = newSecret(SESSION_PREFIX);
    const actor = await this.actorFor(user, ip, 'session');
    if (this.wh.readOnly) this.memorySessions.set(sha256(token), { userId: user.id, createdAt: Date.now(), lastSeen: Date.now() });
    else {
      await createSession(this.wh, { tokenHash: sha256(token), userId: user.id, ip, absoluteMs: this.options.absoluteMs });
      await runAs(actor, () => this.wh.transaction((conn) => appendAuditOn(conn, { action: 'auth.sign_in', entity: 'user', entityId: user.id })));
    }
    return { token, actor, mustChangePassword: user.mustChangePassword };
  }

  /** The actor behind a session cookie, or null when it is unknown, expired, idle or revoked. */
  async fromSession(token: string, ip: string | null): Promise<(Actor & { mustChangePassword: boolean }) | null> {
    if (!token.startsWith(SESSION_PREFIX)) return null;
    return this.wh.readOnly ? this.sessionActor(token, ip) : this.cached(`s:${sha256(token)}`, ip, () => this.sessionActor(token, ip));
  }

  private async sessionActor(token: string, ip: string | null): Promise<(Actor & { mustChangePassword: boolean }) | null> {
    const s = this.wh.readOnly ? this.memorySession(sha256(token)) : await resolveSession(this.wh, sha256(token), this.options.idleMs);
    if (!s) return null;
    const user = await getUserSecret(this.wh, s.userId);
    if (!user || user.disabled) return null;
    return { ...(await this.actorFor(user, ip, 'session')), mustChangePassword: user.mustChangePassword };
  }

  /** The owner of a personal API token (same permissions as the owner), or null. */
  async fromBearer(token: string, ip: string | null): Promise<Actor | null> {
    if (!token.startsWith(TOKEN_PREFIX)) return null;
    return this.cached(`t:${sha256(token)}`, ip, () => this.tokenActor(token, ip));
  }

  private async tokenActor(token: string, ip: string | null): Promise<Actor | null> {
    const t = await resolveToken(this.wh, sha256(token));
    if (!t) return null;
    const user = await getUserSecret(this.wh, t.userId);
    // A token does not outlive its owner's access, nor skip a required password change.
    if (!user || user.disabled || user.mustChangePassword) return null;
    return this.actorFor(user, ip, 'token');
  }

  async signOut(token: string): Promise<void> {
    if (this.wh.readOnly) this.memorySessions.delete(sha256(token));
    else await revokeSession(this.wh, sha256(token));
  }

  private memorySession(hash: string): { userId: string } | null {
    const s = this.memorySessions.get(hash);
    const now = Date.now();
    if (!s || now - s.lastSeen > this.options.idleMs || now - s.createdAt > this.options.absoluteMs) {
      this.memorySessions.delete(hash);
      return null;
    }
    s.lastSeen = now;
    return s;
  }

  private refuseOnSnapshot(): void {
    if (this.wh.readOnly)
      throw new AuthError('conflict', '这是只读副本，账户只能在主服务器上修改', 'This is a read-only copy: accounts are changed on the main server');
  }

  async changePassword(actor: Actor, current: string, next: string): Promise<void> {
    this.refuseOnSnapshot();
    const user = await getUserSecret(this.wh, actor.userId);
    if (!user || !(await verifyPassword(user.passwordHash, current))) throw new AuthError('invalid', '当前密码不正确', 'The current password is wrong');
    if (current === next) throw new AuthError('weak', '新密码不能与当前密码相同', 'The new password must differ from the current one');
    this.checkStrength(next, user.id);
    const hash = await hashPassword(next);
    await runAs(actor, () => setPasswordHash(this.wh, user.id, hash, false));
  }

  /** A new user with a one-time password (returned once, to hand over; changed at first sign-in). */
  async createUser(actor: Actor, u: { id: string; name: string; role: UserRole; orgScopes: string[] }): Promise<{ user: UserRow; oneTimePassword: string }> {
    if (await getUserSecret(this.wh, u.id)) throw new AuthError('conflict', `登录名“${u.id}”已存在`, `The login name "${u.id}" is taken`);
    const password = oneTimePassword();
    const passwordHash = await hashPassword(password);
    await runAs(actor, () => createUser(this.wh, { ...u, passwordHash, mustChangePassword: true }));
    const user = (await getUserSecret(this.wh, u.id))!;
    const { passwordHash: _omit, ...row } = user;
    return { user: row, oneTimePassword: password };
  }

  async resetPassword(actor: Actor, id: string): Promise<{ oneTimePassword: string }> {
    if (!(await getUserSecret(this.wh, id))) throw new AuthError('not_found', `没有用户“${id}”`, `No user "${id}"`);
    const password = oneTimePassword();
    const hash = await hashPassword(password);
    await runAs(actor, () => setPasswordHash(this.wh, id, hash, true));
    return { oneTimePassword: password };
  }

  async createToken(actor: Actor, name: string): Promise<{ id: string; token: string }> {
    this.refuseOnSnapshot();
    const token = newSecret(TOKEN_PREFIX);
    const id = sha256(token).slice(0, 12);
    await runAs(actor, () => createToken(this.wh, { id, userId: actor.userId, name, tokenHash: sha256(token) }));
    return { id, token };
  }

  listTokens(actor: Actor, all = false): Promise<TokenRow[]> {
    return listTokens(this.wh, all ? undefined : actor.userId);
  }

  async revokeToken(actor: Actor, id: string, asAdmin = false): Promise<boolean> {
    return runAs(actor, () => revokeToken(this.wh, id, asAdmin ? undefined : actor.userId));
  }

  checkStrength(password: string, login: string): void {
    try {
      checkPassword(password, login);
    } catch (err) {
      const e = err as BilingualError;
      throw new AuthError('weak', e.zh, e.en);
    }
  }

  /** The actor for a user: scoped roles carry every org unit id of their subtrees. */
  async actorFor(user: UserRow, ip: string | null, via: Actor['via']): Promise<Actor> {
    const scoped = user.role === 'manager' || user.role === 'viewer';
    let units: string[] | null = null;
    if (scoped) {
      const all = new Set<string>();
      for (const root of user.orgScopes) for (const id of await orgSubtree(this.wh, root)) all.add(id);
      units = [...all];
    }
    return { userId: user.id, name: user.name, role: user.role, orgScopes: units, ip, via };
  }

  private async audit(e: Parameters<typeof appendAuditOn>[1], login: string, ip: string | null): Promise<void> {
    // A snapshot server cannot extend the trail; its sign-ins are not recorded.
    if (this.wh.readOnly) return;
    const who: Actor = { userId: login, name: login, role: 'viewer', orgScopes: [], ip, via: 'session' };
    await runAs(who, () => this.wh.transaction((conn) => appendAuditOn(conn, e)));
  }
}

function systemActor(): Actor {
  return { userId: 'system', name: 'PerfLens', role: 'admin', orgScopes: null, ip: null, via: 'system' };
}
