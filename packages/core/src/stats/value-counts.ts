/**
 * Statistics of a sample given as distinct values with their counts (a frequency table).
 * Recorded scores carry at most a couple of decimals, so millions of rows collapse to a few
 * thousand (value, count) pairs in one hash aggregate in the database; everything below is then
 * exact and identical to the same statistic over the expanded sample.
 */
export interface ValueCounts {
  /** Distinct values, strictly ascending. */
  values: ArrayLike<number>;
  /** Positive count of each value. */
  counts: ArrayLike<number>;
}

export interface ValueCountSummary {
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1); null when n = 1. */
  sd: number | null;
  min: number;
  max: number;
}

/** n, mean, sample sd (two-pass), min and max; null for an empty table. */
export function summariseCounts({ values, counts }: ValueCounts): ValueCountSummary | null {
  const k = values.length;
  let n = 0;
  let sum = 0;
  for (let i = 0; i < k; i++) {
    n += counts[i]!;
    sum += values[i]! * counts[i]!;
  }
  if (n === 0) return null;
  const mean = sum / n;
  let m2 = 0;
  for (let i = 0; i < k; i++) m2 += counts[i]! * (values[i]! - mean) ** 2;
  return { n, mean, sd: n > 1 ? Math.sqrt(m2 / (n - 1)) : null, min: values[0]!, max: values[k - 1]! };
}

/**
 * Type-7 quantiles (Hyndman–Fan; R, NumPy and DuckDB's quantile_cont): the value at 0-based
 * rank ⌊h⌋ of the sorted sample plus the fraction of h towards rank ⌊h⌋ + 1, h = (n − 1)·p.
 * One walk over the cumulative counts serves every probability (probs in any order).
 */
export function quantilesFromCounts({ values, counts }: ValueCounts, probs: readonly number[]): number[] {
  let n = 0;
  for (let i = 0; i < counts.length; i++) n += counts[i]!;
  if (n === 0) return probs.map(() => Number.NaN);
  const at = (rank: number): number => {
    // Smallest value whose cumulative count exceeds the rank.
    let cum = 0;
    for (let i = 0; i < values.length; i++) {
      cum += counts[i]!;
      if (rank < cum) return values[i]!;
    }
    return values[values.length - 1]!;
  };
  return probs.map((p) => {
    const h = (n - 1) * p;
    const lo = Math.floor(h);
    const x = at(lo);
    const frac = h - lo;
    return frac === 0 ? x : x + frac * (at(Math.min(lo + 1, n - 1)) - x);
  });
}

export interface BoxFromCounts extends ValueCountSummary {
  q1: number;
  median: number;
  q3: number;
  /** Tukey: the most extreme values still within 1.5 × IQR of the quartiles. */
  lowerWhisker: number;
  upperWhisker: number;
  /** How many observations lie beyond the whiskers. */
  outliers: number;
}

export function boxFromCounts(vc: ValueCounts): BoxFromCounts | null {
  const s = summariseCounts(vc);
  if (!s) return null;
  const [q1, median, q3] = quantilesFromCounts(vc, [0.25, 0.5, 0.75]) as [number, number, number];
  const lo = q1 - 1.5 * (q3 - q1);
  const hi = q3 + 1.5 * (q3 - q1);
  let lowerWhisker = Number.NaN;
  let upperWhisker = Number.NaN;
  let outliers = 0;
  for (let i = 0; i < vc.values.length; i++) {
    const v = vc.values[i]!;
    if (v < lo || v > hi) outliers += vc.counts[i]!;
    else {
      if (Number.isNaN(lowerWhisker)) lowerWhisker = v;
      upperWhisker = v;
    }
  }
  return { ...s, q1, median, q3, lowerWhisker, upperWhisker, outliers };
}

/**
 * Counts per equal-width bin over [lo, hi] (values outside are left out; hi falls in the last
 * bin). Bin i is [lo + i·w, lo + (i+1)·w) with w = (hi − lo) / bins — the very expressions a
 * client uses for the edges — so a value equal to an edge lands in the bin starting there even
 * where floor((v − lo) / w) rounds one bin off (0.3 / 0.1 = 2.999…).
 */
export function binCounts({ values, counts }: ValueCounts, lo: number, hi: number, bins: number): number[] {
  const out = new Array<number>(bins).fill(0);
  const w = (hi - lo) / bins;
  for (let j = 0; j < values.length; j++) {
    const v = values[j]!;
    if (v < lo || v > hi) continue;
    let i = Math.floor((v - lo) / w);
    if (v >= lo + (i + 1) * w) i++;
    else if (v < lo + i * w) i--;
    out[Math.min(Math.max(i, 0), bins - 1)]! += counts[j]!;
  }
  return out;
}
