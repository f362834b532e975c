import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROLE_VISIBILITY } from '@perflens/core';
import { Warehouse, listAudit, verifyAuditChain, runAs } from '@perflens/warehouse';
import { AuthError, AuthService, Throttle, maskOutput, sha256 } from '../src/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'perflens-auth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
let wh: Warehouse;
let auth: AuthService;
beforeEach(async () => {
  wh?.close();
  wh = await Warehouse.open({ path: join(dir, `a${++n}.duckdb`) });
  auth = new AuthService(wh, { idleMs: 30 * 60_000, absoluteMs: 12 * 3_600_000 });
});

async function adminActor() {
  const boot = (await auth.bootstrap('correct horse battery'))!;
  const { actor } = await auth.signIn('admin', boot.password, '10.0.0.1');
  return actor;
}

describe('first start and sign-in', () => {
  it('creates one admin with a one-time password that must be changed, once', async () => {
    const boot = await auth.bootstrap();
    expect(boot!.generated).toBe(true);
    expect(boot!.password).toMatch(/^[A-Za-z2-9]{16}$/);
    expect(await auth.bootstrap()).toBeNull();
    const s = await auth.signIn('admin', boot!.password, null);
    expect(s.mustChangePassword).toBe(true);
    const [u] = await wh.query<{ h: string }>(`SELECT password_hash AS h FROM users WHERE id = 'admin'`);
    expect(u!.h).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    expect(u!.h).not.toContain(boot!.password);
  });

  it('stores only the hash of a session token; sign-out ends it', async () => {
    const boot = (await auth.bootstrap('correct horse battery'))!;
    const s = await auth.signIn('ADMIN', boot.password, '10.0.0.1');
    const [row] = await wh.query<{ id: string }>('SELECT id FROM sessions');
    expect(row!.id).toBe(sha256(s.token));
    expect((await auth.fromSession(s.token, null))!.userId).toBe('admin');
    await auth.signOut(s.token);
    expect(await auth.fromSession(s.token, null)).toBeNull();
  });

  it('sessions end after the idle and the absolute timeout', async () => {
    const boot = (await auth.bootstrap('correct horse battery'))!;
    const s = await auth.signIn('admin', boot.password, null);
    await wh.run(`UPDATE sessions SET last_seen_at = current_timestamp - INTERVAL 31 MINUTE`);
    expect(await auth.fromSession(s.token, null)).toBeNull();
    const s2 = await auth.signIn('admin', boot.password, null);
    await wh.run(`UPDATE sessions SET expires_at = current_timestamp - INTERVAL 1 SECOND WHERE id = $id`, { id: sha256(s2.token) });
    expect(await auth.fromSession(s2.token, null)).toBeNull();
  });

  it('a wrong password and an unknown login give the same answer, and both are audited without the password', async () => {
    await auth.bootstrap('correct horse battery');
    const a = await auth.signIn('admin', 'wrong password!', '10.0.0.2').catch((e: unknown) => e);
    const b = await auth.signIn('nobody', 'wrong password!', '10.0.0.2').catch((e: unknown) => e);
    expect((a as AuthError).en).toBe((b as AuthError).en);
    const log = await listAudit(wh, { page: 1, pageSize: 50, action: 'auth' });
    expect(log.rows.map((r) => [r.action, r.actor, r.ip])).toEqual([
      ['auth.sign_in_failed', 'nobody', '10.0.0.2'],
      ['auth.sign_in_failed', 'admin', '10.0.0.2'],
    ]);
    expect(JSON.stringify(log)).not.toContain('wrong password');
  });
});

describe('throttling', () => {
  it('locks an account after repeated failures, with a doubling delay, and per address', () => {
    let t = 0;
    const th = new Throttle({ windowMs: 60_000, accountFree: 4, addressFree: 6, maxDelayMs: 60_000 }, () => t);
    for (let i = 0; i < 4; i++) th.failed('Alice', '1.1.1.1');
    expect(th.wait('alice', '2.2.2.2')).toBe(0);
    th.failed('alice', '1.1.1.1');
    expect(th.wait('alice', '2.2.2.2')).toBe(1000);
    th.failed('alice', '1.1.1.1');
    expect(th.wait('alice', '2.2.2.2')).toBe(2000);
    // The address is over its own limit for any account now (7 failures, 6 free).
    th.failed('bob', '1.1.1.1');
    expect(th.wait('carol', '1.1.1.1')).toBe(1000);
    t = 120_000;
    expect(th.wait('alice', '2.2.2.2')).toBe(0);
  });

  it('the service refuses a locked account even with the right password', async () => {
    const boot = (await auth.bootstrap('correct horse battery'))!;
    for (let i = 0; i < 5; i++) await auth.signIn('admin', 'nope nope nope', '10.0.0.3').catch(() => undefined);
    const e = await auth.signIn('admin', boot.password, '10.0.0.4').catch((x: unknown) => x);
    expect((e as AuthError).kind).toBe('throttled');
  });
});

