import { chiSquareSf, normalTwoSidedP } from './distributions.ts';
import { midRanks } from './descriptive.ts';

export interface MannWhitneyResult {
  /** U of the first sample: the number of (x, y) pairs with x > y, ties counting ½. */
  u: number;
  n1: number;
  n2: number;
  /** Normal-approximation statistic (tie-corrected variance, continuity-corrected); null when exact. */
  z: number | null;
  p: number;
  method: 'exact' | 'asymptotic';
}

/**
 * Two-sided Mann–Whitney U test. Exact (permutation distribution of U) when both samples are
 * small (n1, n2 ≤ 8, as SciPy's 'auto') and there are no ties; otherwise the normal
 * approximation with the tie-corrected variance
 *   σ² = n1·n2/12 · ((n+1) − Σ(t³ − t) / (n(n−1)))
 * and a continuity correction of ½ — the same as scipy.stats.mannwhitneyu(..., method='auto').
 */
export function mannWhitneyU(x: ArrayLike<number>, y: ArrayLike<number>): MannWhitneyResult {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) throw new RangeError('both samples need at least one value');
  const all = new Float64Array(n1 + n2);
  for (let i = 0; i < n1; i++) all[i] = x[i]!;
  for (let j = 0; j < n2; j++) all[n1 + j] = y[j]!;
  const { ranks, tieSizes } = midRanks(all);
  let r1 = 0;
  for (let i = 0; i < n1; i++) r1 += ranks[i]!;
  const u = r1 - (n1 * (n1 + 1)) / 2;
  const n = n1 + n2;
  if (tieSizes.length === 0 && n1 <= 8 && n2 <= 8) {
    const counts = exactUCounts(n1, n2);
    const total = counts.reduce((a, b) => a + b, 0);
    const uMax = Math.max(u, n1 * n2 - u);
    let upper = 0;
    for (let k = uMax; k <= n1 * n2; k++) upper += counts[k]!;
    return { u, n1, n2, z: null, p: Math.min(1, (2 * upper) / total), method: 'exact' };
  }
  const tieTerm = tieSizes.reduce((s, t) => s + (t ** 3 - t), 0);
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  const mu = (n1 * n2) / 2;
  if (variance <= 0) return { u, n1, n2, z: 0, p: 1, method: 'asymptotic' };
  const diff = Math.abs(u - mu) - 0.5;
  const z = Math.max(0, diff) / Math.sqrt(variance);
  return { u, n1, n2, z: u >= mu ? z : -z, p: Math.min(1, normalTwoSidedP(z)), method: 'asymptotic' };
}

/** Number of arrangements giving each U value, for samples of n1 and n2 distinct values. */
function exactUCounts(n1: number, n2: number): number[] {
  // f[i][j][u]: arrangements of i x's and j y's with U = u. Built bottom-up.
  const max = n1 * n2;
  let prev: number[][] = Array.from({ length: n2 + 1 }, () => new Array<number>(max + 1).fill(0));
  for (let j = 0; j <= n2; j++) prev[j]![0] = 1; // i = 0: U is 0
  for (let i = 1; i <= n1; i++) {
    const cur: number[][] = Array.from({ length: n2 + 1 }, () => new Array<number>(max + 1).fill(0));
    cur[0]![0] = 1;
    for (let j = 1; j <= n2; j++)
      for (let k = 0; k <= max; k++)
        // The largest value is an x (beats all j y's: +j) or a y (adds nothing).
        cur[j]![k] = (k >= j ? prev[j]![k - j]! : 0) + cur[j - 1]![k]!;
    prev = cur;
  }
  return prev[n2]!;
}

/** Cliff's delta = P(X > Y) − P(X < Y), in [−1, 1]; computed from U as 2U/(n1·n2) − 1. */
export function cliffsDelta(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const { u, n1, n2 } = mannWhitneyU(x, y);
  return (2 * u) / (n1 * n2) - 1;
}

/**
 * The "expected count below 5" caveat compares with a relative tolerance: expected counts are
 * n·share, and shares that were normalised (often twice: guideline percentages → fractions →
 * renormalised) land a few ulps below the intended 5 (4.999999999999999), which is not "below 5".
 */
