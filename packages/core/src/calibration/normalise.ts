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
  /** The person rated: their scores from one rater are one cluster (repeated measures). */
  ratee?: string;
}

export interface RaterStats {
  rater: string;
  n: number;
  mean: number;
  /** Sample sd; null with one score. */
  sd: number | null;
  /** m_r − M. */
  diff: number;
  /**
   * Test statistic only (never a ranking): diff / SE with the SE clustered by ratee — a
   * supervisor's monthly ratings of the same people are not independent —
   * SE = √(G/(G−1) · Σ_j (Σ_{i∈j} (x_i − m_r))²) / n_r over the G people rated. 0 with fewer than two ratees.
   */
  z: number;
  /** People rated (the clusters of z). */
  ratees: number;
  /** λ_r of the shrinkage estimate, 0–1. */
  shrinkFactor: number;
  /** λ_r · diff: the leniency the shrinkage method removes — the ranking and colouring key. */
  shrunkDiff: number;
  /** 95% interval of the shrunk leniency: λ·diff ± 1.96·√(λ·σ²/n) (the empirical-Bayes posterior sd). */
  shrunkCi: [number, number];
  /** lenient / severe when the interval excludes 0, else neutral. */
  level: 'lenient' | 'severe' | 'neutral';
  lowN: boolean;
}

export interface RaterMoments {
  n: number;
  mean: number;
  /** Σ(x − mean)² of the rater's scores. */
  m2: number;
}

/**
 * Method-of-moments variance components of the one-way random-effects model (σ² pooled within
 * raters, τ² between, floored at 0) and each rater's shrinkage λ_r = τ² / (τ² + σ²/n_r),
 * shrunk leniency λ_r·(m_r − M) and its 95% interval λ_r·d ± 1.96·√(λ_r·σ²/n_r) — the posterior
 * sd given σ² and τ² (τ²(1 − λ) = λσ²/n), which ignores their own estimation error.
 */
export function raterShrinkage(raters: readonly RaterMoments[]): {
  mean: number;
  withinVar: number;
  betweenVar: number;
  raters: Array<{ diff: number; lambda: number; shrunk: number; ci: [number, number]; level: RaterStats['level'] }>;
} {
  const N = raters.reduce((a, r) => a + r.n, 0);
  const R = raters.length;
  const M = raters.reduce((a, r) => a + r.n * r.mean, 0) / N;
  let within = 0;
  let between = 0;
  let sumN2 = 0;
  for (const r of raters) {
    within += r.m2;
    between += r.n * (r.mean - M) ** 2;
    sumN2 += r.n * r.n;
  }
  const withinVar = N > R ? within / (N - R) : 0;
  const denom = N - sumN2 / N;
  const betweenVar = denom > 0 ? Math.max(0, (between - (R - 1) * withinVar) / denom) : 0;
  return {
    mean: M,
    withinVar,
    betweenVar,
    raters: raters.map((r) => {
      const diff = r.mean - M;
      const lambda = betweenVar > 0 ? betweenVar / (betweenVar + withinVar / r.n) : 0;
      const shrunk = lambda * diff;
      const half = 1.959963984540054 * Math.sqrt((lambda * withinVar) / r.n);
      const ci: [number, number] = [shrunk - half, shrunk + half];
      return { diff, lambda, shrunk, ci, level: ci[0] > 0 ? 'lenient' : ci[1] < 0 ? 'severe' : 'neutral' };
    }),
  };
}

/** diff / SE clustered by ratee for one rater (see RaterStats.z); `sums` = per ratee [count, Σx]. */
export function rateeClusterZ(n: number, mean: number, diff: number, sums: Iterable<[number, number]>): { z: number; ratees: number } {
  let G = 0;
  let ss = 0;
  for (const [c, s] of sums) {
    G++;
    ss += (s - c * mean) ** 2;
  }
  if (G < 2 || !(ss > 0)) return { z: 0, ratees: G };
  return { z: diff / (Math.sqrt((G / (G - 1)) * ss) / n), ratees: G };
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
  const stat = new Map<string, { n: number; m: number; s: number | null; m2: number }>();
  for (const [rater, idx] of byRater) {
    const xs = idx.map((i) => all[i]!);
    const m = mean(xs);
    const ss = xs.reduce((a, x) => a + (x - m) ** 2, 0);
    stat.set(rater, { n: xs.length, m, s: xs.length > 1 ? Math.sqrt(ss / (xs.length - 1)) : null, m2: ss });
  }
  const shrink = raterShrinkage([...stat.values()].map((v) => ({ n: v.n, mean: v.m, m2: v.m2 })));
  const { withinVar, betweenVar } = shrink;
  const shrinkOf = new Map([...stat.keys()].map((k, i) => [k, shrink.raters[i]!]));

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
    const sh = shrinkOf.get(rater)!;
    const lam = sh.lambda;
    const { ranks } = midRanks(idx.map((i) => all[i]!));
    idx.forEach((i, k) => {
      const x = all[i]!;
      adjusted.centre[i] = x - diff;
      adjusted.zscore[i] = s && s > 0 ? M + (S * (x - m)) / s : x - diff;
      adjusted.percentile[i] = quantileSorted(sortedAll, (ranks[k]! - 0.5) / n);
      adjusted.shrinkage[i] = x - lam * diff;
    });
    // Ratee clusters: each row is its own cluster when the caller does not say who was rated.
    const byRatee = new Map<string, [number, number]>();
    idx.forEach((i, k) => {
      const key = rows[i]!.ratee ?? `#${k}`;
      const c = byRatee.get(key) ?? [0, 0];
      c[0]++;
      c[1] += all[i]!;
      byRatee.set(key, c);
    });
    const cz = rateeClusterZ(n, m, diff, byRatee.values());
    raters.push({
      rater,
      n,
      mean: m,
      sd: s,
      diff,
      z: cz.z,
      ratees: cz.ratees,
      shrinkFactor: lam,
      shrunkDiff: sh.shrunk,
      shrunkCi: sh.ci,
      level: sh.level,
      lowN: n < minN,
    });
  }
  // Ranked by the shrunk leniency, not by z: z grows with √n, so a big team's +1 point outranked a small team's +8.
  raters.sort((a, b) => b.shrunkDiff - a.shrunkDiff || (a.rater < b.rater ? -1 : 1));
  return { company: { n: N, mean: M, sd: S, withinVar, betweenVar }, raters, adjusted };
}
