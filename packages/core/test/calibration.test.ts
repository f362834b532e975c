import { describe, expect, it } from 'vitest';
import {
  InfeasibleGuidelineError,
  adverseImpact,
  boundedApportion,
  departmentLinkedQuotas,
  exactMultinomialP,
  groupQuota,
  guidelineSchema,
  normaliseByRater,
  poolSmallUnits,
  rankGroup,
  sharesGuidelineSchema,
} from '../src/calibration/index.ts';
import { goodnessOfFit } from '../src/stats/index.ts';

const shares = (a: number, b: number, c: number, d: number, e: number) =>
  sharesGuidelineSchema.parse({ mode: 'shares', shares: { A: a, B: b, C: c, D: d, E: e } });
const G1050 = shares(10, 20, 50, 15, 5);

describe('quotas', () => {
  it('N=19 with 10/20/40/20/10: floors 1,3,7,3,1 and the 4 seats left go to .9,.9,.8,.8 (A before E, B before D)', () => {
    expect(groupQuota(19, shares(10, 20, 40, 20, 10))).toEqual([2, 4, 7, 4, 2]);
  });

  it('tiny groups still sum to their headcount', () => {
    // n=3: 0.3,0.6,1.5,0.45,0.15 → floors 0,0,1,0,0; remainders .6 (B) .5 (C) .45 (D) → B, C.
    expect(groupQuota(3, G1050)).toEqual([0, 1, 2, 0, 0]);
    expect(groupQuota(1, G1050)).toEqual([0, 0, 1, 0, 0]);
    expect(groupQuota(0, G1050)).toEqual([0, 0, 0, 0, 0]);
  });

  it('ranges keep the observed mix and clamp only what breaks a bound', () => {
    const g = guidelineSchema.parse({ mode: 'ranges', ranges: { A: { max: 0.1 }, E: { min: 0.05 } } });
    // n=20: A ≤ 2, E ≥ 1. Observed 5/5/8/2/0 → clamp 2/5/8/2/1 = 18; the 2 seats left go to the
    // equal gaps (B, C, D all 0) by larger observed share: C, then B.
    expect(groupQuota(20, g, [5, 5, 8, 2, 0])).toEqual([2, 6, 9, 2, 1]);
    // A mix inside the bounds is left alone.
    expect(groupQuota(20, g, [2, 5, 10, 2, 1])).toEqual([2, 5, 10, 2, 1]);
  });

  it('infeasible ranges fail with a bilingual message naming the group', () => {
    const g = guidelineSchema.parse({ mode: 'ranges', ranges: { A: { min: 0.6 }, B: { min: 0.6 } } });
    expect(() => groupQuota(10, g, [1, 1, 1, 1, 1], '销售部')).toThrow(InfeasibleGuidelineError);
    expect(() => groupQuota(10, g, [1, 1, 1, 1, 1], '销售部')).toThrow(/销售部.*校准组「销售部」/s);
  });

  it('boundedApportion removes seats from the most over-target category', () => {
    // targets 1.2, 1.2, 0.6 with lo 1,1,1: clamp gives 1,1,1 = 3 > 2 → remove where t − c is smallest (the third).
    expect(boundedApportion(2, [1.2, 1.2, 0.6], [0, 0, 0], [2, 2, 2])).toEqual([1, 1, 0]);
  });

  it('department-linked quotas: strong departments get more 优, company totals still match the guideline', () => {
    const r = departmentLinkedQuotas(
      [
        { key: 'X', n: 20, grade: 'A' },
        { key: 'Y', n: 20, grade: 'B' },
        { key: 'Z', n: 20, grade: 'C' },
      ],
      G1050,
    );
    // Company 60: 6/12/30/9/3. 优 by 20×1.5 : 20×1 : 20×0.5 → 3/2/1. 良 by remaining 17:18:19 of 12 →
    // 3.78/4/4.22 → 3/4/4 + the seat to X (.78). 中 by 13:14:15 of 30 → 9.29/10/10.71 → Z gets the seat.
    // 基本合格 by 4:4:4 of 9 → 3 each; 不合格 takes the last 1 each.
    expect(r.company).toEqual([6, 12, 30, 9, 3]);
    expect(r.perDepartment.get('X')).toEqual([3, 4, 9, 3, 1]);
    expect(r.perDepartment.get('Y')).toEqual([2, 4, 10, 3, 1]);
    expect(r.perDepartment.get('Z')).toEqual([1, 4, 11, 3, 1]);
    const colSums = [0, 1, 2, 3, 4].map((g) => [...r.perDepartment.values()].reduce((a, q) => a + q[g]!, 0));
    expect(colSums).toEqual(r.company);
  });

  it('department-linked quotas hold both margins on uneven departments', () => {
    const depts = [
      { key: 'a', n: 7, grade: 'A' as const },
      { key: 'b', n: 13, grade: 'C' as const },
      { key: 'c', n: 2, grade: 'A' as const },
      { key: 'd', n: 41, grade: 'E' as const },
    ];
    const r = departmentLinkedQuotas(depts, G1050);
    for (const d of depts) expect(r.perDepartment.get(d.key)!.reduce((a, b) => a + b, 0)).toBe(d.n);
    const colSums = [0, 1, 2, 3, 4].map((g) => [...r.perDepartment.values()].reduce((a, q) => a + q[g]!, 0));
    expect(colSums).toEqual(r.company);
  });
});

