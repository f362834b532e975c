import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { binCounts, boxFromCounts, mean, quantile, quantilesFromCounts, sd, summariseCounts } from '../src/stats/index.ts';

/** Frequency table of a sample, ascending. */
function tabulate(xs: number[]): { values: number[]; counts: number[] } {
  const m = new Map<number, number>();
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
  const values = [...m.keys()].sort((a, b) => a - b);
  return { values, counts: values.map((v) => m.get(v)!) };
}

describe('statistics from value counts', () => {
  it('gives the textbook figures for 1..10', () => {
    const vc = tabulate([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const s = summariseCounts(vc)!;
    expect([s.n, s.min, s.max]).toEqual([10, 1, 10]);
    expect(s.mean).toBeCloseTo(5.5, 12);
    expect(s.sd).toBeCloseTo(Math.sqrt(82.5 / 9), 12);
    // R: quantile(1:10, c(.1,.25,.5,.75,.9)) → 1.90 3.25 5.50 7.75 9.10
    const q = quantilesFromCounts(vc, [0.1, 0.25, 0.5, 0.75, 0.9]);
    [1.9, 3.25, 5.5, 7.75, 9.1].forEach((x, i) => expect(q[i]).toBeCloseTo(x, 12));
  });

  it('interpolates across a tie block and handles one observation and an empty table', () => {
    // 20 58 70 73 77 80 86 90 99 100 as in the box-plot fixture: q1 70.75, median 78.5, q3 89.
    const vc = tabulate([58, 73, 77, 86, 99, 100, 90, 80, 70, 20]);
    expect(quantilesFromCounts(vc, [0.25, 0.5, 0.75])).toEqual([70.75, 78.5, 89]);
    const box = boxFromCounts(vc)!;
    // IQR 18.25 → lower fence 43.375: 20 is the only outlier and 58 the lower whisker.
    expect([box.lowerWhisker, box.upperWhisker, box.outliers]).toEqual([58, 100, 1]);
    expect(quantilesFromCounts(tabulate([7, 7, 7, 9]), [0.5, 0.75, 1])).toEqual([7, 7.5, 9]);
    expect(summariseCounts(tabulate([4]))).toEqual({ n: 1, mean: 4, sd: null, min: 4, max: 4 });
    expect(summariseCounts({ values: [], counts: [] })).toBeNull();
    expect(boxFromCounts({ values: [], counts: [] })).toBeNull();
  });

  it('agrees with the same statistics over the expanded sample', () => {
    const sample = fc.array(fc.integer({ min: 0, max: 400 }).map((i) => i / 4), { minLength: 1, maxLength: 300 });
    fc.assert(
      fc.property(sample, fc.double({ min: 0, max: 1, noNaN: true }), (xs, p) => {
        const vc = tabulate(xs);
        const s = summariseCounts(vc)!;
        expect(s.n).toBe(xs.length);
        expect(s.mean).toBeCloseTo(mean(xs), 9);
        if (xs.length > 1) expect(s.sd!).toBeCloseTo(sd(xs), 9);
        expect(quantilesFromCounts(vc, [p])[0]).toBeCloseTo(quantile(xs, p), 9);
      }),
      { numRuns: 300 },
    );
  });

  it('bins on the reported edges, with the maximum in the last bin and values outside left out', () => {
    const vc = tabulate([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(binCounts(vc, 0, 10, 5)).toEqual([1, 2, 2, 2, 3]);
    expect(binCounts(vc, 3, 8, 5)).toEqual([1, 1, 1, 1, 2]);
    // (3 − 0.7) / 0.1 floors to 22 although the edge 0.7 + 23·0.1 is exactly 3.
    const lo = 0.7;
    const w = (10.7 - lo) / 100;
    const bins = binCounts(vc, lo, 10.7, 100);
    for (let v = 1; v <= 10; v++) {
      const i = bins.findIndex((_, j) => lo + j * w <= v && v < lo + (j + 1) * w);
      expect(bins[i], `score ${v}`).toBe(1);
    }
    expect(bins.reduce((a, b) => a + b, 0)).toBe(10);
  });
});
