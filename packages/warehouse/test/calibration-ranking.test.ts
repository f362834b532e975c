import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GRADES, groupQuota, normaliseByRater, rankGroup, sharesGuidelineSchema, type TieRule } from '@perflens/core';
import { Warehouse } from '../src/index.ts';
import { rankingForced } from '../src/queries/ranking-forced.ts';
import { FEB_SCORES, JAN_SCORES, id, loadCalibrationFixture, raterOf, supervisorScore } from './calibration.fixture.ts';

let dir: string;
let wh: Warehouse;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perflens-cal-'));
  wh = await Warehouse.open({ path: join(dir, 'cal.duckdb') });
  await loadCalibrationFixture(wh);
});
afterAll(() => {
  wh.close();
  rmSync(dir, { recursive: true, force: true });
});

const JAN = { from: '2024-01', minGroupSize: 5, people: { limit: 5000 } } as const;

describe('ranking.forced on the hand-made fixture', () => {
  it('quotas by largest remainder, the small team pooled into its parent, better-grade ties', async () => {
    const r = await rankingForced(wh, JAN);
    expect(r.groups.map((g) => [g.key, g.n, g.orgUnitIds])).toEqual([
      ['D1', 12, ['D1']],
      ['D2', 10, ['D2', 'T']],
    ]);
    // 12 × 10/20/50/15/5 = 1.2/2.4/6/1.8/0.6 → 1/2/6/1/0 + D (.8), E (.6).
    expect(r.groups[0]!.quota).toEqual({ A: 1, B: 2, C: 6, D: 2, E: 1 });
    // 88, 88 sit at positions 3–4 across the 良/中 boundary: both take 良.
    expect(r.groups[0]!.proposed).toEqual({ A: 1, B: 3, C: 5, D: 2, E: 1 });
    expect(r.groups[0]!.over).toEqual({ A: 0, B: 1, C: -1, D: 0, E: 0 });
    const d1 = r.people.rows.filter((p) => p.groupKey === 'D1').map((p) => p.proposedGrade).join('');
    expect(d1).toBe('ABBBCCCCCDDE');
    // Recorded (bands): 95 A, 90 88 88 85 B, 80 78 75 75 C, 70 65 D, 55 E → only E05 (85) moves, B → C.
    expect(r.people.rows.filter((p) => p.changed && p.groupKey === 'D1').map((p) => p.employeeId)).toEqual(['E05']);
    // D2 + T: 10 people, quota 1/2/5/2/0; E20 (68, recorded D) is 8th → 中.
    expect(r.groups[1]!.quota).toEqual({ A: 1, B: 2, C: 5, D: 2, E: 0 });
    expect(r.people.rows.filter((p) => p.changed && p.groupKey === 'D2').map((p) => `${p.employeeId}:${p.recordedGrade}>${p.proposedGrade}`)).toEqual(['E20:D>C']);
    expect(r.totals).toEqual({ n: 22, changed: 2, flagged: 0, unscored: 1 });
    expect(r.warnings.map((w) => w.code)).toEqual(['unscored', 'over-quota']);
  });

  it('flag rule keeps the quota and marks the tied pair; page filters', async () => {
    const r = await rankingForced(wh, { ...JAN, tieRule: 'flag', people: { onlyFlagged: true } });
    expect(r.people.rows.map((p) => `${p.employeeId}:${p.proposedGrade}`)).toEqual(['E03:B', 'E04:C']);
    expect(r.groups[0]!.proposed).toEqual(r.groups[0]!.quota);
    const page = await rankingForced(wh, { ...JAN, people: { groupKey: 'D2', limit: 3, offset: 2 } });
    expect([page.people.total, page.people.rows.map((p) => p.position)]).toEqual([10, [3, 4, 5]]);
  });

  it('without pooling the team is its own group; company grouping ranks everyone together', async () => {
    const r = await rankingForced(wh, { ...JAN, minGroupSize: 1 });
    expect(r.groups.map((g) => [g.key, g.n])).toEqual([
      ['D1', 12],
      ['D2', 8],
      ['T', 2],
    ]);
    // 22 × shares = 2.2/4.4/11/3.3/1.1 → floors 2/4/11/3/1 = 21, the last seat to 良 (.4).
    const c = await rankingForced(wh, { ...JAN, grouping: 'company' });
    expect(c.groups.map((g) => [g.key, g.n, Object.values(g.quota)])).toEqual([['company', 22, [2, 5, 11, 3, 1]]]);
    // A root group below the minimum stays on its own, with a bilingual warning.
    const small = await rankingForced(wh, { ...JAN, grouping: 'company', minGroupSize: 30 });
    expect(small.warnings.find((w) => w.code === 'small-group')!.zh).toContain('22 人');
  });

  it('department-linked quotas keep company totals (HR sets D1 优秀, D2 from its mean score)', async () => {
    const r = await rankingForced(wh, { ...JAN, departmentLinked: { grades: { D1: 'A' } } });
    // Company 22: 2.2/4.4/11/3.3/1.1 → 2/4/11/3/1 + B (.4)? remainders .2 .4 0 .3 .1 → B → 2/5/11/3/1.
    // D2 mean = (92+86+84+80+79+77+72+68+66+61)/10 = 76.5 → 77 → 中 (×0.5). 优: 12×1.5 : 10×0.5 = 18 : 5
    // → 2 × 18/23 = 1.565, 0.435 → 1/0, the seat to D1 (.565) → D1 2, D2 0.
    const sums = GRADES.map((g) => r.groups.reduce((a, x) => a + x.quota[g], 0));
    expect(sums).toEqual([2, 5, 11, 3, 1]);
    expect(r.groups.map((g) => [g.key, g.departmentGrade, g.departmentGradeSource, g.quota.A])).toEqual([
      ['D1', 'A', 'hr', 2],
      ['D2', 'C', 'score', 0],
    ]);
    for (const g of r.groups) expect(Object.values(g.quota).reduce((a, b) => a + b, 0)).toBe(g.n);
  });

  it.each(['better', 'flag', 'secondary'] as TieRule[])('SQL matches the core reference on tied data (%s)', async (rule) => {
    const r = await rankingForced(wh, {
      from: '2024-02',
      minGroupSize: 1,
      tieRule: rule,
      secondaryKpi: 'K1',
      people: { limit: 5000 },
    });
    const g = sharesGuidelineSchema.parse({ mode: 'shares', shares: { A: 10, B: 20, C: 50, D: 15, E: 5 } });
    for (const grp of r.groups) {
      const rows = r.people.rows.filter((p) => p.groupKey === grp.key);
      const people = rows.map((p) => {
        const k = Number(p.employeeId.slice(1));
        const hire = Date.UTC(2010 + (k % 13), k % 9, 15);
        const tenureDays = Math.round((Date.UTC(2024, 1, 1) - hire) / 86_400_000);
        return { id: p.employeeId, score: p.score, secondary: [k % 3 !== 0 ? (k * 11) % 7 : null, tenureDays] };
      });
      const quota = groupQuota(rows.length, g);
      expect(Object.values(grp.quota)).toEqual(quota);
      const ref = rankGroup(people, quota, rule);
      expect(rows.map((p) => p.proposedGrade)).toEqual(ref.grades);
      expect(rows.map((p) => p.flagged)).toEqual(ref.flagged);
    }
    expect(new Set(FEB_SCORES).size).toBeLessThan(FEB_SCORES.length); // the data really has ties
  });

  it.each(['centre', 'zscore', 'shrinkage'] as const)('rater-normalised scores equal the core normalisation (%s)', async (method) => {
    const r = await rankingForced(wh, { ...JAN, scoreSource: 'normalised', normalisation: method });
    const ks = JAN_SCORES.map((s, i) => (s === null ? null : i + 1)).filter((k): k is number => k !== null);
    const ref = normaliseByRater(ks.map((k) => ({ rater: raterOf(k), score: supervisorScore(k, JAN_SCORES[k - 1]!) })));
    const expected = new Map(
      ks.map((k, i) => {
        const x = supervisorScore(k, JAN_SCORES[k - 1]!);
        return [id(k), JAN_SCORES[k - 1]! - (x - ref.adjusted[method][i]!)];
      }),
    );
    expect(r.people.rows).toHaveLength(22);
    for (const p of r.people.rows) expect(p.rankingScore).toBeCloseTo(expected.get(p.employeeId)!, 9);
  });

  it('rejects department-linked quotas with a non-org-unit grouping, bilingually', async () => {
    await expect(rankingForced(wh, { ...JAN, grouping: 'role', departmentLinked: {} })).rejects.toThrow(/org unit.*部门关联/s);
  });
});
