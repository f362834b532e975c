import { describe, expect, it } from 'vitest';
import {
  betaInc,
  chiSquareSf,
  largestRemainder,
  logGamma,
  mean,
  midRanks,
  normalCdf,
  normalQuantile,
  quantile,
  sd,
  studentTCdf,
  studentTQuantile,
  studentTTwoSidedP,
  variance,
} from '../src/stats/index.ts';

// Reference values computed independently with SciPy 1.17 (scipy.stats / scipy.special).
const close = (actual: number, expected: number, rel = 1e-9) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.max(1e-300, Math.abs(expected)));

describe('special functions and distributions vs SciPy', () => {
  it('normal', () => {
    close(normalCdf(1.96), 0.9750021048517795);
    close(normalCdf(-3.5), 0.00023262907903552502);
    close(normalCdf(-8), 6.22096057427174e-16, 1e-7);
    close(normalQuantile(0.975), 1.959963984540054);
    close(normalQuantile(1e-6), -4.753424308822899);
    close(normalQuantile(0.3), -0.5244005127080409);
  });
  it('chi-square upper tail', () => {
    close(chiSquareSf(3.841458820694124, 1), 0.04999999999999989);
    close(chiSquareSf(11.07, 5), 0.050009618622405425);
    close(chiSquareSf(0.5, 4), 0.9735009788392561);
    close(chiSquareSf(150, 100), 0.0009039320423540184);
  });
  it('Student t', () => {
    close(studentTCdf(2.228, 10), 0.9749941140914443);
    close(studentTCdf(-1.5, 3.7), 0.10679908460100675);
    close(studentTTwoSidedP(2.0, 30), 0.054625044962983094);
    close(studentTQuantile(0.975, 10), 2.228138851986274);
    close(studentTQuantile(0.025, 4.5), -2.658912347204404);
  });
  it('log-gamma and incomplete beta', () => {
    close(logGamma(0.5), 0.5723649429247);
    close(logGamma(100.3), 360.5147057290581);
    close(betaInc(0.3, 2.5, 4), 0.3521975859067672);
  });
});

describe('descriptive statistics', () => {
  it('mean and sample sd of a textbook sample', () => {
    // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, population sd 2, sample variance 32/7.
    const xs = [2, 4, 4, 4, 5, 5, 7, 9];
    expect(mean(xs)).toBe(5);
    close(variance(xs), 32 / 7);
    close(sd(xs), Math.sqrt(32 / 7));
    expect(Number.isNaN(variance([1]))).toBe(true);
  });
  it('type-7 quantiles', () => {
    const xs = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1];
    close(quantile(xs, 0.1), 1.9);
    close(quantile(xs, 0.9), 9.1);
    expect(quantile(xs, 0.5)).toBe(5.5);
    expect(quantile([42], 0.9)).toBe(42);
  });
  it('mid-ranks with tie sizes', () => {
    const { ranks, tieSizes } = midRanks([3, 1, 3, 2, 3]);
    expect(Array.from(ranks)).toEqual([4, 1, 4, 2, 4]);
    expect(tieSizes).toEqual([3]);
  });
});

describe('largest-remainder apportionment', () => {
  it('N=19 with 10/20/40/20/10', () => {
    // quotas 1.9 3.8 7.6 3.8 1.9 → floors 1 3 7 3 1 (15); 4 seats to remainders .9 .9 .8 .8
    expect(largestRemainder(19, [10, 20, 40, 20, 10])).toEqual([2, 4, 7, 4, 2]);
  });
  it('10/20/50/15/5 on 100 and on 7', () => {
    expect(largestRemainder(100, [0.1, 0.2, 0.5, 0.15, 0.05])).toEqual([10, 20, 50, 15, 5]);
    // quotas .7 1.4 3.5 1.05 .35 → floors 0 1 3 1 0 (5); remainders .7 .5 .4 .35 .05 → A, C
    expect(largestRemainder(7, [0.1, 0.2, 0.5, 0.15, 0.05])).toEqual([1, 1, 4, 1, 0]);
  });
  it('does not lose a seat to binary round-off', () => {
    expect(largestRemainder(100, [0.29, 0.71])).toEqual([29, 71]);
  });
  it('breaks equal remainders by larger share, then input order', () => {
    expect(largestRemainder(1, [1, 1])).toEqual([1, 0]);
    expect(largestRemainder(3, [20, 70, 10])).toEqual([1, 2, 0]); // .6 2.1 .3 → 0 2 0; +1 to .6
    // .5 1 .5 → 0 1 0; one seat left, the two .5 remainders have equal shares → first wins
    expect(largestRemainder(2, [1, 2, 1])).toEqual([1, 1, 0]);
  });
  it('sums to the total for tiny groups and random shares', () => {
    for (let n = 0; n < 40; n++) {
      const shares = [((n * 7) % 5) + 1, ((n * 3) % 4) + 1, 2, (n % 3) + 1, 1];
      const seats = largestRemainder(n, shares);
      expect(seats.reduce((a, b) => a + b, 0)).toBe(n);
      seats.forEach((s, i) => expect(Math.abs(s - (n * shares[i]!) / shares.reduce((a, b) => a + b))).toBeLessThan(1));
    }
  });
  it('rejects impossible input', () => {
    expect(() => largestRemainder(-1, [1])).toThrow(RangeError);
    expect(() => largestRemainder(3, [0, 0])).toThrow(RangeError);
    expect(() => largestRemainder(3, [])).toThrow(RangeError);
  });
});
