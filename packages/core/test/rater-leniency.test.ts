import { describe, expect, it } from 'vitest';
import { normaliseByRater, raterShrinkage, type RatedScore } from '../src/calibration/index.ts';

/*
 * Rater leniency is ranked and coloured by the shrinkage estimate with an interval; z is only a
 * test statistic, with the people rated as clusters. A deterministic company: rater BIG rates 400
 * people for 12 months each, +2 points; SMALL rates 4 people for 12 months, +6; thirty neutral raters
 * rate 20 people each. Person effects are shared by all of a person's months (repeated measures).
 */
function company(): RatedScore[] {
  const rows: RatedScore[] = [];
  const wiggle = (a: number, b: number) => ((((a * 7919 + b * 104729) % 97) + 97) % 97) / 97 - 0.5; // in [−0.5, 0.5)
  let person = 0;
  const team = (rater: string, people: number, bias: number) => {
    for (let p = 0; p < people; p++, person++) {
      const effect = 12 * wiggle(person, 1); // ±6 points per person, every month
      for (let m = 0; m < 12; m++) rows.push({ rater, ratee: `P${person}`, score: 75 + bias + effect + 4 * wiggle(person, m + 2) });
    }
  };
  team('BIG', 400, 2);
  team('SMALL', 4, 6);
  for (let k = 0; k < 30; k++) team(`N${k}`, 20, k % 2 === 0 ? -0.5 : 0.5);
  return rows;
}

describe('rater leniency: shrinkage ranking, ratee-clustered z', () => {
  const rows = company();
  const r = normaliseByRater(rows, 5);
  const big = r.raters.find((x) => x.rater === 'BIG')!;
  const small = r.raters.find((x) => x.rater === 'SMALL')!;
  const naiveZ = (x: { diff: number; n: number }) => x.diff / (r.company.sd / Math.sqrt(x.n));

  it('ranks by the shrunk leniency: SMALL (+6 on 4 people) above BIG (+2 on 400), though the old row-level z said the opposite', () => {
    expect(naiveZ(big)).toBeGreaterThan(naiveZ(small)); // the old ranking key
    expect(r.raters[0]!.rater).toBe('SMALL');
    expect(r.raters[1]!.rater).toBe('BIG');
    expect(small.shrunkDiff).toBeGreaterThan(big.shrunkDiff);
  });

  it('the interval and the colour level come from the shrinkage estimate', () => {
    for (const x of r.raters) {
      expect(x.shrunkCi[0]).toBeLessThanOrEqual(x.shrunkDiff);
      expect(x.shrunkCi[1]).toBeGreaterThanOrEqual(x.shrunkDiff);
      expect(x.level).toBe(x.shrunkCi[0] > 0 ? 'lenient' : x.shrunkCi[1] < 0 ? 'severe' : 'neutral');
    }
    expect(small.level).toBe('lenient');
    // Hand formula: λ·d ± 1.96·√(λσ²/n).
    const lam = small.shrinkFactor;
    const half = 1.959963984540054 * Math.sqrt((lam * r.company.withinVar) / small.n);
    expect(small.shrunkCi[0]).toBeCloseTo(lam * small.diff - half, 10);
  });

  it('z clusters by person: 4,800 monthly ratings of 400 people are 400 clusters, not 4,800 independent scores', () => {
    expect(big.ratees).toBe(400);
    expect(small.ratees).toBe(4);
    // Row-level z grows with √n; the clustered one is far smaller for the big team.
    expect(Math.abs(big.z)).toBeLessThan(naiveZ(big) / 2);
    // By hand for SMALL: SE = √(G/(G−1)·Σ_j (Σ_i (x_i − m))²) / n.
    const xs = rows.filter((x) => x.rater === 'SMALL');
    const m = xs.reduce((a, x) => a + x.score, 0) / xs.length;
    const byP = new Map<string, number>();
    for (const x of xs) byP.set(x.ratee!, (byP.get(x.ratee!) ?? 0) + x.score - m);
    const se = Math.sqrt((4 / 3) * [...byP.values()].reduce((a, v) => a + v * v, 0)) / xs.length;
    expect(small.z).toBeCloseTo(small.diff / se, 10);
  });

  it('raterShrinkage from moments equals the row-level computation', () => {
    const by = new Map<string, number[]>();
    for (const x of rows) by.set(x.rater, [...(by.get(x.rater) ?? []), x.score]);
    const moments = [...by.values()].map((v) => {
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      return { n: v.length, mean, m2: v.reduce((a, b) => a + (b - mean) ** 2, 0) };
    });
    const s = raterShrinkage(moments);
    expect(s.withinVar).toBeCloseTo(r.company.withinVar, 9);
    expect(s.betweenVar).toBeCloseTo(r.company.betweenVar, 9);
    const i = [...by.keys()].indexOf('SMALL');
    expect(s.raters[i]!.shrunk).toBeCloseTo(small.shrunkDiff, 9);
  });
});
