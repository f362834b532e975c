import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TRPCError } from '@trpc/server';
import { can, PERMISSIONS, ROLE_PERMISSIONS, USER_ROLES, type UserRole } from '@perflens/core';
import { listAudit, Warehouse, type Actor } from '@perflens/warehouse';
import { AuthService } from '@perflens/auth';
import { appRouter, createCallerFactory } from '../src/index.ts';
import type { ProcedureMeta } from '../src/access.ts';
import { loadFixture } from '../../warehouse/test/queries.fixture.ts';

/**
 * Who may call what, over the whole router: every procedure declares its permissions (default
 * deny), each role is allowed exactly what its permissions say, scoped roles see only their
 * subtrees, and what a role may not see of a person never leaves the server.
 */
let dir: string;
let wh: Warehouse;
let auth: AuthService;
const createCaller = createCallerFactory(appRouter);
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perflens-api-access-'));
  wh = await Warehouse.open({ path: join(dir, 'access.duckdb') });
  await loadFixture(wh);
  auth = new AuthService(wh);
}, 60_000);
afterAll(() => {
  wh.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A caller as the HTTP server builds it for a signed-in `role` (or nobody). */
async function callerAs(role: UserRole | null, scopes: string[] = []) {
  let actor: Actor | null = null;
  if (role) {
    const user = { id: `u-${role}`, name: `User ${role}`, role, orgScopes: scopes, mustChangePassword: false, disabled: false, createdAt: '' };
    actor = await auth.actorFor(user, '127.0.0.1', 'session');
  }
  return createCaller({ wh, lang: 'en', http: { auth, actor, ip: '127.0.0.1', sessionToken: null, setSession: () => undefined } });
}

type Procedures = Record<string, { _def: { meta?: ProcedureMeta; type: string } }>;
const procedures = (appRouter as unknown as { _def: { procedures: Procedures } })._def.procedures;

function call(caller: unknown, path: string, input: unknown): Promise<unknown> {
  const fn = path.split('.').reduce((o, k) => (o as Record<string, unknown>)[k], caller) as (i: unknown) => Promise<unknown>;
  return fn(input);
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'OK';
  } catch (e) {
    return e instanceof TRPCError ? e.code : `THREW ${String(e)}`;
  }
}

describe('the permission matrix', () => {
  it('every procedure declares valid permissions or is declared open (default deny)', () => {
    const paths = Object.keys(procedures);
    expect(paths.length).toBeGreaterThan(50);
    const open = paths.filter((p) => procedures[p]!._def.meta?.open);
    expect(open.sort()).toEqual(['auth.me', 'auth.signIn', 'auth.signOut']);
    for (const p of paths) {
      if (open.includes(p)) continue;
      const perms = procedures[p]!._def.meta?.permissions;
      expect(perms, p).toBeDefined();
      expect(perms!.length, p).toBeGreaterThan(0);
      for (const x of perms!) expect(PERMISSIONS, p).toContain(x);
    }
  });

  it('nobody signed in: every procedure but the open ones answers UNAUTHORIZED', async () => {
    const caller = await callerAs(null);
    for (const [path, p] of Object.entries(procedures)) {
      if (p._def.meta?.open) continue;
      expect(await codeOf(call(caller, path, undefined)), path).toBe('UNAUTHORIZED');
    }
  });

  it('each role gets exactly what its permissions allow; scoped roles only scoped procedures', async () => {
    const scoped: Record<UserRole, string[]> = { admin: [], hr: [], executive: [], analyst: [], manager: ['S-N'], viewer: ['SALES'] };
    // Writes are not run (an empty input is refused by the parser after the access check); a few
    // procedures that would change data whatever the input are left out of the "allowed" run.
    for (const role of USER_ROLES) {
      const caller = await callerAs(role, scoped[role]);
      for (const [path, p] of Object.entries(procedures)) {
        const meta = p._def.meta!;
        if (meta.open) continue;
        const ownAccount = meta.permissions!.every((x) => x === 'self');
        const allowed = meta.permissions!.every((x) => can(role, x)) && (scoped[role].length === 0 || !!meta.scoped || ownAccount);
        const code = await codeOf(call(caller, path, undefined));
        if (allowed) expect(['FORBIDDEN', 'UNAUTHORIZED'], `${role} ${path}: ${code}`).not.toContain(code);
        else expect(code, `${role} ${path}`).toBe('FORBIDDEN');
      }
    }
  }, 120_000);

  it('the refusal names the role in the caller’s words and the permission it lacks', async () => {
    const caller = await callerAs('viewer', ['SALES']);
    const err = (await caller.employees.list({}).catch((e: unknown) => e)) as TRPCError;
    expect(err.code).toBe('FORBIDDEN');
    expect(err.message).toContain('只读访客');
    expect(err.message).toContain('Viewer');
    expect(err.message).toContain('read.people');
  });

  it('roles and permissions agree with the documented matrix', () => {
    expect(ROLE_PERMISSIONS.viewer).toEqual(['read.aggregate', 'self']);
    expect(can('manager', 'calibration.read')).toBe(false);
    expect(can('hr', 'admin.users')).toBe(false);
    expect(can('analyst', 'simulation.run')).toBe(true);
    expect(can('executive', 'simulation.run')).toBe(false);
  });
});

describe('org scope', () => {
  it('a manager of 北区 sees its five people and nothing of other units, whatever the filters ask', async () => {
    const m = await callerAs('manager', ['S-N']);
    const list = await m.employees.list({ cycle: 'month', pageSize: 200 });
    const ids = new Set(list.rows.map((r: { employeeId: string }) => r.employeeId));
    expect([...ids].sort()).toEqual(['E01', 'E02', 'E03', 'E04', 'E05']);
    // Asking for another unit outright gives nothing, not its rows.
    const other = await m.employees.list({ cycle: 'month', orgUnitId: 'OPS' });
    expect(other.rows).toEqual([]);
    const units = await m.meta.orgUnits();
    expect(units.map((u) => [u.id, u.parentId])).toEqual([['S-N', null]]);
    const overview = await m.meta.overview();
    expect(overview.employees).toBe(5);
    expect(overview.orgUnits).toBe(1);
    const grades = await m.distribution.grades({ cycle: 'month', groupBy: 'orgUnit' });
    expect(grades.groups.map((g: { key: string }) => g.key)).toEqual(['S-N']);
  });

  it('a viewer gets aggregates of their units, groups below the minimum suppressed', async () => {
    const admin = await callerAs('admin');
    const v = await callerAs('viewer', ['SALES']);
    await admin.admin.settings.set({ minGroupSize: 6 });
    try {
      const grades = await v.distribution.grades({ cycle: 'month', from: '2024-01', to: '2024-01', groupBy: 'orgUnit' });
      const byKey: Record<string, any> = Object.fromEntries(grades.groups.map((g) => [g.key, g]));
      // 北区 and 南区 have five people each in January: suppressed; 销售部 itself has five too.
      expect(Object.keys(byKey).sort()).toEqual(['S-N', 'S-S', 'SALES']);
      for (const k of ['S-N', 'S-S', 'SALES']) {
        expect(byKey[k]).toMatchObject({ suppressed: true, key: k });
        expect(byKey[k].total).toBeNull();
      }
      const company = await v.distribution.grades({ cycle: 'month', from: '2024-01', to: '2024-01' });
      // Fifteen people in scope: shown.
      expect(company.groups[0]).not.toHaveProperty('suppressed');
    } finally {
      await admin.admin.settings.set({ minGroupSize: 5 });
    }
  });
});

describe('masking', () => {
  it('analysts see people by code, executives see names without pay, HR sees both', async () => {
    const input = { cycle: 'month' as const, from: '2024-01', to: '2024-01', pageSize: 5 };
    const hr = (await (await callerAs('hr')).employees.list(input)).rows[0] as unknown as Record<string, unknown>;
    const analyst = (await (await callerAs('analyst')).employees.list(input)).rows[0] as unknown as Record<string, unknown>;
    const exec = (await (await callerAs('executive')).employees.list(input)).rows[0] as unknown as Record<string, unknown>;
    expect(hr.name).not.toBe(hr.employeeId);
    expect(hr).toHaveProperty('bonus');
    expect(analyst.name).toBe(analyst.employeeId);
    expect(analyst).toHaveProperty('bonus');
    expect(exec.name).toBe(hr.name);
    expect(exec).not.toHaveProperty('bonus');
  });
});

describe('audit of administration and exports', () => {
  it('settings changes and the audit export itself are on the trail, with the actor', async () => {
    const admin = await callerAs('admin');
    await admin.admin.settings.set({ minGroupSize: 7 });
    await admin.admin.settings.set({ minGroupSize: 5 });
    const file = await admin.admin.audit.export({});
    const csv = Buffer.from(file.base64, 'base64').toString('utf8');
    expect(csv.split('\r\n')[0]).toBe('\uFEFFid,occurredAt,actor,ip,action,entity,entityId,before,after,reason');
    expect(csv).toContain('settings.update');
    const trail = await listAudit(wh, { action: 'export.audit', page: 1, pageSize: 10 });
    expect(trail.rows[0]).toMatchObject({ actor: 'u-admin', action: 'export.audit' });
    expect((await admin.admin.audit.verify()).ok).toBe(true);
  });
});
