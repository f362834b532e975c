import { invertSpd, type OlsResult } from '../stats/regression.ts';
import { studentTQuantile, studentTTwoSidedP } from '../stats/distributions.ts';

/**
 * Newey–West lag rule: L = ⌊4·(T/100)^(2/9)⌋ (Newey & West 1994's rate T^(2/9) with the usual
 * constant, as Stock & Watson's textbook and many packages): 3 for T = 36, 2 for T = 12; never
 * below 1.
 */
export function neweyWestLag(T: number): number {
  return Math.max(1, Math.floor(4 * (T / 100) ** (2 / 9)));
}

/**
 * OLS with Newey–West (HAC) standard errors for a time series in time order:
 *   S = Σ_t u_t² x_t x_t′ + Σ_{l=1..L} w_l Σ_t u_t u_{t−l} (x_t x_{t−l}′ + x_{t−l} x_t′),  w_l = 1 − l/(L+1) (Bartlett),
 *   V = (X′X)⁻¹ S (X′X)⁻¹ · T/(T−k),
 * t statistics against t(T − k): statsmodels OLS(...).fit(cov_type='HAC', cov_kwds={'maxlags': L,
 * 'use_correction': True}, use_t=True).
 */
export function olsHac(X: ReadonlyArray<ReadonlyArray<number>>, y: ReadonlyArray<number>, lag: number, options: { names?: string[] } = {}): OlsResult {
  const n = X.length;
  const k = X[0]?.length ?? 0;
  if (n <= k) throw new RangeError(`need more observations (${n}) than coefficients (${k})`);
  const xtx = Array.from({ length: k }, (_, a) => Array.from({ length: k }, (_, b) => X.reduce((s, r) => s + r[a]! * r[b]!, 0)));
  const inv = invertSpd(xtx, options.names);
  const xty = Array.from({ length: k }, (_, a) => X.reduce((s, r, i) => s + r[a]! * y[i]!, 0));
  const coef = inv.map((row) => row.reduce((s, v, j) => s + v * xty[j]!, 0));
  const residuals = y.map((yi, i) => yi - X[i]!.reduce((s, v, j) => s + v * coef[j]!, 0));
  const S = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let l = 0; l <= Math.min(lag, n - 1); l++) {
    const w = l === 0 ? 1 : 1 - l / (lag + 1);
    for (let t = l; t < n; t++) {
      const uu = w * residuals[t]! * residuals[t - l]!;
      const xt = X[t]!;
      const xs = X[t - l]!;
      for (let a = 0; a < k; a++)
        for (let b = 0; b < k; b++) S[a]![b]! += l === 0 ? uu * xt[a]! * xt[b]! : uu * (xt[a]! * xs[b]! + xs[a]! * xt[b]!);
    }
  }
  const mul = (A: number[][], B: number[][]) => A.map((row) => B[0]!.map((_, j) => row.reduce((s, v, m) => s + v * B[m]![j]!, 0)));
  const corr = n / (n - k);
  const vcov = mul(mul(inv, S), inv).map((row) => row.map((v) => v * corr));
  const df = n - k;
  const se = vcov.map((row, i) => Math.sqrt(Math.max(0, row[i]!)));
  const t = coef.map((b, i) => (se[i]! > 0 ? b / se[i]! : Number.NaN));
  const p = t.map((ti) => (Number.isFinite(ti) ? studentTTwoSidedP(ti, df) : Number.NaN));
  const crit = studentTQuantile(0.975, df);
  const ci = coef.map((b, i): [number, number] => [b - crit * se[i]!, b + crit * se[i]!]);
  const rss = residuals.reduce((s, e) => s + e * e, 0);
  const ybar = y.reduce((a, b) => a + b, 0) / n;
  const tss = y.reduce((s, v) => s + (v - ybar) ** 2, 0);
  return { coef, se, t, p, ci, df, n, k, clusters: null, seType: 'classical', vcov, residuals, r2: tss > 0 ? 1 - rss / tss : 0 };
}
