import { ols, type OlsResult } from '../stats/regression.ts';
import { studentTQuantile, studentTTwoSidedP } from '../stats/distributions.ts';

export interface TwoWayFeOptions {
  names?: string[];
  /** Cluster standard errors by unit (CR1, t(G − 1)); otherwise classical. */
  cluster?: boolean;
  /** Convergence tolerance of the alternating projections, relative to the column's scale. */
  tol?: number;
}

export interface TwoWayFeResult extends OlsResult {
  /** Columns kept (indices into X's columns): columns absorbed by the fixed effects are dropped. */
  kept: number[];
  /** Number of absorbed fixed-effect parameters (units + periods − 1 on a connected panel). */
  absorbed: number;
  /** Parameters counted in the small-sample factor (k + T − 1 when clustered, k + U + T − 1 otherwise). */
  kCounted: number;
  /** The two-way-demeaned regressors (columns, kept ones only) and outcome, for the wild bootstrap. */
  demeaned: { X: Float64Array[]; y: Float64Array };
  /** Applies the two-way demeaning (M_D) to a vector in place. */
  absorb: (v: Float64Array) => Float64Array;
}

/**
 * y_it = α_i + λ_t + x_it'β + ε_it with unit and period fixed effects absorbed.
 * By Frisch–Waugh–Lovell, β is the OLS of the two-way-demeaned y on the two-way-demeaned x; on
 * an unbalanced panel the two-way demeaning is found by alternating projections (subtract unit
 * means, then period means, until nothing moves — Guimarães & Portugal 2010), so no dummy
 * matrix of units × periods is ever built.
 * Degrees of freedom: classical σ² = RSS/(n − k_total) with every absorbed parameter counted
 * (k_total = k + U + T − 1, as the regression with explicit dummies). CR1 clustered by unit uses
 * G/(G−1)·(n−1)/(n−K) with K = k + T − 1 and t(G − 1): the unit effects are nested in the unit
 * clusters and are not counted (reghdfe's and fixest's `fixef.K = "nested"` rule). Counting them,
 * as the explicit-dummy regression does, inflates the SE by √((n−k−T+1)/(n−k_total)) — exactly √2
 * on a two-period panel — although the sandwich already removes a cluster's own mean.
 */
export function twoWayFe(
  X: ReadonlyArray<ReadonlyArray<number>>,
  y: ReadonlyArray<number>,
  units: ReadonlyArray<number>,
  periods: ReadonlyArray<number>,
  options: TwoWayFeOptions = {},
): TwoWayFeResult {
  const n = y.length;
  const k = X[0]?.length ?? 0;
  let U = 0;
  let T = 0;
  for (let i = 0; i < n; i++) {
    U = Math.max(U, units[i]! + 1);
    T = Math.max(T, periods[i]! + 1);
  }
  const nu = new Float64Array(U);
  const nt = new Float64Array(T);
  for (let i = 0; i < n; i++) {
    nu[units[i]!]!++;
    nt[periods[i]!]!++;
  }
  const usedU = nu.filter((c) => c > 0).length;
  const usedT = nt.filter((c) => c > 0).length;
  const tol = options.tol ?? 1e-13;
  const demean = (v: Float64Array): Float64Array => {
    let scale = 1e-300;
    for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(v[i]!));
    const su = new Float64Array(U);
    const st = new Float64Array(T);
    for (let iter = 0; iter < 10_000; iter++) {
      su.fill(0);
      for (let i = 0; i < n; i++) su[units[i]!]! += v[i]!;
      for (let i = 0; i < n; i++) v[i]! -= su[units[i]!]! / nu[units[i]!]!;
      st.fill(0);
      for (let i = 0; i < n; i++) st[periods[i]!]! += v[i]!;
      let moved = 0;
      for (let i = 0; i < n; i++) {
        const d = st[periods[i]!]! / nt[periods[i]!]!;
        v[i]! -= d;
        moved = Math.max(moved, Math.abs(d));
      }
      if (moved <= tol * scale) break;
    }
    return v;
  };
  const yd = demean(Float64Array.from(y));
  const cols: Float64Array[] = [];
  const kept: number[] = [];
  for (let j = 0; j < k; j++) {
    const raw = Float64Array.from(X, (row) => row[j]!);
    const ss0 = raw.reduce((s, v) => s + v * v, 0);
    const d = demean(raw);
    const ss = d.reduce((s, v) => s + v * v, 0);
    // A column the fixed effects explain entirely (e.g. an event time with no control
    // observations) carries no information about β: drop it rather than fail.
    if (ss > 1e-10 * Math.max(ss0, 1e-300)) {
      cols.push(d);
      kept.push(j);
    }
  }
  const Xd = Array.from({ length: n }, (_, i) => cols.map((c) => c[i]!));
  const absorbed = usedU + usedT - 1;
  const kTot = kept.length + absorbed;
  if (n <= kTot) throw new RangeError(`need more observations (${n}) than parameters (${kTot}) for the fixed-effects model`);
  const names = options.names ? kept.map((j) => options.names![j]!) : undefined;
  const base = ols(Xd, Array.from(yd), { names, clusters: options.cluster ? units : undefined });
  // ols() counted only the kept columns: rescale to the parameters the convention counts. Under
  // clustering by unit the unit effects are nested in the clusters and left out (reghdfe/fixest).
  const kCounted = options.cluster ? kept.length + usedT - 1 : kTot;
  const adj = (n - kept.length) / (n - kCounted);
  const vcov = base.vcov.map((row) => row.map((v) => v * adj));
  const df = options.cluster ? base.df : n - kTot;
  const se = vcov.map((row, i) => Math.sqrt(Math.max(0, row[i]!)));
  const t = base.coef.map((b, i) => (se[i]! > 0 ? b / se[i]! : Number.NaN));
  const p = t.map((ti) => (Number.isFinite(ti) ? studentTTwoSidedP(ti, df) : Number.NaN));
  const crit = studentTQuantile(0.975, df);
  const ci = base.coef.map((b, i): [number, number] => [b - crit * se[i]!, b + crit * se[i]!]);
  return { ...base, vcov, se, t, p, ci, df, k: kTot, kept, absorbed, kCounted, demeaned: { X: cols, y: yd }, absorb: demean };
}