describe('rankGroup', () => {
  const people = (scores: number[]) => scores.map((score, i) => ({ id: `E${String(i).padStart(2, '0')}`, score }));

  it('N=19 distinct scores fill the quotas best first', () => {
    const r = rankGroup(people(Array.from({ length: 19 }, (_, i) => 100 - i)), [2, 4, 7, 4, 2], 'better');
    expect(r.grades.join('')).toBe('AABBBBCCCCCCCDDDDEE');
    expect(r.flagged.some(Boolean)).toBe(false);
  });

  it('all-equal scores: better → everyone 优 (over quota); flag → all flagged, quotas kept in id order', () => {
    const ps = people(new Array(10).fill(80));
    const q = groupQuota(10, G1050); // 1, 2, 5, 1.5→?, 0.5 → [1,2,5,2,0] (D's larger share wins the .5 tie)
    expect(q).toEqual([1, 2, 5, 2, 0]);
    const better = rankGroup(ps, q, 'better');
    expect(better.counts).toEqual([10, 0, 0, 0, 0]);
    const flag = rankGroup(ps, q, 'flag');
    expect(flag.counts).toEqual([1, 2, 5, 2, 0]);
    expect(flag.grades.join('')).toBe('ABBCCCCCDD');
    expect(flag.flagged.every(Boolean)).toBe(true);
    expect(rankGroup(ps, q, 'secondary').flagged.every(Boolean)).toBe(true);
  });

  it('a tie at a boundary: better lifts both, secondary uses the KPI then tenure, flag marks them', () => {
    const ps = [
      { id: 'p1', score: 90 },
      { id: 'p2', score: 85, secondary: [null, 400] },
      { id: 'p3', score: 85, secondary: [95, 100] },
      { id: 'p4', score: 80 },
      { id: 'p5', score: 70 },
    ];
    const q = [1, 1, 2, 1, 0];
    expect(rankGroup(ps, q, 'better').grades.join('')).toBe('ABBCD');
    expect(rankGroup(ps, q, 'better').counts).toEqual([1, 2, 1, 1, 0]);
    const sec = rankGroup(ps, q, 'secondary');
    expect(sec.grades.join('')).toBe('ACBCD'); // p3 has the KPI score, p2 none → p3 first
    expect(sec.flagged.some(Boolean)).toBe(false);
    const tenureOnly = rankGroup(
      ps.map((p) => (p.secondary ? { ...p, secondary: [null, p.secondary[1]!] } : p)),
      q,
      'secondary',
    );
    expect(tenureOnly.grades.join('')).toBe('ABCCD'); // p2 has the longer tenure
    const flag = rankGroup(ps, q, 'flag');
    expect(flag.grades.join('')).toBe('ABCCD');
    expect(flag.flagged).toEqual([false, true, true, false, false]);
  });

  it('rejects quotas that do not match the headcount', () => {
    expect(() => rankGroup(people([1, 2]), [1, 0, 0, 0, 0], 'better')).toThrow(RangeError);
  });
});

