import { describe, expect, it } from 'vitest';
import { normaliseByRater, normaliseRaterScores, raterStatsFromSums, type RatedScore, type RaterSums } from '../src/calibration/index.ts';
import { mulberry32 } from '../src/stats/bootstrap.ts';

/*
 * calibration.raters sums per rater in the database and hands raterStatsFromSums a few numbers per
 * rater, then normalises only the chosen rater's scores (normaliseRaterScores). Both must give
 * what normaliseByRater gives over every score: the statistics to rounding, the adjusted scores
 * (percentile included, read from value counts) to rounding as well.
 */
function company(seed: number): RatedScore[] {
  const r = mulberry32(seed);
  const rows: RatedScore[] = [];
  const raters = 3 + Math.floor(r() * 12);
  for (let k = 0; k < raters; k++) {
    const lean = (r() - 0.5) * 12;
    const people = 1 + Math.floor(r() * 30);
    const months = 1 + Math.floor(r() * 6);
    for (let p = 0; p < people; p++) {
      const person = (r() - 0.5) * 10;
      // Some people only some months, so clusters differ in size.
      for (let m = 0; m < months; m++)
        if (m === 0 || r() < 0.8)
          // Two decimals, and every few scores a round one: ties within and across raters.
          rows.push({ rater: `R${k}`, ratee: `E${k}-${p}`, score: r() < 0.3 ? Math.round(75 + lean + person) : Math.round((75 + lean + person + (r() - 0.5) * 8) * 100) / 100 });
    }
  }
  return rows;
}

function sums(rows: readonly RatedScore[]): RaterSums[] {
  const by = new Map<string, { n: number; sum: number; sumSq: number; people: Map<string, [number, number]> }>();
  for (const x of rows) {
    const s = by.get(x.rater) ?? { n: 0, sum: 0, sumSq: 0, people: new Map() };
    s.n++;
    s.sum += x.score;
    s.sumSq += x.score * x.score;
    const c = s.people.get(x.ratee!) ?? [0, 0];
    c[0]++;
    c[1] += x.score;
    s.people.set(x.ratee!, c);
    by.set(x.rater, s);
  }
  return [...by].map(([rater, s]) => {
    const m = s.sum / s.n;
    let ss = 0;
    for (const [c, t] of s.people.values()) ss += (t - c * m) ** 2;
    return { rater, n: s.n, sum: s.sum, sumSq: s.sumSq, ratees: s.people.size, rateeSS: ss };
  });
}

function valueCounts(rows: readonly RatedScore[]): { values: number[]; counts: number[] } {
  const m = new Map<number, number>();
  for (const x of rows) m.set(x.score, (m.get(x.score) ?? 0) + 1);
  const values = [...m.keys()].sort((a, b) => a - b);
  return { values, counts: values.map((v) => m.get(v)!) };
}

const close = (a: number | null, b: number | null) => {
  if (a === null || b === null) expect(a).toBe(b);
  else expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(b)));
};

describe('rater statistics from per-rater sums', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`seed ${seed}: the same company figures, raters, order and normalisations as over every score`, () => {
      const rows = company(seed);
      const full = normaliseByRater(rows, 10);
      const fromSums = raterStatsFromSums(sums(rows), 10);
      for (const k of ['n', 'mean', 'sd', 'withinVar', 'betweenVar'] as const) close(fromSums.company[k], full.company[k]);
      expect(fromSums.raters.map((x) => x.rater)).toEqual(full.raters.map((x) => x.rater));
      fromSums.raters.forEach((x, i) => {
        const y = full.raters[i]!;
        expect([x.n, x.ratees, x.lowN, x.level]).toEqual([y.n, y.ratees, y.lowN, y.level]);
        for (const k of ['mean', 'sd', 'diff', 'z', 'shrinkFactor', 'shrunkDiff'] as const) close(x[k], y[k]);
        close(x.shrunkCi[0], y.shrunkCi[0]);
        close(x.shrunkCi[1], y.shrunkCi[1]);
      });
      // Every rater's scores, normalised on their own, against the same rows of the full result.
      const vc = valueCounts(rows);
      for (const rater of fromSums.raters) {
        const idx = rows.flatMap((x, i) => (x.rater === rater.rater ? [i] : []));
        const adjusted = normaliseRaterScores(idx.map((i) => rows[i]!.score), rater, fromSums.company, vc);
        for (const method of ['zscore', 'centre', 'percentile', 'shrinkage'] as const)
          idx.forEach((i, k) => close(adjusted[method][k]!, full.adjusted[method][i]!));
      }
    });
  }

  it('a single score and a rater without spread: sd null, zscore falls back to centring, percentile at the Hazen position', () => {
    const rows: RatedScore[] = [
      { rater: 'A', ratee: 'a1', score: 70 },
      { rater: 'B', ratee: 'b1', score: 80 },
      { rater: 'B', ratee: 'b2', score: 80 },
      { rater: 'C', ratee: 'c1', score: 60 },
      { rater: 'C', ratee: 'c2', score: 90 },
    ];
    const s = raterStatsFromSums(sums(rows), 5);
    const a = s.raters.find((x) => x.rater === 'A')!;
    expect(a.sd).toBeNull();
    expect(a.z).toBe(0);
    const b = s.raters.find((x) => x.rater === 'B')!;
    expect(b.sd).toBe(0);
    const adj = normaliseRaterScores([80, 80], b, s.company, valueCounts(rows));
    expect(adj.zscore).toEqual(adj.centre);
    // Company 60 70 80 80 90; B's two tied scores have mid-rank 1.5 → p = 0.5 → the median, 80.
    expect(adj.percentile).toEqual([80, 80]);
    // The company mean is 76: A's 70 is centred to 76.
    expect(normaliseRaterScores([70], a, s.company, valueCounts(rows)).centre).toEqual([76]);
  });
});
