import { rademacherWeights } from '../stats/bootstrap.ts';
import { normalQuantile, normalTwoSidedP } from '../stats/distributions.ts';
import { quantileSorted } from '../stats/descriptive.ts';
import type { InferenceOptions, PanelObservation } from './estimators.ts';

/**
 * Staggered adoption: Callaway & Sant'Anna (2021) group-time average treatment effects without
 * covariates, so the doubly-robust estimator reduces to the outcome-regression (difference)
 * estimator — each ATT(g,t) is one 2×2 difference-in-differences:
 *   ATT(g,t) = mean_{G=g}(Y_t − Y_b) − mean_{C(g,t)}(Y_t − Y_b),
 * cohort g = the relative period of a unit's first policy of the chain; base period b = g − 1 for
 * t ≥ g and b = t − 1 before (the "varying" base of the R package did); controls C(g,t) =
 * never-treated units plus units first treated after max(t, b) (not-yet-treated), cohort g
 * itself excluded; only units observed in both t and b enter a comparison. Units treated in
 * the first period of the window have no pre-period and are left out; a cohort after the last
 * period counts as never treated.
 * Aggregations (as did::aggte): event time θ(e) = Σ_g w_g ATT(g, g+e) with w_g ∝ cohort size
 * among the cohorts observed at e; overall θ = Σ_{t≥g} N_g·ATT(g,t) / Σ_{t≥g} N_g ("simple").
 * Inference: influence functions ψ_i (per unit, so units are the clusters), including the
 * estimated-weight terms of the aggregations; multiplier bootstrap θ*_b = θ + (1/n)Σ_i V_bi ψ_i
 * with Rademacher V from the seeded mulberry32 stream; SE = IQR of θ* / (z.75 − z.25) (did's
 * robust scale); 95% CI θ ± z.975·SE (pointwise) and p from θ/SE against the normal.
 */

export interface GroupTimeAtt {
  cohort: number;
  rel: number;
  base: number;
  estimate: number;
  treatedUnits: number;
  controlUnits: number;
}

export interface StaggeredPoint {
  /** Event time e = t − g. */
  e: number;
  estimate: number;
  se: number | null;
  ci: [number, number] | null;
  p: number | null;
}

export interface StaggeredResult {
  cohorts: Array<{ cohort: number; units: number }>;
  neverTreated: number;
  attGt: GroupTimeAtt[];
  eventStudy: StaggeredPoint[];
  overall: StaggeredPoint & { cells: number };
  control: 'not_yet_treated';
  bootstrap: { reps: number; seed: number; weights: 'rademacher' };
  /** False when a cohort has a single unit or there are fewer than two comparison units: estimates only. */
  inference: boolean;
  method: string;
}

export const STAGGERED_METHOD =
  "Callaway & Sant'Anna (2021) without covariates (outcome-regression / difference estimator): ATT(g,t) = " +
  'mean_{cohort g}(Y_t − Y_b) − mean_{controls}(Y_t − Y_b), b = g − 1 after the start (t − 1 before it: the "varying" ' +
  'base period of did), controls = never-treated and not-yet-treated units (first treated after max(t, b)), only units ' +
  'observed in both periods. Event-time effect θ(e) = cohort-size-weighted mean of ATT(g, g+e); overall effect = mean of ' +
  'the post-start ATT(g,t) weighted by cohort size (did::aggte "simple"). SEs: multiplier bootstrap of the unit-level ' +
  'influence functions (estimated weights included), Rademacher multipliers, B = 999 by default, fixed seed, SE = ' +
  'IQR/(z.75 − z.25); pointwise 95% CI estimate ± 1.96·SE; p from the normal. Unlike two-way fixed effects it never ' +
  'uses already-treated units as controls, so effects that change over time or differ by cohort do not bias it.';

interface Unit {
  cohort: number | null;
  y: Map<number, number>;
}

