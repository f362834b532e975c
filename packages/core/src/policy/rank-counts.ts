import { normalTwoSidedP } from '../stats/distributions.ts';
import { mannWhitneyU, type MannWhitneyResult } from '../stats/tests.ts';

/** How often one value occurs in each of the two samples. */
export interface ValueCount {
  value: number;
  x: number;
  y: number;
}

/**
 * Mann–Whitney U from value counts (as SQL returns them: one row per distinct score), so
 * millions of scores never travel to the server process. Same statistic and p-value as
 * mannWhitneyU on the expanded samples:
 *   U = Σ_v x_v·(Y_<v + ½·y_v)   (x-values beating y-values, ties ½),
 *   σ² = n1·n2/12 · ((n+1) − Σ(t_v³ − t_v)/(n(n−1))),  t_v = x_v + y_v,
 *   z = (|U − n1·n2/2| − ½)/σ, two-sided normal p.
 * Small samples without ties (n1, n2 ≤ 8) are expanded and tested exactly.
 * Cliff's delta = 2U/(n1·n2) − 1.
 */
export function mannWhitneyFromCounts(counts: readonly ValueCount[]): MannWhitneyResult & { cliffsDelta: number } {
  const sorted = [...counts].filter((c) => c.x + c.y > 0).sort((a, b) => a.value - b.value);
  let n1 = 0;
  let n2 = 0;
  let ties = false;
  for (const c of sorted) {
    n1 += c.x;
    n2 += c.y;
    if (c.x + c.y > 1) ties = true;
  }
  if (n1 === 0 || n2 === 0) throw new RangeError('both samples need at least one value');
  if (!ties && n1 <= 8 && n2 <= 8) {
    const xs = sorted.filter((c) => c.x > 0).map((c) => c.value);
    const ys = sorted.filter((c) => c.y > 0).map((c) => c.value);
    const r = mannWhitneyU(xs, ys);
    return { ...r, cliffsDelta: (2 * r.u) / (n1 * n2) - 1 };
  }
  let u = 0;
  let yBelow = 0;
  let tieTerm = 0;
  for (const c of sorted) {
    u += c.x * (yBelow + c.y / 2);
    yBelow += c.y;
    const t = c.x + c.y;
    tieTerm += t ** 3 - t;
  }
  const n = n1 + n2;
  const cliffsDelta = (2 * u) / (n1 * n2) - 1;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  const mu = (n1 * n2) / 2;
  if (variance <= 0) return { u, n1, n2, z: 0, p: 1, method: 'asymptotic', cliffsDelta };
  const z = Math.max(0, Math.abs(u - mu) - 0.5) / Math.sqrt(variance);
  return { u, n1, n2, z: u >= mu ? z : -z, p: Math.min(1, normalTwoSidedP(z)), method: 'asymptotic', cliffsDelta };
}