export const SMALL_EXPECTED = 5;
export const isSmallExpected = (e: number): boolean => e < SMALL_EXPECTED * (1 - 1e-9);

export interface ContingencyResult {
  chi2: number;
  df: number;
  p: number;
  cramersV: number;
  n: number;
  expected: number[][];
  /** Share of cells with an expected count below 5 (the usual caveat when above 20%). */
  smallExpectedShare: number;
}

/**
 * Pearson's chi-square test of independence on an r×c table of counts (no Yates correction),
 * with Cramér's V = √(χ² / (n·(min(r, c) − 1))). Rows or columns that are all zero are dropped,
 * since they carry no information and would divide by zero.
 */
export function chiSquareIndependence(table: number[][]): ContingencyResult {
  const rowsKept = table.filter((r) => r.reduce((a, b) => a + b, 0) > 0);
  const cols = rowsKept[0]?.length ?? 0;
  const colKeep = Array.from({ length: cols }, (_, j) => rowsKept.some((r) => r[j]! > 0));
  const t = rowsKept.map((r) => r.filter((_, j) => colKeep[j]));
  const r = t.length;
  const c = t[0]?.length ?? 0;
  const rowSum = t.map((row) => row.reduce((a, b) => a + b, 0));
  const colSum = Array.from({ length: c }, (_, j) => t.reduce((a, row) => a + row[j]!, 0));
  const n = rowSum.reduce((a, b) => a + b, 0);
  const expected = t.map((_, i) => colSum.map((cs) => (rowSum[i]! * cs) / n));
  let chi2 = 0;
  let small = 0;
  for (let i = 0; i < r; i++)
    for (let j = 0; j < c; j++) {
      const e = expected[i]![j]!;
      chi2 += (t[i]![j]! - e) ** 2 / e;
      if (isSmallExpected(e)) small++;
    }
  const df = (r - 1) * (c - 1);
  const k = Math.min(r, c) - 1;
  return {
    chi2,
    df,
    p: df > 0 ? chiSquareSf(chi2, df) : 1,
    cramersV: k > 0 && n > 0 ? Math.sqrt(chi2 / (n * k)) : 0,
    n,
    expected,
    smallExpectedShare: r * c > 0 ? small / (r * c) : 0,
  };
}

export interface GoodnessOfFitResult {
  chi2: number;
  g: number;
  df: number;
  pChi2: number;
  pG: number;
  n: number;
  expected: number[];
  smallExpectedShare: number;
}

/**
 * Goodness of fit of observed counts to expected proportions: Pearson's χ² = Σ(O−E)²/E and the
 * likelihood-ratio G = 2·Σ O·ln(O/E) (cells with O = 0 contribute 0), both on k − 1 degrees of
 * freedom. Categories with an expected share of 0 must have no observations (else χ² is infinite).
 */
export function goodnessOfFit(observed: readonly number[], proportions: readonly number[]): GoodnessOfFitResult {
  if (observed.length !== proportions.length) throw new RangeError('observed and proportions differ in length');
  const n = observed.reduce((a, b) => a + b, 0);
  const pSum = proportions.reduce((a, b) => a + b, 0);
  const expected = proportions.map((p) => (n * p) / pSum);
  let chi2 = 0;
  let g = 0;
  let small = 0;
  for (let i = 0; i < observed.length; i++) {
    const o = observed[i]!;
    const e = expected[i]!;
    if (e === 0) {
      if (o > 0) chi2 = g = Number.POSITIVE_INFINITY;
      continue;
    }
    chi2 += (o - e) ** 2 / e;
    if (o > 0) g += 2 * o * Math.log(o / e);
    if (isSmallExpected(e)) small++;
  }
  const df = expected.filter((e) => e > 0).length - 1;
  return {
    chi2,
    g,
    df,
    pChi2: df > 0 ? chiSquareSf(chi2, df) : 1,
    pG: df > 0 ? chiSquareSf(g, df) : 1,
    n,
    expected,
    smallExpectedShare: small / observed.length,
  };
}
