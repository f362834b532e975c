import { studentTQuantile, studentTTwoSidedP } from './distributions.ts';

export interface OlsOptions {
  /** Column names, for messages (e.g. which column is collinear). */
  names?: string[];
  /** Cluster id per observation: standard errors clustered by these (CR1, as Stata's vce(cluster)). */
  clusters?: ReadonlyArray<string | number>;
}

export interface OlsResult {
  coef: number[];
  se: number[];
  t: number[];
  p: number[];
  /** 95% confidence intervals per coefficient. */
  ci: Array<[number, number]>;
  /** Degrees of freedom of the t reference: G − 1 when clustered, n − k otherwise. */
  df: number;
  n: number;
  k: number;
  clusters: number | null;
  seType: 'classical' | 'cluster';
  vcov: number[][];
  residuals: number[];
  r2: number;
}

/**
 * Ordinary least squares y = Xβ + ε. β from the Cholesky factorisation of X'X (k is small in
 * every PerfLens model). Classical SEs use σ² = RSS/(n − k). With `clusters`, the sandwich
 *   V = (X'X)⁻¹ (Σ_g X_g' u_g u_g' X_g) (X'X)⁻¹ · G/(G−1) · (n−1)/(n−k)
 * is used and t statistics are referred to t(G − 1).
 */
export function ols(X: ReadonlyArray<ReadonlyArray<number>>, y: ReadonlyArray<number>, options: OlsOptions = {}): OlsResult {
  const n = X.length;
  const k = X[0]?.length ?? 0;
  if (n !== y.length) throw new RangeError('X and y differ in length');
  if (n <= k) throw new RangeError(`need more observations (${n}) than coefficients (${k})`);
  const xtx: number[][] = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const xty = new Array<number>(k).fill(0);
  for (let i = 0; i < n; i++) {
    const row = X[i]!;
    for (let a = 0; a < k; a++) {
      const va = row[a]!;
      if (va === 0) continue;
      xty[a]! += va * y[i]!;
      for (let b = 0; b <= a; b++) xtx[a]![b]! += va * row[b]!;
    }
  }
  for (let a = 0; a < k; a++) for (let b = a + 1; b < k; b++) xtx[a]![b] = xtx[b]![a]!;
  const inv = invertSpd(xtx, options.names);
  const coef = inv.map((row) => row.reduce((s, v, j) => s + v * xty[j]!, 0));
  const residuals = y.map((yi, i) => yi - X[i]!.reduce((s, v, j) => s + v * coef[j]!, 0));
  const rss = residuals.reduce((s, e) => s + e * e, 0);
  const ybar = y.reduce((a, b) => a + b, 0) / n;
  const tss = y.reduce((s, v) => s + (v - ybar) ** 2, 0);

  let vcov: number[][];
  let df: number;
  let clusters: number | null = null;
  if (options.clusters) {
    if (options.clusters.length !== n) throw new RangeError('one cluster id per observation is required');
    const scores = new Map<string | number, number[]>();
    for (let i = 0; i < n; i++) {
      const g = options.clusters[i]!;
      let s = scores.get(g);
      if (!s) scores.set(g, (s = new Array<number>(k).fill(0)));
      for (let a = 0; a < k; a++) s[a]! += X[i]![a]! * residuals[i]!;
    }
    const G = scores.size;
    if (G < 2) throw new RangeError('clustered standard errors need at least two clusters');
    const meat: number[][] = Array.from({ length: k }, () => new Array<number>(k).fill(0));
    for (const s of scores.values()) for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) meat[a]![b]! += s[a]! * s[b]!;
    const scale = (G / (G - 1)) * ((n - 1) / (n - k));
    vcov = matMul(matMul(inv, meat), inv).map((row) => row.map((v) => v * scale));
    df = G - 1;
    clusters = G;
  } else {
    const sigma2 = rss / (n - k);
    vcov = inv.map((row) => row.map((v) => v * sigma2));
    df = n - k;
  }
  const se = vcov.map((row, i) => Math.sqrt(Math.max(0, row[i]!)));
  const t = coef.map((b, i) => (se[i]! > 0 ? b / se[i]! : Number.NaN));
  const p = t.map((ti) => (Number.isFinite(ti) ? studentTTwoSidedP(ti, df) : Number.NaN));
  const crit = studentTQuantile(0.975, df);
  const ci = coef.map((b, i): [number, number] => [b - crit * se[i]!, b + crit * se[i]!]);
  return { coef, se, t, p, ci, df, n, k, clusters, seType: clusters ? 'cluster' : 'classical', vcov, residuals, r2: tss > 0 ? 1 - rss / tss : 0 };
}

function matMul(a: number[][], b: number[][]): number[][] {
  return a.map((row) => b[0]!.map((_, j) => row.reduce((s, v, m) => s + v * b[m]![j]!, 0)));
}

/** Inverse of a symmetric positive-definite matrix via Cholesky; a (near-)singular matrix names the collinear column. */
export function invertSpd(m: number[][], names?: string[]): number[][] {
  const k = m.length;
  const L: number[][] = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let s = m[i]![j]!;
      for (let p = 0; p < j; p++) s -= L[i]![p]! * L[j]![p]!;
      if (i === j) {
        if (s <= 1e-10 * Math.max(1, m[i]![i]!)) {
          const col = names?.[i] ?? `#${i}`;
          throw new RangeError(`column ${col} is collinear with earlier columns (or constant): the model cannot be estimated`);
        }
        L[i]![i] = Math.sqrt(s);
      } else L[i]![j] = s / L[j]![j]!;
    }
  }
  // inv = L⁻ᵀ L⁻¹
  const Linv: number[][] = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < k; i++) {
    Linv[i]![i] = 1 / L[i]![i]!;
    for (let j = 0; j < i; j++) {
      let s = 0;
      for (let p = j; p < i; p++) s -= L[i]![p]! * Linv[p]![j]!;
      Linv[i]![j] = s / L[i]![i]!;
    }
  }
  const inv: number[][] = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < k; i++)
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let p = i; p < k; p++) s += Linv[p]![i]! * Linv[p]![j]!;
      inv[i]![j] = inv[j]![i] = s;
    }
  return inv;
}
