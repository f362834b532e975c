import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Warehouse, gradeDistribution, orgUnitBoxPlots, refreshAnalytics, runAs, scoreDistribution, type Actor } from '../src/index.ts';
import { answersKept, MAX_ANSWERS } from '../src/answer-memo.ts';
import { loadCalibrationFixture } from './calibration.fixture.ts';

/*
 * The overview's panels answer a repeated request from the answers kept since the last write,
 * per org scope, as copies, at most MAX_ANSWERS of them. Checked on a real DuckDB file by
 * counting the statements that reach it.
 */
let dir: string;
let wh: Warehouse;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perflens-answer-memo-'));
  wh = await Warehouse.open({ path: join(dir, 'memo.duckdb') });
  await loadCalibrationFixture(wh);
});
afterAll(() => {
  wh.close();
  rmSync(dir, { recursive: true, force: true });
});

const manager = (orgScopes: string[]): Actor => ({ userId: 'm', name: 'M', role: 'manager', orgScopes, ip: null, via: 'session' });

/** Statements sent to DuckDB while `fn` runs. */
async function statements<T>(fn: () => Promise<T>): Promise<{ value: T; n: number }> {
  const spies = [vi.spyOn(wh, 'query'), vi.spyOn(wh, 'columns'), vi.spyOn(wh, 'run')];
  try {
    const value = await fn();
    return { value, n: spies.reduce((a, s) => a + s.mock.calls.length, 0) };
  } finally {
    for (const s of spies) s.mockRestore();
  }
}

describe('answers of the overview panels kept until the next write', () => {
  it('a repeated request reads nothing, and its answer is an equal copy', async () => {
    const panels: Array<[string, () => Promise<unknown>]> = [
      ['boxplots', () => orgUnitBoxPlots(wh, { from: '2024-01', to: '2024-02' })],
      ['grades', () => gradeDistribution(wh, { groupBy: 'orgUnit' })],
      ['scores', () => scoreDistribution(wh, { bins: 10 })],
    ];
    for (const [panel, call] of panels) {
      const first = await statements(call);
      expect(first.n, panel).toBeGreaterThan(0);
      const again = await statements(call);
      expect(again.n, panel).toBe(0);
      expect(again.value, panel).toEqual(first.value);
      expect(again.value, panel).not.toBe(first.value);
    }
  });

  it('changing an answer one caller received does not change the next one', async () => {
    const a = await orgUnitBoxPlots(wh, { from: '2024-01' });
    const median = a.units[0]!.median;
    a.units[0]!.median = -1;
    a.units.pop();
    const b = await orgUnitBoxPlots(wh, { from: '2024-01' });
    expect(b.units[0]!.median).toBe(median);
    expect(b.units.length).toBe(a.units.length + 1);
  });

  it('a write makes every kept answer stale: the next request reads the new data', async () => {
    const before = await scoreDistribution(wh, { from: '2024-01', to: '2024-01' });
    // As an import does: the facts, then the cube.
    await wh.run(`UPDATE assessments SET score = score + 10 WHERE period_id = '2024-01'`);
    await refreshAnalytics(wh);
    const after = await statements(() => scoreDistribution(wh, { from: '2024-01', to: '2024-01' }));
    expect(after.n).toBeGreaterThan(0);
    expect(after.value.stats!.mean).toBeCloseTo(before.stats!.mean + 10, 9);
    await wh.run(`UPDATE assessments SET score = score - 10 WHERE period_id = '2024-01'`);
    await refreshAnalytics(wh);
    expect((await scoreDistribution(wh, { from: '2024-01', to: '2024-01' })).stats!.mean).toBeCloseTo(before.stats!.mean, 9);
  });

  it('an answer never crosses from one org scope to another', async () => {
    const all = await orgUnitBoxPlots(wh, { from: '2024-01', to: '2024-01' });
    expect(all.units.map((u) => u.orgUnitId).sort()).toEqual(expect.arrayContaining(['D1']));
    const d2 = await runAs(manager(['D2', 'T']), () => orgUnitBoxPlots(wh, { from: '2024-01', to: '2024-01' }));
    expect(d2.units.every((u) => u.orgUnitId === 'D2' || u.orgUnitId === 'T')).toBe(true);
    const d1 = await runAs(manager(['D1']), () => orgUnitBoxPlots(wh, { from: '2024-01', to: '2024-01' }));
    expect(d1.units.map((u) => u.orgUnitId)).toEqual(['D1']);
    // And back: the unscoped answer is still the whole company's.
    expect(await orgUnitBoxPlots(wh, { from: '2024-01', to: '2024-01' })).toEqual(all);
  });

  it(`keeps at most ${MAX_ANSWERS} answers, the least recently used dropped first`, async () => {
    const fresh = () => statements(() => scoreDistribution(wh, { bins: 20 }));
    await fresh();
    // More distinct requests than the bound (the range's lower end differs each time).
    for (let i = 0; i < MAX_ANSWERS + 40; i++) {
      await scoreDistribution(wh, { bins: 20, min: i, max: 1000 });
      // The first one stays in use, so it is never the least recently used.
      if (i % 50 === 0) expect((await fresh()).n).toBe(0);
    }
    expect(answersKept(wh)).toBe(MAX_ANSWERS);
    // The oldest of the range requests is gone; the newest is kept.
    expect((await statements(() => scoreDistribution(wh, { bins: 20, min: 0, max: 1000 }))).n).toBeGreaterThan(0);
    expect((await statements(() => scoreDistribution(wh, { bins: 20, min: MAX_ANSWERS + 39, max: 1000 }))).n).toBe(0);
  });
});
