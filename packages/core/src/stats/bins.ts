/**
 * Round histogram edges (…, 20, 25, 30, …): the smallest "nice" width from 1, 2, 2.5, 5, 10 …
 * that covers [min, max] in at most `maxBins` bins, at least 5. Edges such as 29.9 or 38.8
 * are exact but nobody can read them.
 */
export function niceBins(min: number, max: number, maxBins = 30): { min: number; max: number; bins: number } {
  for (const w of [1, 2, 2.5, 5, 10, 20, 25, 50, 100]) {
    const lo = Math.floor(min / w) * w;
    let hi = Math.ceil(max / w) * w;
    if (hi === lo) hi = lo + w;
    const n = Math.round((hi - lo) / w);
    if (n <= maxBins) return { min: lo, max: hi, bins: Math.max(5, n) };
  }
  return { min, max, bins: 20 };
}
