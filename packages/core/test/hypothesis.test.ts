import { describe, expect, it } from 'vitest';
import { chiSquareIndependence, cliffsDelta, goodnessOfFit, mannWhitneyU } from '../src/stats/index.ts';

// Reference values from SciPy 1.17: mannwhitneyu(method='auto'|'asymptotic'), chi2_contingency(correction=False),
// contingency.association(method='cramer'), chisquare, power_divergence(lambda_='log-likelihood').
const close = (a: number, b: number, tol = 1e-9) => expect(Math.abs(a - b)).toBeLessThanOrEqual(tol);

describe('Mann–Whitney U', () => {
  it('exact for small samples without ties', () => {
    const r = mannWhitneyU([1.1, 2.3, 3.5, 4.2, 5.0], [2.0, 6.1, 7.3, 8.8, 9.4, 10.2]);
    expect(r.method).toBe('exact');
    expect(r.u).toBe(4);
    close(r.p, 0.05194805194805195);
  });
  it('asymptotic with tie correction', () => {
    const r = mannWhitneyU([3, 4, 4, 5, 5, 5, 6, 7, 8, 8, 9], [1, 2, 2, 3, 3, 4, 5, 5, 6]);
    expect(r.method).toBe('asymptotic');
    expect(r.u).toBe(80.5);
    close(r.p, 0.019043172288701775);
  });
  it('asymptotic for larger samples', () => {
    const a = Array.from({ length: 20 }, (_, i) => i);
    const b = Array.from({ length: 15 }, (_, i) => i + 3.5);
    const r = mannWhitneyU(a, b);
    expect(r.u).toBe(135);
    close(r.p, 0.6288590757223551);
  });
  it('identical samples give p = 1', () => {
    expect(mannWhitneyU([5, 5, 5], [5, 5, 5, 5]).p).toBe(1);
  });
});

describe("Cliff's delta", () => {
  it('matches the pair count by hand', () => {
    const x = [3, 4, 4, 5, 5, 5, 6, 7, 8, 8, 9];
    const y = [1, 2, 2, 3, 3, 4, 5, 5, 6];
    let more = 0;
    let less = 0;
    for (const a of x) for (const b of y) a > b ? more++ : a < b ? less++ : 0;
    close(cliffsDelta(x, y), (more - less) / (x.length * y.length), 1e-12);
    expect(cliffsDelta([1, 2], [3, 4])).toBe(-1);
  });
});

describe('chi-square tests', () => {
  it('independence with Cramér V', () => {
    const r = chiSquareIndependence([
      [20, 15, 5],
      [10, 25, 25],
    ]);
    close(r.chi2, 15.79861111111111);
    expect(r.df).toBe(2);
    close(r.p, 0.0003710010906678793);
    close(r.cramersV, 0.39747466725706065);
  });
  it('drops empty rows and columns', () => {
    const r = chiSquareIndependence([
      [20, 0, 15, 5],
      [0, 0, 0, 0],
      [10, 0, 25, 25],
    ]);
    close(r.chi2, 15.79861111111111);
    expect(r.df).toBe(2);
  });
  it('goodness of fit to a guideline: chi-square and G', () => {
    const r = goodnessOfFit([12, 18, 45, 20, 5], [0.1, 0.2, 0.5, 0.15, 0.05]);
    close(r.chi2, 2.7666666666666666);
    close(r.pChi2, 0.5976002270091616);
    close(r.g, 2.6075752882400316);
    close(r.pG, 0.6254817826968526);
    expect(r.expected).toEqual([10, 20, 50, 15, 5]);
    expect(r.df).toBe(4);
  });
});
