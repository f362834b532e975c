import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { roundHalfUp, roundMoney } from '../src/index.ts';

/**
 * The rule as a user reads it, in exact decimal digits: take the number as written (JS's
 * shortest round-trip decimal), keep `digits` decimals and round half away from zero on the
 * first dropped digit. Slow (strings, BigInt) but plainly right. (Parsing the shifted string,
 * Number('10520.394999999999e2'), is not: it gives 1052039.5 and so a wrong round-up.)
 */
function byWrittenDecimal(x: number, d: number): number {
  if (!Number.isFinite(x)) return x;
  const [mantissa, exp = '0'] = String(Math.abs(x)).split('e');
  const [int, frac = ''] = mantissa!.split('.');
  let digits = int! + frac;
  let point = int!.length + Number(exp);
  if (point < 0) {
    digits = '0'.repeat(-point) + digits;
    point = 0;
  }
  digits = digits.padEnd(point + d + 1, '0');
  const kept = BigInt(digits.slice(0, point + d) || '0') + (Number(digits[point + d]) >= 5 ? 1n : 0n);
  const r = Number(`${kept}e-${d}`);
  return x < 0 ? -r : r;
}

/** The neighbouring doubles of x, `steps` ulps away. */
function ulps(x: number, steps: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  view.setBigInt64(0, view.getBigInt64(0) + BigInt(steps));
  return view.getFloat64(0);
}

describe('roundHalfUp', () => {
  it.each([
    [1.005, 1.01], // 1.00499999999999989… in binary
    [2.675, 2.68],
    [1.015, 1.02],
    [0.125, 0.13],
    [80.345, 80.35],
    [692.625, 692.63],
    [4000.005, 4000.01],
    [-1.005, -1.01],
    [-2.5, -2.5],
    [0.045, 0.05],
    [12.344999999, 12.34],
    [0.29, 0.29], // 0.29 × 100 is 28.999999999999996
    [10520.394999999999, 10520.39], // written with 17 digits, just below the half step
    [1e-7, 0],
    [0, 0],
  ])('%d → %d', (x, r) => {
    expect(roundHalfUp(x, 2)).toBe(r);
  });

  it('keeps NaN and infinities, and gives +0 for −0 and tiny negatives', () => {
    expect(roundHalfUp(Number.NaN)).toBeNaN();
    expect(roundHalfUp(Infinity)).toBe(Infinity);
    expect(roundHalfUp(-Infinity)).toBe(-Infinity);
    expect(Object.is(roundHalfUp(-0), 0)).toBe(true);
    expect(roundHalfUp(-0.004)).toBeCloseTo(0, 12);
  });

  it('rounds other digit counts: 0.5 → 1, 2.5 → 3 (never to even), 1.0005 → 1.001', () => {
    expect(roundHalfUp(0.5, 0)).toBe(1);
    expect(roundHalfUp(2.5, 0)).toBe(3);
    expect(roundHalfUp(1.0005, 3)).toBe(1.001);
    expect(roundMoney(0.015)).toBe(0.02);
  });

  it('agrees with rounding the written decimal for any double (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e9, max: 1e9, noNaN: true }), fc.integer({ min: 0, max: 4 }), (x, d) => {
        expect(roundHalfUp(x, d)).toBe(byWrittenDecimal(x, d));
      }),
      { numRuns: 20_000 },
    );
  });

  it('agrees with it at and a few ulps around every kind of half step (property)', () => {
    // Half steps k.5 / 100 as written (1.005, 40.315 …) and their binary neighbours: the
    // cases where x × 100 lands within rounding error of .5.
    fc.assert(
      fc.property(fc.integer({ min: -10_000_000, max: 10_000_000 }), fc.integer({ min: -3, max: 3 }), (k, step) => {
        const half = ulps(Number(`${k}.5e-2`), step);
        expect(roundHalfUp(half, 2)).toBe(byWrittenDecimal(half, 2));
      }),
      { numRuns: 20_000 },
    );
  });
});
