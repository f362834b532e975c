import { mkdirSync, writeFileSync } from 'node:fs';
import type { FullConfig } from '@playwright/test';
import { ADMIN_INITIAL_PASSWORD, ADMIN_STATE, AUTH_DIR, FIXTURE_FILE, ROLES, subtreeOf, USERS, type AuthFixture, type OrgUnitRow, type Role } from './tests/auth.ts';

/**
 * Runs once after the web server is up (fresh database): the first admin changes the initial
 * password, one user per role is created and signs in once to choose a known password, and the
 * admin's session is saved as the storage state every test starts with.
 * Plain HTTP like a script would: JSON bodies, no Origin header.
 */
const COOKIE = 'perflens_session';

interface Answer<T> {
  status: number;
  data?: T;
  error?: { message: string; data?: { code?: string } };
  cookie?: { value: string; maxAge?: number } | null;
}

class Client {
  cookie: string | null = null;
  constructor(private readonly base: string) {}

  private async call<T>(method: 'GET' | 'POST', path: string, input?: unknown): Promise<Answer<T>> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.cookie) headers.cookie = `${COOKIE}=${this.cookie}`;
    const url = method === 'GET' && input !== undefined ? `${this.base}/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}` : `${this.base}/trpc/${path}`;
    const res = await fetch(url, { method, headers, ...(method === 'POST' ? { body: JSON.stringify(input ?? {}) } : {}) });
    const body = (await res.json().catch(() => ({}))) as { result?: { data: T }; error?: Answer<T>['error'] };
    let cookie: Answer<T>['cookie'];
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      if (pair!.slice(0, eq).trim() !== COOKIE) continue;
      const value = pair!.slice(eq + 1).trim();
      const maxAge = attrs.map((a) => /^\s*max-age=(\d+)/i.exec(a)).find(Boolean);
      cookie = value ? { value, ...(maxAge ? { maxAge: Number(maxAge[1]) } : {}) } : null;
      this.cookie = value || null;
    }
    return { status: res.status, data: body.result?.data, error: body.error, cookie };
  }

  query<T>(path: string, input?: unknown) {
    return this.call<T>('GET', path, input);
  }
  mutate<T>(path: string, input?: unknown) {
    return this.call<T>('POST', path, input);
  }
  /** The answer's data, or a thrown error naming the call. */
  async must<T>(a: Promise<Answer<T>>, what: string): Promise<T> {
    const r = await a;
    if (r.status >= 400 || r.error) throw new Error(`global setup: ${what} → ${r.status} ${r.error?.message ?? ''}`);
    return r.data as T;
  }
}

async function signIn(base: string, login: string, passwords: string[]): Promise<{ client: Client; password: string }> {
  for (const password of passwords) {
    const client = new Client(base);
    const r = await client.mutate('auth.signIn', { login, password });
    if (r.status === 200 && client.cookie) return { client, password };
  }
  throw new Error(`global setup: cannot sign in as ${login}`);
}

/** The first unit below the top that has units of its own (a department with teams). */
function pickScope(units: OrgUnitRow[]): OrgUnitRow {
  const hasChildren = (u: OrgUnitRow) => units.some((c) => c.parentId === u.id);
  const roots = new Set(units.filter((u) => !u.parentId).map((u) => u.id));
  const pick = units.find((u) => u.parentId && roots.has(u.parentId) && hasChildren(u)) ?? units.find((u) => u.parentId && hasChildren(u));
  if (!pick) throw new Error('global setup: no org unit with children in the demo data');
  return pick;
}

export default async function globalSetup(config: FullConfig): Promise<void> {
  const base = (config.projects[0]?.use.baseURL ?? `http://127.0.0.1:${process.env.E2E_PORT}`).replace(/\/$/, '');
  mkdirSync(AUTH_DIR, { recursive: true });

  // 1. The first admin chooses a password (the initial one must be changed before anything else).
  const first = await signIn(base, USERS.admin.login, [ADMIN_INITIAL_PASSWORD, USERS.admin.password]);
  if (first.password !== USERS.admin.password)
    await first.client.must(first.client.mutate('auth.changePassword', { current: first.password, next: USERS.admin.password }), 'admin changes the initial password');
  const { client: admin } = await signIn(base, USERS.admin.login, [USERS.admin.password]);

  // 2. The manager's and viewer's scope: a department with sub-units.
  const units = await admin.must(admin.query<OrgUnitRow[]>('meta.orgUnits'), 'meta.orgUnits');
  const scope = pickScope(units);
  const fixture: AuthFixture = { scopeUnit: { id: scope.id, name: scope.name }, scopeSubtree: subtreeOf(units, scope.id) };
  writeFileSync(FIXTURE_FILE, JSON.stringify(fixture, null, 2));

  // 3. One user per role, each signing in once with the one-time password to choose theirs.
  const existing = new Set((await admin.must(admin.query<Array<{ id: string }>>('admin.users.list'), 'admin.users.list')).map((u) => u.id));
  for (const role of ROLES.filter((r): r is Exclude<Role, 'admin'> => r !== 'admin')) {
    const u = USERS[role];
    if (existing.has(u.login)) continue;
    const orgScopes = role === 'manager' || role === 'viewer' ? [scope.id] : [];
    const created = await admin.must(
      admin.mutate<{ oneTimePassword: string }>('admin.users.create', { id: u.login, name: u.name, role, orgScopes }),
      `create ${role}`,
    );
    const { client } = await signIn(base, u.login, [created.oneTimePassword]);
    await client.must(client.mutate('auth.changePassword', { current: created.oneTimePassword, next: u.password }), `${role} changes the one-time password`);
  }

  // 4. The admin session every test starts with.
  const url = new URL(base);
  const state = {
    cookies: [
      {
        name: COOKIE,
        value: admin.cookie!,
        domain: url.hostname,
        path: '/',
        expires: -1,
        httpOnly: true,
        secure: false,
        sameSite: 'Strict' as const,
      },
    ],
    origins: [],
  };
  writeFileSync(ADMIN_STATE, JSON.stringify(state, null, 2));
}
