import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normaliseByRater } from '@perflens/core';
import { Warehouse, calibrationDepartments, calibrationFairness, calibrationRaters } from '../src/index.ts';
import { JAN_SCORES, loadCalibrationFixture, supervisorScore } from './calibration.fixture.ts';

let dir: string;
let wh: Warehouse;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perflens-cal-a-'));
  wh = await Warehouse.open({ path: join(dir, 'cal.duckdb') });
  await loadCalibrationFixture(wh);
});
afterAll(() => {
  wh.close();
  rmSync(dir, { recursive: true, force: true });
});

const JAN = { from: '2024-01', to: '2024-01' } as const;

describe('calibration analyses on the fixture', () => {
  it('departments: D1 grade mix, gap in people, chi-square / G / exact p vs SciPy (1e-6)', async () => {
    const r = await calibrationDepartments(wh, JAN);
    const d1 = r.units.find((u) => u.orgUnitId === 'D1')!;
    // Recorded: 95 | 90 88 88 85 | 80 78 75 75 | 70 65 | 55 → 1/4/4/2/1; quota of 12 = 1/2/6/2/1.
    expect(d1.counts).toEqual({ A: 1, B: 4, C: 4, D: 2, E: 1 });
    expect(d1.gap).toEqual({ A: 0, B: 2, C: -2, D: 0, E: 0 });
    // scipy.stats.chisquare / power_divergence(lambda_="log-likelihood"); exact by enumeration.
    expect(Math.abs(d1.chi2 - 2.055555555555555)).toBeLessThan(1e-6);
    expect(Math.abs(d1.pChi2 - 0.7255413050315438)).toBeLessThan(1e-6);
    expect(Math.abs(d1.g - 1.9213343218379866)).toBeLessThan(1e-6);
    expect(Math.abs(d1.pG - 0.7502248199994848)).toBeLessThan(1e-6);
    expect(Math.abs(d1.pExact! - 0.5157091187499987)).toBeLessThan(1e-6);
    expect(d1.caveat!.zh).toContain('期望人数少于 5');
    expect(r.heatmap.filter((h) => h.orgUnitId === 'D1').map((h) => h.gap)).toEqual([0, 2, -2, 0, 0]);
  });

  it('fairness: top-grade rate by gender with the four-fifths flag', async () => {
    const r = await calibrationFairness(wh, JAN);
    // 优 in January: E01 (95) and E13 (92), both odd ids = M; 11 M and 11 F graded.
    expect(r.gender.map((g) => [g.key, g.n, g.top, g.adverse])).toEqual([
      ['F', 11, 0, true],
      ['M', 11, 2, false],
    ]);
    expect(r.ageBand.reduce((a, b) => a + b.n, 0)).toBe(22);
    expect(r.tenureBand.reduce((a, b) => a + b.n, 0)).toBe(22);
  });

  it('raters: leniency per supervisor and side-by-side normalisations', async () => {
    const r = await calibrationRaters(wh, { ...JAN, raterId: 'R1', minN: 7 });
    const r1 = r.raters.find((x) => x.rater === 'R1')!;
    const xs = [1, 2, 3, 4, 5, 6].map((k) => supervisorScore(k, JAN_SCORES[k - 1]!));
    expect(r1.n).toBe(6);
    expect(r1.mean).toBeCloseTo(xs.reduce((a, b) => a + b, 0) / 6, 10);
    expect(r1.lowN).toBe(true);
    expect(r.warnings[0]!.code).toBe('low-n');
    expect(r.scores.map((s) => s.raw)).toEqual(xs);
    for (const s of r.scores) expect(s.centre).toBeCloseTo(s.raw - r1.diff, 10);
  });

  it('raters summed in DuckDB agree with normaliseByRater over every score (stats, order, each rater\'s normalisations)', async () => {
    // The same population read row by row: supervisor scores of the month's assessments.
    const rows = await wh.query<{ rater: string; ratee: string; score: number }>(
      `SELECT r.rater_id AS rater, r.employee_id AS ratee, r.score FROM rater_scores r
        SEMI JOIN assessments a ON a.employee_id = r.employee_id AND a.period_id = r.period_id
        WHERE r.relation = 'supervisor' AND r.period_id = '2024-01' ORDER BY r.rater_id, r.period_id, r.employee_id`,
    );
    expect(new Set(rows.map((r) => r.rater)).size).toBeGreaterThan(1);
    const full = normaliseByRater(rows, 3);
    const r = await calibrationRaters(wh, { ...JAN, minN: 3 });
    expect(r.scores).toEqual([]);
    expect(r.company.n).toBe(full.company.n);
    for (const k of ['mean', 'sd', 'withinVar', 'betweenVar'] as const) expect(r.company[k]).toBeCloseTo(full.company[k], 9);
    expect(r.raters.map((x) => x.rater)).toEqual(full.raters.map((x) => x.rater));
    r.raters.forEach((x, i) => {
      const y = full.raters[i]!;
      expect([x.n, x.ratees, x.lowN, x.level]).toEqual([y.n, y.ratees, y.lowN, y.level]);
      for (const k of ['mean', 'diff', 'z', 'shrinkFactor', 'shrunkDiff'] as const) expect(x[k]).toBeCloseTo(y[k], 9);
    });
    for (const rater of full.raters) {
      const chosen = await calibrationRaters(wh, { ...JAN, minN: 3, raterId: rater.rater });
      const idx = rows.flatMap((x, i) => (x.rater === rater.rater ? [i] : []));
      expect(chosen.scores.map((s) => s.raw)).toEqual(idx.map((i) => rows[i]!.score));
      chosen.scores.forEach((s, k) => {
        for (const m of ['zscore', 'centre', 'percentile', 'shrinkage'] as const) expect(s[m]).toBeCloseTo(full.adjusted[m][idx[k]!]!, 9);
      });
    }
  });

  it('the chosen rater\'s scores come a page at a time, in the order asked for, with the total', async () => {
    const all = await calibrationRaters(wh, { ...JAN, raterId: 'R1', scoresPageSize: 1000 });
    expect(all.scoresTotal).toBe(6);
    expect(all.scores).toHaveLength(6);
    // Default: by period, then person; 50 a page.
    expect(all.scores.map((s) => s.employeeId)).toEqual([...all.scores.map((s) => s.employeeId)].sort());
    const byShrinkDesc = [...all.scores].sort((a, b) => b.shrinkage - a.shrinkage || (a.employeeId < b.employeeId ? -1 : 1));
    const page2 = await calibrationRaters(wh, { ...JAN, raterId: 'R1', scoresSort: 'shrinkage', scoresOrder: 'desc', scoresPage: 2, scoresPageSize: 4 });
    expect(page2.scoresTotal).toBe(6);
    expect(page2.scores).toEqual(byShrinkDesc.slice(4, 6));
    const byIdDesc = await calibrationRaters(wh, { ...JAN, raterId: 'R1', scoresSort: 'employeeId', scoresOrder: 'desc', scoresPageSize: 3 });
    expect(byIdDesc.scores.map((s) => s.employeeId)).toEqual([...all.scores.map((s) => s.employeeId)].sort().reverse().slice(0, 3));
    // Past the end: an empty page, the total still there; no rater: no scores at all.
    expect(await calibrationRaters(wh, { ...JAN, raterId: 'R1', scoresPage: 9 })).toMatchObject({ scores: [], scoresTotal: 6 });
    expect(await calibrationRaters(wh, JAN)).toMatchObject({ scores: [], scoresTotal: 0 });
    await expect(calibrationRaters(wh, { ...JAN, raterId: 'R1', scoresPageSize: 20_001 })).rejects.toThrow();
  });

  it('raters come a page at a time, most lenient (shrunk) first, with the total', async () => {
    const all = await calibrationRaters(wh, { ...JAN, minN: 1, ratersPageSize: 1000 });
    expect(all.ratersTotal).toBe(all.raters.length);
    expect(all.ratersTotal).toBeGreaterThan(2);
    expect(all.raters.map((r) => r.shrunkDiff)).toEqual([...all.raters.map((r) => r.shrunkDiff)].sort((a, b) => b - a));
    const second = await calibrationRaters(wh, { ...JAN, minN: 1, ratersPage: 2, ratersPageSize: 1 });
    expect(second.ratersTotal).toBe(all.ratersTotal);
    expect(second.raters).toEqual([all.raters[1]]);
    // The company figures and the warnings cover every rater, whatever the page.
    expect(second.company).toEqual(all.company);
    expect(second.warnings).toEqual(all.warnings);
    expect((await calibrationRaters(wh, { ...JAN, ratersPage: 99 })).raters).toEqual([]);
    // Sorted over every rater, then paged: by team size ascending (ties by id), and by name.
    const byN = [...all.raters].sort((a, b) => a.n - b.n || (a.rater < b.rater ? -1 : 1));
    const nPage = await calibrationRaters(wh, { ...JAN, minN: 1, ratersSort: 'n', ratersOrder: 'asc', ratersPage: 2, ratersPageSize: 2 });
    expect(nPage.raters).toEqual(byN.slice(2, 4));
    const byName = await calibrationRaters(wh, { ...JAN, minN: 1, ratersSort: 'rater', ratersOrder: 'desc', ratersPageSize: 1000 });
    const names = byName.raters.map((r) => r.raterName ?? r.rater);
    expect(names).toEqual([...names].sort().reverse());
  });
});