describe('API tokens', () => {
  it('are shown once, act as their owner, and stop working when revoked', async () => {
    const admin = await adminActor();
    await auth.changePassword(admin, 'correct horse battery', 'a much better passphrase');
    const { token, id } = await auth.createToken(admin, 'nightly export');
    expect(JSON.stringify(await auth.listTokens(admin))).not.toContain(token);
    expect((await auth.fromBearer(token, null))!.userId).toBe('admin');
    expect(await auth.revokeToken(admin, id)).toBe(true);
    expect(await auth.fromBearer(token, null)).toBeNull();
  });

  it('do not work while the owner must still change a one-time password', async () => {
    const admin = await adminActor();
    const { token } = await auth.createToken(admin, 'too early');
    expect(await auth.fromBearer(token, null)).toBeNull();
  });
});

describe('users and the audit chain', () => {
  it('a manager’s actor carries every unit of their subtrees', async () => {
    await wh.run(`INSERT INTO org_units VALUES ('root','公司',NULL,'company',NULL,NULL), ('d1','一部','root','department',NULL,NULL), ('t1','一组','d1','team',NULL,NULL), ('d2','二部','root','department',NULL,NULL)`);
    const admin = await adminActor();
    const { oneTimePassword } = await auth.createUser(admin, { id: 'li', name: '李经理', role: 'manager', orgScopes: ['d1'] });
    const s = await auth.signIn('li', oneTimePassword, null);
    expect(s.actor.orgScopes!.sort()).toEqual(['d1', 't1']);
  });

  it('names the first entry edited directly in the database', async () => {
    const admin = await adminActor();
    await auth.createUser(admin, { id: 'wang', name: '王', role: 'hr', orgScopes: [] });
    await auth.createUser(admin, { id: 'zhao', name: '赵', role: 'viewer', orgScopes: [] });
    expect(await verifyAuditChain(wh)).toMatchObject({ ok: true, firstBroken: null });
    const [entry] = await wh.query<{ id: number }>(`SELECT id::INTEGER AS id FROM audit_log WHERE action = 'user.create' AND entity_id = 'wang'`);
    await wh.run(`UPDATE audit_log SET after = '{"id":"wang","role":"admin"}' WHERE id = $id`, { id: entry!.id });
    expect(await verifyAuditChain(wh)).toMatchObject({ ok: false, firstBroken: { id: entry!.id, reason: 'content' } });
  });

  it('detects a removed entry and a cut-off tail', async () => {
    const admin = await adminActor();
    for (const id of ['a1', 'a2', 'a3']) await auth.createUser(admin, { id, name: id, role: 'viewer', orgScopes: [] });
    const ids = (await wh.query<{ id: number }>(`SELECT id::INTEGER AS id FROM audit_log ORDER BY id`)).map((r) => r.id);
    await wh.run('DELETE FROM audit_log WHERE id = $id', { id: ids[1]! });
    expect((await verifyAuditChain(wh)).firstBroken).toEqual({ id: ids[2]!, reason: 'link' });
    const wh2 = wh;
    await wh2.run('DELETE FROM audit_log WHERE id >= $id', { id: ids[1]! });
    expect((await verifyAuditChain(wh)).firstBroken?.reason).toBe('head');
  });

  it('the actor of an entry is the signed-in user, whatever the request says', async () => {
    const admin = await adminActor();
    await runAs(admin, () => auth.createUser(admin, { id: 'x1', name: '=cmd|\' /C calc\'!A0', role: 'viewer', orgScopes: [] }));
    const log = await listAudit(wh, { page: 1, pageSize: 5, action: 'user.create' });
    expect(log.rows[0]!.actor).toBe('admin');
  });
});

describe('masking', () => {
  const page = {
    total: 1,
    rows: [{ employeeId: 'E1', name: '张三', orgUnitName: '一部', bonus: '1200.00', coefficient: 1.1, score: 90 }],
    explain: [{ employeeId: 'E1', lines: [{ en: 'monthly salary 11460 × 20%', zh: '月工资 11460 × 20%' }], inputs: { monthlySalary: 11460 } }],
    cost: { byUnit: [{ orgUnitId: 'd1', name: '一部', bonus: '99000.00' }] },
    raters: [{ raterId: 'M1', raterName: '王经理', n: 5 }],
  };
  it('analysts see codes instead of names, and no salary', () => {
    const m = maskOutput(page, ROLE_VISIBILITY.analyst);
    expect(m.rows[0]).toEqual({ employeeId: 'E1', name: 'E1', orgUnitName: '一部', bonus: '1200.00', coefficient: 1.1, score: 90 });
    expect(m.raters[0]!.raterName).toBe('M1');
    expect(m.explain[0]!.lines[0]).toEqual({ en: 'monthly salary *** × 20%', zh: '月工资 *** × 20%' });
    expect(m.explain[0]!.inputs).toEqual({});
    expect(m.cost.byUnit[0]!.name).toBe('一部');
  });
  it('executives see names but no personal pay; unit totals stay', () => {
    const m = maskOutput(page, ROLE_VISIBILITY.executive);
    expect(m.rows[0]).toEqual({ employeeId: 'E1', name: '张三', orgUnitName: '一部', score: 90 });
    expect(m.cost.byUnit[0]!.bonus).toBe('99000.00');
  });
  it('HR sees everything', () => {
    expect(maskOutput(page, ROLE_VISIBILITY.hr)).toBe(page);
  });
});
