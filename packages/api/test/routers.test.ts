import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TRPCError } from '@trpc/server';
import { Warehouse } from '@perflens/warehouse';
import { appRouter, createCallerFactory } from '../src/index.ts';
import { loadFixture } from '../../warehouse/test/queries.fixture.ts';

let dir: string;
let wh: Warehouse;
const createCaller = createCallerFactory(appRouter);
let caller: ReturnType<typeof createCaller>;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perflens-api-'));
  wh = await Warehouse.open({ path: join(dir, 'api.duckdb') });
  await loadFixture(wh);
  caller = createCaller({ wh, lang: 'zh' });
});
afterAll(() => {
  wh.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('api routers (fixture: see warehouse/test/queries.fixture.ts)', () => {
  it('meta.orgUnits and meta.periods', async () => {
    expect((await caller.meta.orgUnits()).map((u) => `${u.id}:${u.depth}`)).toEqual(['HQ:0', 'OPS:1', 'SALES:1', 'S-N:2', 'S-S:2']);
    expect((await caller.meta.periods()).map((p) => p.id)).toEqual(['2024-01', '2024-Q1', '2024', '2024-02', '2024-03']);
  });

  it('distribution.grades applies the schema defaults (month cycle, no grouping)', async () => {
    const r = await caller.distribution.grades({});
    expect(r.groups.map((g) => [g.key, g.total])).toEqual([['all', 35]]);
    expect(r.ungraded).toBe(1);
    const q = await caller.distribution.grades({ cycle: 'quarter', groupBy: 'orgUnit' });
    expect(q.groups.map((g) => [g.label, g.counts])).toEqual([['运营部', { A: 0, B: 2, C: 0, D: 2, E: 1 }]]);
  });

  it('distribution.scores, byOrgUnit and raters', async () => {
    const s = await caller.distribution.scores({ orgUnitId: 'SALES', from: '2024-02', to: '2024-02', bins: 5 });
    expect(s.stats!.p10).toBeCloseTo(1.9, 12);
    expect(s.bins.map((b) => b.count)).toEqual([2, 2, 2, 2, 2]);
    const box = await caller.distribution.byOrgUnit({ from: '2024-01', to: '2024-01' });
    expect(box.units.map((b) => b.orgUnitId)).toEqual(['S-N', 'SALES', 'OPS', 'S-S']);
    const raters = await caller.distribution.raters({ minN: 3 });
    expect(raters.raters.map((r) => [r.raterId, r.lowN])).toEqual([
      ['X1', true],
      ['E05', false],
      ['E10', false],
    ]);
  });

  it('employees.list pages and sorts', async () => {
    const r = await caller.employees.list({ sort: { field: 'employeeId', order: 'desc' }, pageSize: 3 });
    expect([r.total, r.rows.map((x) => `${x.employeeId}@${x.periodId}`)]).toEqual([36, ['E20@2024-01', 'E20@2024-03', 'E19@2024-01']]);
  });

  it('turns invalid input into BAD_REQUEST naming the field', async () => {
    const err = await caller.employees.list({ sort: { field: 'salary' as never, order: 'asc' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TRPCError);
    expect((err as TRPCError).code).toBe('BAD_REQUEST');
    expect((err as TRPCError).message).toContain('sort');
    const bad = await caller.distribution.scores({ min: 9, max: 1 }).catch((e: unknown) => e);
    expect((bad as TRPCError).code).toBe('BAD_REQUEST');
    expect((bad as TRPCError).message).toContain('直方图下限');
    await expect(caller.distribution.grades({ from: 'last year' })).rejects.toThrow(/period id must look like/);
    // zod's own messages come in both languages too.
    const few = await caller.distribution.scores({ bins: 3 }).catch((e: unknown) => e);
    expect((few as TRPCError).code).toBe('BAD_REQUEST');
    const issue = (JSON.parse((few as TRPCError).message) as Array<{ path: string[]; message: string }>)[0]!;
    expect(issue.path).toEqual(['bins']);
    expect(issue.message).toBe('数值过小：期望 number >=5 / Too small: expected number to be >=5');
  });
});