export function staggeredDid(rows: readonly PanelObservation[], opts: Pick<InferenceOptions, 'bootstrapReps' | 'bootstrapSeed'>): StaggeredResult | null {
  const times = [...new Set(rows.map((r) => r.rel))].sort((a, b) => a - b);
  if (times.length < 2) return null;
  const first = times[0]!;
  const last = times[times.length - 1]!;
  const unitsMap = new Map<string, Unit>();
  for (const r of rows) {
    let u = unitsMap.get(r.unit);
    if (!u) unitsMap.set(r.unit, (u = { cohort: null, y: new Map() }));
    const c = r.cohort ?? null;
    if (c !== null && (u.cohort === null || c < u.cohort)) u.cohort = c;
    u.y.set(r.rel, r.value);
  }
  // Cohort after the window: never treated here; treated from the first period on: no pre-period.
  const units: Unit[] = [];
  for (const u of unitsMap.values()) {
    if (u.cohort !== null && u.cohort > last) u.cohort = null;
    if (u.cohort !== null && u.cohort <= first) continue;
    units.push(u);
  }
  const n = units.length;
  const cohortSize = new Map<number, number>();
  for (const u of units) if (u.cohort !== null) cohortSize.set(u.cohort, (cohortSize.get(u.cohort) ?? 0) + 1);
  const cohorts = [...cohortSize.keys()].sort((a, b) => a - b);
  if (cohorts.length === 0) return null;
  const timeSet = new Set(times);
  const attGt: GroupTimeAtt[] = [];
  const psi: Float64Array[] = [];
  for (const g of cohorts) {
    for (const t of times) {
      const b = t >= g ? g - 1 : t - 1;
      if (!timeSet.has(b) || t === b) continue;
      let sT = 0;
      let nT = 0;
      let sC = 0;
      let nC = 0;
      const dy = new Float64Array(n);
      const role = new Int8Array(n); // 1 treated, −1 control
      for (let i = 0; i < n; i++) {
        const u = units[i]!;
        const yt = u.y.get(t);
        const yb = u.y.get(b);
        if (yt === undefined || yb === undefined) continue;
        if (u.cohort === g) {
          role[i] = 1;
          dy[i] = yt - yb;
          sT += dy[i]!;
          nT++;
        } else if (u.cohort === null || u.cohort > Math.max(t, b)) {
          role[i] = -1;
          dy[i] = yt - yb;
          sC += dy[i]!;
          nC++;
        }
      }
      if (nT === 0 || nC === 0) continue;
      const mT = sT / nT;
      const mC = sC / nC;
      const f = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        if (role[i] === 1) f[i] = (n / nT) * (dy[i]! - mT);
        else if (role[i] === -1) f[i] = -(n / nC) * (dy[i]! - mC);
      }
      attGt.push({ cohort: g, rel: t, base: b, estimate: mT - mC, treatedUnits: nT, controlUnits: nC });
      psi.push(f);
    }
  }
  if (attGt.length === 0) return null;
  const pg = new Map(cohorts.map((g) => [g, cohortSize.get(g)! / n]));
  const ind = (g: number) => Float64Array.from(units, (u) => (u.cohort === g ? 1 : 0));
  const indicators = new Map(cohorts.map((g) => [g, ind(g)]));
  /** θ = Σ_c w_c ATT_c with w_c = p_{g(c)} / Σ p; influence incl. the estimated weights (did's wif). */
  const aggregate = (cells: number[]): { est: number; inf: Float64Array } => {
    const sp = cells.reduce((s, c) => s + pg.get(attGt[c]!.cohort)!, 0);
    const est = cells.reduce((s, c) => s + (pg.get(attGt[c]!.cohort)! / sp) * attGt[c]!.estimate, 0);
    const inf = new Float64Array(n);
    // Σ_c (1{G=g_c} − p_c) over the cells, shared by every weight's second term.
    const common = new Float64Array(n);
    for (const c of cells) {
      const g = attGt[c]!.cohort;
      const I = indicators.get(g)!;
      const p = pg.get(g)!;
      for (let i = 0; i < n; i++) common[i]! += I[i]! - p;
    }
    for (const c of cells) {
      const g = attGt[c]!.cohort;
      const p = pg.get(g)!;
      const w = p / sp;
      const I = indicators.get(g)!;
      const ps = psi[c]!;
      const att = attGt[c]!.estimate;
      for (let i = 0; i < n; i++) inf[i]! += w * ps[i]! + att * ((I[i]! - p) / sp - (p * common[i]!) / (sp * sp));
    }
    return { est, inf };
  };
  const B = opts.bootstrapReps;
  const treatedUnits = units.filter((u) => u.cohort !== null).length;
  // A cohort of one unit has no spread of its own to resample: its comparisons carry no p-value
  // the design supports (as a single treated cluster in the DiD), so all inference is withheld.
  const inference = B > 0 && cohorts.every((g) => cohortSize.get(g)! >= 2) && (n - treatedUnits >= 2 || cohorts.length >= 2);
  const V = inference ? rademacherWeights(B, n, opts.bootstrapSeed) : null;
  const zq = normalQuantile(0.75) - normalQuantile(0.25);
  const z975 = normalQuantile(0.975);
  const point = (e: number, cells: number[]): StaggeredPoint => {
    const { est, inf } = aggregate(cells);
    if (!V) return { e, estimate: est, se: null, ci: null, p: null };
    const draws = new Float64Array(B);
    const nz: number[] = [];
    for (let i = 0; i < n; i++) if (inf[i] !== 0) nz.push(i);
    for (let b = 0; b < B; b++) {
      let s = 0;
      const off = b * n;
      for (const i of nz) s += V[off + i]! * inf[i]!;
      draws[b] = s / n;
    }
    draws.sort();
    const se = (quantileSorted(draws, 0.75) - quantileSorted(draws, 0.25)) / zq;
    if (!(se > 0)) return { e, estimate: est, se: null, ci: null, p: null };
    return { e, estimate: est, se, ci: [est - z975 * se, est + z975 * se], p: normalTwoSidedP(est / se) };
  };
  const byE = new Map<number, number[]>();
  attGt.forEach((a, c) => {
    const e = a.rel - a.cohort;
    byE.set(e, [...(byE.get(e) ?? []), c]);
  });
  const eventStudy = [...byE.entries()].sort((a, b) => a[0] - b[0]).map(([e, cells]) => point(e, cells));
  const postCells = attGt.map((a, c) => (a.rel >= a.cohort ? c : -1)).filter((c) => c >= 0);
  const overall = postCells.length ? { ...point(0, postCells), cells: postCells.length } : { e: 0, estimate: Number.NaN, se: null, ci: null, p: null, cells: 0 };
  return {
    cohorts: cohorts.map((g) => ({ cohort: g, units: cohortSize.get(g)! })),
    neverTreated: n - treatedUnits,
    attGt,
    eventStudy,
    overall,
    control: 'not_yet_treated',
    bootstrap: { reps: B, seed: opts.bootstrapSeed, weights: 'rademacher' },
    inference: V !== null,
    method: STAGGERED_METHOD,
  };
}
