import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Warehouse } from '@perflens/warehouse';
import { AuthService } from '@perflens/auth';
import { createAppServer } from '../src/http.ts';
import { routes } from '../src/routes/index.ts';
import { loadFixture } from '../../../packages/warehouse/test/queries.fixture.ts';

/**
 * Sign-in, sessions, tokens and the audit trail as a browser and a script meet them over HTTP:
 * the cookie's flags, the first password change, wrong passwords and throttling, sign-out, idle
 * expiry, personal tokens and their revocation, the org scope of a manager, tampering found.
 */
let dir: string;
let wh: Warehouse;
let server: Server;
let base: string;
const IDLE_MS = 1500;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perflens-auth-http-'));
  wh = await Warehouse.open({ path: join(dir, 'auth.duckdb') });
  await loadFixture(wh);
  const auth = new AuthService(wh, { idleMs: IDLE_MS, absoluteMs: 60_000 });
  await auth.bootstrap('First-Admin-Pass-1');
  server = createAppServer(wh, routes, join(dir, 'no-web'), undefined, auth);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  wh.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  body: any;
  cookie: string | null;
}

async function trpc(proc: string, input: unknown, opts: { cookie?: string | null; token?: string; mutation?: boolean; lang?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = { 'accept-language': opts.lang ?? 'en' };
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const res = opts.mutation
    ? await fetch(`${base}/trpc/${proc}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(input ?? {}) })
    : await fetch(`${base}/trpc/${proc}${input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`}`, { headers });
  return { status: res.status, body: await res.json(), cookie: res.headers.get('set-cookie') };
}

const cookieOf = (setCookie: string | null) => setCookie!.split(';')[0]!;

async function signIn(login: string, password: string): Promise<{ cookie: string; user: any }> {
  const r = await trpc('auth.signIn', { login, password }, { mutation: true });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return { cookie: cookieOf(r.cookie), user: r.body.result.data.user };
}

let adminCookie = '';

describe('signing in over HTTP', () => {
  it('nothing is served without a session or token; auth.me says nobody', async () => {
    expect((await trpc('meta.overview', undefined)).status).toBe(401);
    expect((await trpc('auth.me', undefined)).body.result.data).toBeNull();
    const upload = await fetch(`${base}/api/upload?name=a.csv`, { method: 'POST', headers: { 'x-perflens-upload': '1' }, body: 'a\n1\n' });
    expect(upload.status).toBe(401);
  });

  it('the first admin signs in with the one-time password, must change it first, then works', async () => {
    const r = await trpc('auth.signIn', { login: 'admin', password: 'First-Admin-Pass-1' }, { mutation: true });
    expect(r.status).toBe(200);
    expect(r.cookie).toMatch(/^perflens_session=pls_[A-Za-z0-9_-]+; HttpOnly; SameSite=Strict; Path=\/; Max-Age=60$/);
    expect(r.body.result.data.user).toMatchObject({ id: 'admin', role: 'admin', mustChangePassword: true });
    const cookie = cookieOf(r.cookie);
    const refused = await trpc('meta.overview', undefined, { cookie });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/change your one-time password/);
    const weak = await trpc('auth.changePassword', { current: 'First-Admin-Pass-1', next: 'short' }, { cookie, mutation: true });
    expect(weak.status).toBe(400);
    const ok = await trpc('auth.changePassword', { current: 'First-Admin-Pass-1', next: 'A-much-better-passphrase-9' }, { cookie, mutation: true });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect((await trpc('meta.overview', undefined, { cookie })).status).toBe(200);
    // The one-time password is spent.
    expect((await trpc('auth.signIn', { login: 'admin', password: 'First-Admin-Pass-1' }, { mutation: true })).status).toBe(401);
    adminCookie = cookie;
  });

  it('a wrong password is a 401 in the caller’s language; repeated failures are throttled with 429', async () => {
    const wrong = await trpc('auth.signIn', { login: 'admin', password: 'nope' }, { mutation: true, lang: 'zh-CN' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.message).toBe('登录名或密码不正确');
    let last: Answer = wrong;
    for (let i = 0; i < 6 && last.status !== 429; i++) last = await trpc('auth.signIn', { login: 'admin', password: 'nope' }, { mutation: true });
    expect(last.status).toBe(429);
    expect(last.body.error.message).toMatch(/Too many failed sign-ins: try again in \d+ s/);
    // Even the right password waits until the lock passes: the attacker learns nothing.
    expect((await trpc('auth.signIn', { login: 'admin', password: 'A-much-better-passphrase-9' }, { mutation: true })).status).toBe(429);
    const seconds = Number(/in (\d+) s/.exec(last.body.error.message)![1]);
    expect(seconds).toBeLessThanOrEqual(2);
    await new Promise((r) => setTimeout(r, seconds * 1000 + 100));
    await signIn('admin', 'A-much-better-passphrase-9');
  });

  it('a sign-in from another site is refused before it runs', async () => {
    const res = await fetch(`${base}/trpc/auth.signIn`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://evil.example' },
      body: JSON.stringify({ login: 'admin', password: 'x' }),
    });
    expect(res.status).toBe(403);
  });
});

describe('users, scopes and tokens', () => {
  let managerToken = '';
  it('an admin creates a manager of 北区 who signs in, changes the one-time password and sees only 北区', async () => {
    // A fresh session: the short idle limit of this server has passed during the throttle test.
    adminCookie = (await signIn('admin', 'A-much-better-passphrase-9')).cookie;
    const created = await trpc('admin.users.create', { id: 'li.na', name: '李娜', role: 'manager', orgScopes: ['S-N'] }, { cookie: adminCookie, mutation: true });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const otp = created.body.result.data.oneTimePassword as string;
    const noScope = await trpc('admin.users.create', { id: 'nobody', name: 'x', role: 'manager', orgScopes: [] }, { cookie: adminCookie, mutation: true });
    expect(noScope.status).toBe(400);
    const { cookie } = await signIn('li.na', otp);
    const changed = await trpc('auth.changePassword', { current: otp, next: 'Manager-passphrase-2024' }, { cookie, mutation: true });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    const list = await trpc('employees.list', { cycle: 'month', pageSize: 200 }, { cookie });
    expect(list.status).toBe(200);
    expect(new Set(list.body.result.data.rows.map((r: any) => r.employeeId))).toEqual(new Set(['E01', 'E02', 'E03', 'E04', 'E05']));
    // Not a manager's: calibration, imports, the audit trail, user administration.
    for (const p of ['calibration.session.list', 'import.batches', 'admin.audit.list', 'admin.users.list']) expect((await trpc(p, undefined, { cookie })).status, p).toBe(403);
    const upload = await fetch(`${base}/api/upload?name=a.csv`, { method: 'POST', headers: { 'x-perflens-upload': '1', cookie }, body: 'a\n1\n' });
    expect(upload.status).toBe(403);
    const token = await trpc('auth.tokens.create', { name: 'my script' }, { cookie, mutation: true });
    expect(token.body.result.data.token).toMatch(/^plt_/);
    managerToken = token.body.result.data.token;
  });

  it('a personal token works like its owner from a script, and stops at once when revoked', async () => {
    const viaToken = await trpc('meta.overview', undefined, { token: managerToken });
    expect(viaToken.status).toBe(200);
    expect(viaToken.body.result.data.employees).toBe(5);
    const { cookie } = await signIn('li.na', 'Manager-passphrase-2024');
    const [t] = (await trpc('auth.tokens.list', undefined, { cookie })).body.result.data;
    expect(t).toMatchObject({ name: 'my script', revokedAt: null });
    expect(JSON.stringify(t)).not.toContain(managerToken);
    expect((await trpc('auth.tokens.revoke', { id: t.id }, { cookie, mutation: true })).status).toBe(200);
    expect((await trpc('meta.overview', undefined, { token: managerToken })).status).toBe(401);
  });

  it('disabling a user ends their sessions at once', async () => {
    const { cookie } = await signIn('li.na', 'Manager-passphrase-2024');
    expect((await trpc('meta.periods', undefined, { cookie })).status).toBe(200);
    adminCookie = (await signIn('admin', 'A-much-better-passphrase-9')).cookie;
    expect((await trpc('admin.users.update', { id: 'li.na', disabled: true }, { cookie: adminCookie, mutation: true })).status).toBe(200);
    expect((await trpc('meta.periods', undefined, { cookie })).status).toBe(401);
    const again = await trpc('auth.signIn', { login: 'li.na', password: 'Manager-passphrase-2024' }, { mutation: true });
    expect(again.status).toBe(401);
  });
});

describe('sessions end', () => {
  it('on sign-out: the cookie is cleared and the old one no longer works', async () => {
    const { cookie } = await signIn('admin', 'A-much-better-passphrase-9');
    const out = await trpc('auth.signOut', {}, { cookie, mutation: true });
    expect(out.cookie).toMatch(/^perflens_session=; .*Max-Age=0/);
    expect((await trpc('meta.periods', undefined, { cookie })).status).toBe(401);
  });

  it('after the idle timeout', async () => {
    const { cookie } = await signIn('admin', 'A-much-better-passphrase-9');
    expect((await trpc('meta.periods', undefined, { cookie })).status).toBe(200);
    await new Promise((r) => setTimeout(r, IDLE_MS + 500));
    expect((await trpc('meta.periods', undefined, { cookie })).status).toBe(401);
  });
});

describe('the audit trail over HTTP', () => {
  it('records sign-ins and user changes with actor and address, and names an entry edited in the database', async () => {
    const { cookie } = await signIn('admin', 'A-much-better-passphrase-9');
    const list = await trpc('admin.audit.list', { action: 'user.', page: 1, pageSize: 50 }, { cookie });
    const actions = list.body.result.data.rows.map((r: any) => `${r.action} ${r.entityId} by ${r.actor}`);
    expect(actions).toContain('user.create li.na by admin');
    expect(actions).toContain('user.update li.na by admin');
    expect(list.body.result.data.rows[0].ip).toMatch(/127\.0\.0\.1/);
    expect((await trpc('admin.audit.verify', undefined, { cookie })).body.result.data.ok).toBe(true);
    const [victim] = await wh.query<{ id: number }>(`SELECT id FROM audit_log WHERE action = 'user.create' AND entity_id = 'li.na'`);
    await wh.run(`UPDATE audit_log SET after = '{"role":"admin"}' WHERE id = ${victim!.id}`);
    const verdict = (await trpc('admin.audit.verify', undefined, { cookie })).body.result.data;
    expect(verdict.ok).toBe(false);
    expect(verdict.firstBroken).toEqual({ id: Number(victim!.id), reason: 'content' });
  });
});