describe('poolSmallUnits', () => {
  it('pools small teams up the tree, deepest first', () => {
    const units = [
      { id: 'HQ', parentId: null },
      { id: 'D1', parentId: 'HQ' },
      { id: 'T1', parentId: 'D1' },
      { id: 'T2', parentId: 'D1' },
      { id: 'D2', parentId: 'HQ' },
    ];
    const counts = new Map([
      ['T1', 3],
      ['T2', 12],
      ['HQ', 2],
      ['D2', 10],
    ]);
    const r = poolSmallUnits(units, counts, 10);
    // T1 (3) → D1 (3, still small) → HQ (2 + 3 = 5, the root: stays, reported small).
    expect(Object.fromEntries(r.groupOf)).toEqual({ T1: 'HQ', T2: 'T2', HQ: 'HQ', D2: 'D2' });
    expect(r.stillSmall).toEqual(['HQ']);
  });
});

describe('normaliseByRater (hand-computed)', () => {
  // R1: 80, 90; R2: 70, 74, 78; R3: 85. Company mean 79.5, variance 263.5/5 = 52.7.
  const rows = [
    { rater: 'R1', score: 80 },
    { rater: 'R1', score: 90 },
    { rater: 'R2', score: 70 },
    { rater: 'R2', score: 74 },
    { rater: 'R2', score: 78 },
    { rater: 'R3', score: 85 },
  ];
  const r = normaliseByRater(rows, 2);
  const S = Math.sqrt(52.7);

  it('company and rater statistics', () => {
    expect(r.company.mean).toBeCloseTo(79.5, 12);
    expect(r.company.sd).toBeCloseTo(S, 12);
    // within: (25 + 25) + (16 + 0 + 16) = 82 on 6 − 3 df; between: 6 × 5.5² = 181.5;
    // τ² = (181.5 − 2·82/3) / (6 − 14/6) = 380.5/11.
    expect(r.company.withinVar).toBeCloseTo(82 / 3, 12);
    expect(r.company.betweenVar).toBeCloseTo(380.5 / 11, 12);
    const r1 = r.raters.find((x) => x.rater === 'R1')!;
    expect([r1.n, r1.mean, r1.diff, r1.lowN]).toEqual([2, 85, 5.5, false]);
    expect(r1.sd).toBeCloseTo(Math.sqrt(50), 12);
    // Without ratee ids every score is its own cluster: SE = √(2/1 · 50)/2 = 5.
    expect(r1.z).toBeCloseTo(5.5 / 5, 12);
    expect(r1.ratees).toBe(2);
    expect(r.raters.map((x) => x.rater)).toEqual(['R1', 'R3', 'R2']); // by shrunk leniency
    expect(r.raters.find((x) => x.rater === 'R3')!.lowN).toBe(true);
  });

  it('mean-centring and z-score back on the company scale', () => {
    expect(r.adjusted.centre).toEqual([74.5, 84.5, 75.5, 79.5, 83.5, 79.5]);
    const z = r.adjusted.zscore;
    expect(z[0]).toBeCloseTo(79.5 - S / Math.sqrt(2), 12);
    expect(z[1]).toBeCloseTo(79.5 + S / Math.sqrt(2), 12);
    expect(z[2]).toBeCloseTo(79.5 - S, 12); // (70 − 74)/4 = −1
    expect(z[3]).toBeCloseTo(79.5, 12);
    expect(z[5]).toBeCloseTo(79.5, 12); // one score: falls back to centring
  });

  it('percentile within rater mapped to the company quantile', () => {
    // Company sorted 70 74 78 80 85 90. R1 80 → p .25 → h 1.25 → 75; 90 → p .75 → h 3.75 → 83.75.
    // R2 → p 1/6, 1/2, 5/6 → 73.333…, 79, 85.833…; R3 → p .5 → 79.
    const p = r.adjusted.percentile;
    [75, 83.75, 70 + (5 / 6) * 4, 79, 85 + (1 / 6) * 5, 79].forEach((v, i) => expect(p[i]).toBeCloseTo(v, 10));
  });

  it('shrinkage pulls small teams less far', () => {
    const tau2 = 380.5 / 11;
    const s2 = 82 / 3;
    const lam = (n: number) => tau2 / (tau2 + s2 / n);
    expect(r.adjusted.shrinkage[0]).toBeCloseTo(80 - lam(2) * 5.5, 12);
    expect(r.adjusted.shrinkage[2]).toBeCloseTo(70 + lam(3) * 5.5, 12);
    expect(r.adjusted.shrinkage[5]).toBeCloseTo(85 - lam(1) * 5.5, 12);
    expect(lam(1)).toBeLessThan(lam(3));
  });

  it('no between-rater variance means no shrinkage adjustment', () => {
    const same = normaliseByRater([
      { rater: 'a', score: 70 },
      { rater: 'a', score: 90 },
      { rater: 'b', score: 70 },
      { rater: 'b', score: 90 },
    ]);
    expect(same.company.betweenVar).toBe(0);
    expect(same.adjusted.shrinkage).toEqual([70, 90, 70, 90]);
  });
});

