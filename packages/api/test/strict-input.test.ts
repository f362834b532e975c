import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHTTPServer } from '@trpc/server/adapters/standalone';
import { BUILTIN_SCHEMES } from '@perflens/core';
import { Warehouse } from '@perflens/warehouse';
import { appRouter, type Context } from '../src/index.ts';
import { loadFixture } from '../../warehouse/test/queries.fixture.ts';

/*
 * Every input object is strict (an unknown key is a 400 naming it, in Chinese and English) and
 * every role code must be in the roles table. Over real HTTP, as curl or Python would call it, on
 * the hand-made fixture company (warehouse/test/queries.fixture.ts).
 */
let dir: string;
let wh: Warehouse;
let server: Server;
let base: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perflens-api-strict-'));
  wh = await Warehouse.open({ path: join(dir, 'strict.duckdb') });
  await loadFixture(wh);
  server = createHTTPServer({ router: appRouter, basePath: '/trpc/', createContext: (): Context => ({ wh, lang: 'zh' }) });
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
  body: { result?: { data: any }; error?: { message: string; data: { code: string } } };
}

async function query(proc: string, input?: unknown): Promise<Answer> {
  const qs = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  const res = await fetch(`${base}/trpc/${proc}${qs}`);
  return { status: res.status, body: (await res.json()) as Answer['body'] };
}

