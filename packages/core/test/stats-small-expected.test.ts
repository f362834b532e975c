import { describe, expect, it } from 'vitest';
import { chiSquareIndependence, goodnessOfFit } from '../src/stats/index.ts';

/* Defect 3: the small-expected-count caveat fired on round-off. */
describe('small expected counts are compared with a tolerance', () => {
  // Guideline percentages → fractions → renormalised: 100 × 0.05 comes out as 4.999999999999999.
  const pct = [16, 56, 5, 23];
  const once = pct.map((p) => p / 100);
  const twice = once.map((p) => p / once.reduce((a, b) => a + b, 0));
  it('goodness of fit: an expected 4.999… is not below 5', () => {
    const r = goodnessOfFit([16, 56, 5, 23], twice);
    expect(r.expected[2]).toBeLessThan(5); // the round-off is real …
    expect(r.expected[2]).toBeCloseTo(5, 12);
    expect(r.smallExpectedShare).toBe(0); // … and no longer raises the caveat
  });
  it('a genuinely small expected count still counts', () => {
    expect(goodnessOfFit([16, 56, 5, 23], [0.16, 0.56, 0.049, 0.231]).smallExpectedShare).toBe(0.25);
  });
  it('contingency tables use the same rule', () => {
    // Row sums 20 and 80, column sums 25 and 75: expected 5, 15, 20, 60 exactly — no caveat.
    expect(chiSquareIndependence([[5, 15], [20, 60]]).smallExpectedShare).toBe(0);
    expect(chiSquareIndependence([[1, 3], [20, 60]]).smallExpectedShare).toBe(0.5);
  });
});