describe('goodness of fit vs SciPy (1e-6)', () => {
  const p = [0.1, 0.2, 0.5, 0.15, 0.05];
  it('chi-square and G on a small department', () => {
    // scipy.stats.chisquare / power_divergence(lambda_="log-likelihood") on [4,3,2,1,0].
    const r = goodnessOfFit([4, 3, 2, 1, 0], p);
    expect(Math.abs(r.chi2 - 11.966666666666667)).toBeLessThan(1e-6);
    expect(Math.abs(r.pChi2 - 0.017600869484439983)).toBeLessThan(1e-6);
    expect(Math.abs(r.g - 9.04705239389516)).toBeLessThan(1e-6);
    expect(Math.abs(r.pG - 0.059934095018962505)).toBeLessThan(1e-6);
  });
  it('exact multinomial p (enumerated with scipy.stats.multinomial.pmf)', () => {
    expect(Math.abs(exactMultinomialP([4, 3, 2, 1, 0], p)! - 0.03295427187500004)).toBeLessThan(1e-6);
    expect(Math.abs(exactMultinomialP([1, 2, 5, 2, 0], p)! - 0.9763750000000011)).toBeLessThan(1e-6);
    expect(Math.abs(exactMultinomialP([0, 0, 12, 0, 0], p)! - 0.03148736260937506)).toBeLessThan(1e-6);
    expect(exactMultinomialP([100, 100, 100, 100, 100], p)).toBeNull();
  });
});

describe('adverseImpact', () => {
  it('four-fifths rule against the best group with enough people', () => {
    const r = adverseImpact(
      [
        { key: 'F', n: 50, top: 5 },
        { key: 'M', n: 40, top: 6 },
        { key: 'X', n: 2, top: 2 },
      ],
      5,
    );
    // Reference is M (15%), not X (100%, only 2 people). F: 10% / 15% = 0.667 < 0.8.
    expect(r.map((x) => [x.key, x.ratio === null ? null : +x.ratio.toFixed(4), x.adverse, x.lowN])).toEqual([
      ['F', 0.6667, true, false],
      ['M', 1, false, false],
      ['X', 6.6667, false, true],
    ]);
  });
});
