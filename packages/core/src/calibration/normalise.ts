import { z } from 'zod';
import { mean, midRanks, quantileSorted } from '../stats/descriptive.ts';
import type { ValueCounts } from '../stats/value-counts.ts';

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
  return { z: clusteredZ(n, diff, G, ss), ratees: G };
}

/** diff / SE with G clusters whose summed deviations from the rater's mean square to `ss`; 0 with fewer than two. */
function clusteredZ(n: number, diff: number, G: number, ss: number): number {
  return G < 2 || !(ss > 0) ? 0 : diff / (Math.sqrt((G / (G - 1)) * ss) / n);
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

/** One rater's sums as the database adds them up: the input of raterStatsFromSums. */
export interface RaterSums {
  rater: string;
  n: number;
  /** Σx and Σx² of the rater's scores. */
  sum: number;
  sumSq: number;
  /** People rated (the clusters of z). */
  ratees: number;
  /** Σ_j (s_j − c_j·m_r)² over the people rated, c_j and s_j the count and sum of each one's scores. */
  rateeSS: number;
}

/**
 * normaliseByRater's company figures and rater statistics from per-rater sums, so the database
 * adds up a month or the whole history and a few hundred numbers reach JS instead of every score.
 * Σ(x − m_r)² = Σx² − (Σx)²/n_r (scores are bounded, 0–150, so the cancellation is harmless); the
 * company's sd combines the raters' moments exactly (Chan et al.). Agrees with normaliseByRater
 * to rounding (tests compare both on the same scores).
 */
export function raterStatsFromSums(rows: readonly RaterSums[], minN = 5): Omit<NormalisationResult, 'adjusted'> {
  if (rows.length === 0) throw new RangeError('no scores to normalise / 没有可标准化的评分');
  const moments = rows.map((r) => ({ n: r.n, mean: r.sum / r.n, m2: Math.max(r.sumSq - (r.sum * r.sum) / r.n, 0) }));
  const shrink = raterShrinkage(moments);
  const M = shrink.mean;
  let N = 0;
  let ssTotal = 0;
  for (const m of moments) {
    N += m.n;
    ssTotal += m.m2 + m.n * (m.mean - M) ** 2;
  }
  const raters: RaterStats[] = rows.map((r, i) => {
    const { n, mean: m, m2 } = moments[i]!;
    const sh = shrink.raters[i]!;
    return {
      rater: r.rater,
      n,
      mean: m,
      sd: n > 1 ? Math.sqrt(m2 / (n - 1)) : null,
      diff: sh.diff,
      z: clusteredZ(n, sh.diff, r.ratees, r.rateeSS),
      ratees: r.ratees,
      shrinkFactor: sh.lambda,
      shrunkDiff: sh.shrunk,
      shrunkCi: sh.ci,
      level: sh.level,
      lowN: n < minN,
    };
  });
  raters.sort((a, b) => b.shrunkDiff - a.shrunkDiff || (a.rater < b.rater ? -1 : 1));
  return {
    company: { n: N, mean: M, sd: N > 1 ? Math.sqrt(ssTotal / (N - 1)) : 0, withinVar: shrink.withinVar, betweenVar: shrink.betweenVar },
    raters,
  };
}

/**
 * Every normalisation of one rater's scores (input order), as normaliseByRater gives them, from
 * that rater's statistics, the company's mean and sd and the company's scores as value counts
 * (the percentile method reads the company quantile at each score's Hazen position).
 */
export function normaliseRaterScores(
  xs: readonly number[],
  rater: Pick<RaterStats, 'n' | 'mean' | 'sd' | 'diff' | 'shrinkFactor'>,
  company: { mean: number; sd: number },
  companyScores: ValueCounts,
): Record<NormalisationMethod, number[]> {
  const { mean: m, sd: s, diff, shrinkFactor: lam } = rater;
  const { ranks } = midRanks(xs);
  const n = xs.length;
  const out: Record<NormalisationMethod, number[]> = { zscore: new Array(n), centre: new Array(n), percentile: new Array(n), shrinkage: new Array(n) };
  for (let k = 0; k < n; k++) {
    const x = xs[k]!;
    out.centre[k] = x - diff;
    out.zscore[k] = s && s > 0 ? company.mean + (company.sd * (x - m)) / s : x - diff;
    out.shrinkage[k] = x - lam * diff;
  }
  // Type-7 company quantiles at (rank − ½)/n, the positions visited in ascending order so one
  // walk over the cumulative counts serves them all (quantileSorted over the expanded sample).
  const { values, counts } = companyScores;
  let N = 0;
  for (let i = 0; i < counts.length; i++) N += counts[i]!;
  const order = Array.from({ length: n }, (_, k) => k).sort((a, b) => ranks[a]! - ranks[b]!);
  let i = 0;
  let below = 0; // observations in values[0 .. i-1]
  for (const k of order) {
    const h = (N - 1) * ((ranks[k]! - 0.5) / n);
    const lo = Math.floor(h);
    // Ranks only grow along `order`, so the walk only moves forward; rank lo + 1 is in the same
    // value or the next one (every count is at least 1).
    while (i < values.length - 1 && lo >= below + counts[i]!) below += counts[i++]!;
    const xlo = values[i]!;
    const xhi = Math.min(lo + 1, N - 1) < below + counts[i]! ? xlo : values[i + 1]!;
    out.percentile[k] = xlo + (h - lo) * (xhi - xlo);
  }
  return out;
}
