import { betaInc } from '../stats/special.ts';

/**
 * Upper tail P(F ≥ f) of Fisher's F(d1, d2): I_{d2/(d2 + d1·f)}(d2/2, d1/2), the regularised
 * incomplete beta already used by the t distribution.
 */
export function fSf(f: number, d1: number, d2: number): number {
  if (!(f > 0)) return 1;
  return betaInc(d2 / (d2 + d1 * f), d2 / 2, d1 / 2);
}

/**
 * Solves A·x = b for a small symmetric matrix by Gaussian elimination with partial pivoting;
 * null when A is (numerically) singular — e.g. a cluster-robust covariance of more
 * coefficients than there are clusters, whose rank is at most G − 1.
 */
export function solve(A: ReadonlyArray<ReadonlyArray<number>>, b: ReadonlyArray<number>): number[] | null {
  const n = b.length;
  const m = A.map((row, i) => [...row, b[i]!]);
  const scale = Math.max(...A.map((row, i) => Math.abs(row[i]!)), 0);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    if (Math.abs(m[p]![c]!) <= 1e-12 * Math.max(scale, Number.MIN_VALUE)) return null;
    [m[c], m[p]] = [m[p]!, m[c]!];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r]![c]! / m[c]![c]!;
      if (f === 0) continue;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  return m.map((row, i) => row[n]! / row[i]!);
}

export interface WaldTest {
  /** W = b'V⁻¹b over the tested coefficients. */
  wald: number;
  /** F = W / q, referred to F(q, df). */
  f: number;
  q: number;
  df: number;
  p: number;
}

/**
 * Joint Wald test that the coefficients `idx` are all zero, in its F form (W/q against F(q, df),
 * df the residual — or, when clustered, G − 1 — degrees of freedom of the regression), as
 * Stata's `test` after `regress`. Null when the covariance block is singular.
 */
export function waldTest(coef: readonly number[], vcov: ReadonlyArray<ReadonlyArray<number>>, idx: readonly number[], df: number): WaldTest | null {
  const q = idx.length;
  if (q === 0) return null;
  const b = idx.map((i) => coef[i]!);
  const V = idx.map((i) => idx.map((j) => vcov[i]![j]!));
  const x = solve(V, b);
  if (!x) return null;
  const wald = b.reduce((s, v, i) => s + v * x[i]!, 0);
  const f = wald / q;
  return { wald, f, q, df, p: fSf(f, q, df) };
}