async function mutate(proc: string, input: unknown): Promise<Answer> {
  const res = await fetch(`${base}/trpc/${proc}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) });
  return { status: res.status, body: (await res.json()) as Answer['body'] };
}

const CHINESE = /[\u4e00-\u9fff]/;

/** A 400 whose message names `key` and carries the Chinese half of the bilingual message. */
function expectRefused(a: Answer, key: string): void {
  expect(a.status, JSON.stringify(a.body)).toBe(400);
  expect(a.body.error!.data.code).toBe('BAD_REQUEST');
  expect(a.body.error!.message).toContain(key);
  expect(a.body.error!.message).toMatch(CHINESE);
}

const scheme = () => structuredClone(BUILTIN_SCHEMES.find((s) => s.id === 'sales-v1')!);
const policyFields = { name: '试点政策', effectiveFrom: '2024-02-01' };

describe('unknown keys answer 400 naming the key', () => {
  it('policy.create with a misspelt scope: 400 naming "scope" in Chinese and English, and no policy stored', async () => {
    const a = await mutate('policy.create', { ...policyFields, scope: ['S-N'] });
    expectRefused(a, 'scope');
    expect(a.body.error!.message).toMatch(/Unrecognized key/);
    expect((await query('policy.list')).body.result!.data).toEqual([]);
    // Spelt right, the same policy is stored with its scope.
    const ok = await mutate('policy.create', { ...policyFields, scopeOrgUnitIds: ['S-N'] });
    expect(ok.status).toBe(200);
    expect(ok.body.result!.data.policy.scopeOrgUnitIds).toEqual(['S-N']);
    await mutate('policy.delete', { id: ok.body.result!.data.policy.id });
  });

  it('distribution.grades (flat filters)', async () => {
    expectRefused(await query('distribution.grades', { groupBy: 'none', orgUnit: 'SALES' }), 'orgUnit');
    expect((await query('distribution.grades', { groupBy: 'none', orgUnitId: 'SALES' })).status).toBe(200);
  });

  it('employees.list, at the top and inside sort', async () => {
    expectRefused(await query('employees.list', { pageSize: 5, grades: ['A'] }), 'grades');
    expectRefused(await query('employees.list', { sort: { field: 'score', order: 'asc', nulls: 'last' } }), 'nulls');
  });

  it('ranking.forced, at the top and inside guideline, people and departmentLinked', async () => {
    const q = { from: '2024-01', minGroupSize: 1 };
    expect((await query('ranking.forced', q)).status).toBe(200);
    expectRefused(await query('ranking.forced', { ...q, minGroupSzie: 3 }), 'minGroupSzie');
    expectRefused(await query('ranking.forced', { ...q, people: { limt: 5 } }), 'limt');
    expectRefused(await query('ranking.forced', { ...q, guideline: { mode: 'shares', shares: { A: 10, C: 90 }, strict: true } }), 'strict');
    expectRefused(await query('ranking.forced', { ...q, guideline: { mode: 'ranges', ranges: { A: { max: 0.1, maximum: 0.2 } } } }), 'maximum');
    expectRefused(await query('ranking.forced', { ...q, departmentLinked: { grades: {}, multiplier: { A: 2 } } }), 'multiplier');
  });

  it('calibration.departments, at the top and inside guideline; calibration.session.create inside ranking', async () => {
    expectRefused(await query('calibration.departments', { from: '2024-01', orgUnits: ['S-N'] }), 'orgUnits');
    expectRefused(await query('calibration.departments', { guideline: { mode: 'shares', shares: { A: 10, C: 90 }, total: 100 } }), 'total');
    expectRefused(await mutate('calibration.session.create', { name: 'x', ranking: { from: '2024-01', people: { limit: 5 } } }), 'people');
  });

  it('policy.effect (flat)', async () => {
    expectRefused(await query('policy.effect', { policyId: 'P1', outcome: 'score', control: ['OPS'] }), 'control');
  });

  it('simulation.run, at the top and inside the scheme', async () => {
    const q = { baseSchemeId: 'sales-v1', pageSize: 5 };
    expectRefused(await query('simulation.run', { ...q, pageSzie: 5 }), 'pageSzie');
    const s = scheme() as unknown as { kpis: Array<Record<string, unknown>> };
    s.kpis[0]!.weigth = 10;
    expectRefused(await query('simulation.run', { ...q, scheme: s }), 'weigth');
  });

  it('scenario.save, at the top, inside settings and inside the scheme; nothing saved', async () => {
    const q = { name: '方案一', baseSchemeId: 'sales-v1', scheme: scheme(), settings: { baseline: 'base' } };
    expectRefused(await mutate('scenario.save', { ...q, note: 'x' }), 'note');
    expectRefused(await mutate('scenario.save', { ...q, settings: { baseline: 'base', form: '2024-01' } }), 'form');
    expectRefused(await mutate('scenario.save', { ...q, scheme: { ...scheme(), gradebands: [] } }), 'gradebands');
    expect((await query('scenario.list')).body.result!.data).toEqual([]);
  });

  it('scheme.validate: 400 for an unknown top-level key; inside the scheme an issue naming the key (the form shows it in place)', async () => {
    expectRefused(await query('scheme.validate', { scheme: scheme(), strict: true }), 'strict');
    const s = scheme() as unknown as { gradeBands: Array<Record<string, unknown>> };
    s.gradeBands[0]!.coef = 1.2;
    const a = await query('scheme.validate', { scheme: s });
    expect(a.status).toBe(200);
    expect(a.body.result!.data.ok).toBe(false);
    expect(a.body.result!.data.issues).toEqual([expect.objectContaining({ path: ['gradeBands', 0], zh: expect.stringContaining('coef'), en: expect.stringContaining('coef') })]);
  });
});

describe('role codes are checked against the roles table', () => {
  it('distribution.grades with an unknown role: 400 naming it in both languages; a built-in role: 200', async () => {
    const bad = await query('distribution.grades', { role: 'no_such_role' });
    expectRefused(bad, 'no_such_role');
    expect(bad.body.error!.message).toBe('未知岗位“no_such_role” / unknown role "no_such_role"');
    const ok = await query('distribution.grades', { role: 'sales' });
    expect(ok.status).toBe(200);
    expect(ok.body.result!.data.groups[0].total).toBe(20);
  });

  it('policy scope roles, the ranking, a session ranking and a scheme are checked too; nothing is stored', async () => {
    expectRefused(await mutate('policy.create', { ...policyFields, scopeRoles: ['sales', 'ghost', 'phantom'] }), 'ghost');
    expect((await query('policy.list')).body.result!.data).toEqual([]);
    expectRefused(await query('ranking.forced', { from: '2024-01', role: 'ghost' }), 'ghost');
    expectRefused(await mutate('calibration.session.create', { name: 'x', ranking: { from: '2024-01', role: 'ghost' } }), 'ghost');
    expect((await query('calibration.session.list')).body.result!.data).toEqual([]);
    expectRefused(await query('scheme.validate', { scheme: { ...scheme(), role: 'ghost' } }), 'ghost');
  });

  it('the check never reads input a procedure would not: `?input=undefined` to a procedure without input still answers', async () => {
    // What the CLI sends for import.mappings; procedures without input have always ignored it.
    const res = await fetch(`${base}/trpc/meta.overview?input=undefined`);
    expect(res.status).toBe(200);
    const bad = await fetch(`${base}/trpc/distribution.grades?input=undefined`);
    expect(bad.status).toBe(400);
  });

  it("a company's own role, once in the roles table, is accepted and labels its ranking group by its name", async () => {
    expectRefused(await query('distribution.grades', { role: 'warehouse_clerk' }), 'warehouse_clerk');
    // As an import would: the role row first, then people holding it.
    await wh.run(`INSERT INTO roles (code, name_zh, name_en) VALUES ('warehouse_clerk', '仓管员', 'Warehouse clerk')`);
    await wh.run(`INSERT INTO employees (id, name, org_unit_id, role) VALUES ('W1', '仓一', 'OPS', 'warehouse_clerk'), ('W2', '仓二', 'OPS', 'warehouse_clerk')`);
    await wh.run(`INSERT INTO assessments (employee_id, period_id, org_unit_id, role, score, grade) VALUES
      ('W1', '2024-03', 'OPS', 'warehouse_clerk', 88, 'B'), ('W2', '2024-03', 'OPS', 'warehouse_clerk', 72, 'C')`);
    const grades = await query('distribution.grades', { role: 'warehouse_clerk' });
    expect(grades.status).toBe(200);
    expect(grades.body.result!.data.groups[0].total).toBe(2);
    const ranking = await query('ranking.forced', { from: '2024-03', grouping: 'role', minGroupSize: 1 });
    expect(ranking.status).toBe(200);
    expect(ranking.body.result!.data.groups.map((g: { key: string; label: string }) => [g.key, g.label])).toEqual([
      ['functional', '职能部门'],
      ['warehouse_clerk', '仓管员'],
    ]);
  });
});
