import { z } from 'zod';
import { mean, midRanks, quantileSorted } from '../stats/descriptive.ts';

/**
 * Rater normalisation methods. All map a score back to the company scale, so the result reads
 * like a score and can be graded by the usual bands:
 * - `zscore`: M + S·(x − m_r)/s_r (company mean M and sd S; rater mean m_r and sd s_r). A rater
 *   with fewer than two scores or no spread falls back to mean-centring;
 * - `centre`: x − (m_r − M);
 * - `percentile`: the company quantile (type 7) at the Hazen position (mid-rank − ½)/n_r of x within
 *   its rater;
 * - `shrinkage`: x − λ_r·(m_r − M) with λ_r = τ² / (τ² + σ²/n_r): the rater's leniency is
 *   partially pooled toward zero by the size of the team (one-way random-effects, method of
 *   moments: σ² the pooled within-rater variance, τ² the between-rater variance
 *   (Σ n_r (m_r − M)² − (R − 1)σ²) / (N − Σ n_r²/N), floored at 0).
 */
export const NORMALISATION_METHODS = ['zscore', 'centre', 'percentile', 'shrinkage'] as const;
export type NormalisationMethod = (typeof NORMALISATION_METHODS)[number];
export const normalisationMethodSchema = z.enum(NORMALISATION_METHODS);

export interface RatedScore {
  rater: string;
  score: number;
}

export interface RaterStats {
  rater: string;
  n: number;
  mean: number;
  /** Sample sd; null with one score. */
  sd: number | null;
  /** m_r − M. */
  diff: number;
  /** diff / (S/√n): how many standard errors the rater sits from the company mean. */
  z: number;
  /** λ_r of the shrinkage estimate, 0–1. */
  shrinkFactor: number;
  /** λ_r · diff: the leniency the shrinkage method removes. */
  shrunkDiff: number;
  lowN: boolean;
}

export interface NormalisationResult {
  company: { n: number; mean: number; sd: number; withinVar: number; betweenVar: number };
  raters: RaterStats[];
  /** Adjusted score per input row (input order), per method. */
  adjusted: Record<NormalisationMethod, number[]>;
}

/** Rater leniency statistics and every normalisation of every score, side by side with the raw one. */
export function normaliseByRater(rows: readonly RatedScore[], minN = 5): NormalisationResult {
  const N = rows.length;
  if (N === 0) throw new RangeError('no scores to normalise / 没有可标准化的评分');
  const all = rows.map((r) => r.score);
  const M = mean(all);
  const S = N > 1 ? Math.sqrt(all.reduce((a, x) => a + (x - M) ** 2, 0) / (N - 1)) : 0;
  const byRater = new Map<string, number[]>();
  rows.forEach((r, i) => {
    const list = byRater.get(r.rater);
    if (list) list.push(i);
    else byRater.set(r.rater, [i]);
  });
  const R = byRater.size;
  let within = 0;
  let between = 0;
  let sumN2 = 0;
  const stat = new Map<string, { n: number; m: number; s: number | null }>();
  for (const [rater, idx] of byRater) {
    const xs = idx.map((i) => all[i]!);
    const m = mean(xs);
    const ss = xs.reduce((a, x) => a + (x - m) ** 2, 0);
    within += ss;
    between += xs.length * (m - M) ** 2;
    sumN2 += xs.length ** 2;
    stat.set(rater, { n: xs.length, m, s: xs.length > 1 ? Math.sqrt(ss / (xs.length - 1)) : null });
  }
  const withinVar = N > R ? within / (N - R) : 0;
  const denom = N - sumN2 / N;
  const betweenVar = denom > 0 ? Math.max(0, (between - (R - 1) * withinVar) / denom) : 0;
  const lambda = (n: number) => (betweenVar > 0 ? betweenVar / (betweenVar + withinVar / n) : 0);

  const sortedAll = Float64Array.from(all).sort();
  const adjusted: Record<NormalisationMethod, number[]> = {
    zscore: new Array(N),
    centre: new Array(N),
    percentile: new Array(N),
    shrinkage: new Array(N),
  };
  const raters: RaterStats[] = [];
  for (const [rater, idx] of byRater) {
    const { n, m, s } = stat.get(rater)!;
    const diff = m - M;
    const lam = lambda(n);
    const { ranks } = midRanks(idx.map((i) => all[i]!));
    idx.forEach((i, k) => {
      const x = all[i]!;
      adjusted.centre[i] = x - diff;
      adjusted.zscore[i] = s && s > 0 ? M + (S * (x - m)) / s : x - diff;
      adjusted.percentile[i] = quantileSorted(sortedAll, (ranks[k]! - 0.5) / n);
      adjusted.shrinkage[i] = x - lam * diff;
    });
    raters.push({
      rater,
      n,
      mean: m,
      sd: s,
      diff,
      z: S > 0 ? diff / (S / Math.sqrt(n)) : 0,
      shrinkFactor: lam,
      shrunkDiff: lam * diff,
      lowN: n < minN,
    });
  }
  raters.sort((a, b) => b.z - a.z || (a.rater < b.rater ? -1 : 1));
  return { company: { n: N, mean: M, sd: S, withinVar, betweenVar }, raters, adjusted };
}
