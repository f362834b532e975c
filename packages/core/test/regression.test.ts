import { describe, expect, it } from 'vitest';
import { ols } from '../src/stats/index.ts';

// Reference: the same formulas evaluated independently with NumPy/SciPy (np.linalg.inv, scipy.stats.t).
const Y = [
  52.001, 52.599, 52.326, 57.509, 58.245, 58.008, 52.56, 54.14, 52.608, 58.28, 59.69, 59.857, 53.105, 52.37, 53.571, 60.095, 58.356,
  59.542, 49.599, 50.51, 50.258, 53.665, 52.933, 54.771, 52.157, 52.113, 50.083, 53.861, 54.651, 55.113, 50.97, 52.322, 52.121,
  54.091, 56.261, 54.692,
];
// 6 units × 6 periods; units 0–2 treated, periods 3–5 after the change.
const unit = Y.map((_, i) => Math.floor(i / 6));
const treated = unit.map((u) => (u < 3 ? 1 : 0));
const post = Y.map((_, i) => (i % 6 >= 3 ? 1 : 0));
const X = Y.map((_, i) => [1, treated[i]!, post[i]!, treated[i]! * post[i]!]);
const close = (a: number, b: number, tol = 1e-9) => expect(Math.abs(a - b)).toBeLessThanOrEqual(tol);

describe('OLS', () => {
  it('classical standard errors', () => {
    const r = ols(X, Y);
    [51.12588888888891, 1.6829999999999994, 3.3227777777777767, 2.7107777777777784].forEach((b, i) => close(r.coef[i]!, b));
    [0.3073429364009455, 0.4346485489577887, 0.4346485489577887, 0.614685872801891].forEach((s, i) => close(r.se[i]!, s));
    expect(r.df).toBe(32);
  });

  it('cluster-robust (CR1) standard errors with t(G−1)', () => {
    const r = ols(X, Y, { clusters: unit });
    [0.4789692701295097, 0.5335764492183799, 0.16435891638442238, 0.2595608708550126].forEach((s, i) => close(r.se[i]!, s));
    expect(r.clusters).toBe(6);
    expect(r.df).toBe(5);
    close(r.p[3]!, 0.00013876753662730318, 1e-12);
    close(r.ci[3]![0], 2.04355531791594);
    close(r.ci[3]![1], 3.378000237639617);
  });

  it('the interaction equals the difference of the four cell means on a balanced panel', () => {
    const cell = (tr: number, po: number) => {
      const ys = Y.filter((_, i) => treated[i] === tr && post[i] === po);
      return ys.reduce((a, b) => a + b, 0) / ys.length;
    };
    const did = cell(1, 1) - cell(1, 0) - (cell(0, 1) - cell(0, 0));
    close(ols(X, Y).coef[3]!, did, 1e-10);
  });

  it('names a collinear column', () => {
    const bad = X.map((row) => [...row, row[1]!]);
    expect(() => ols(bad, Y, { names: ['const', 'treated', 'post', 'did', 'treated_copy'] })).toThrow(/treated_copy is collinear/);
  });
});
