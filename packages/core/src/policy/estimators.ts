import { ols } from '../stats/regression.ts';
import { BOOTSTRAP_REPS, BOOTSTRAP_SEED } from '../stats/bootstrap.ts';
import { studentTQuantile, studentTTwoSidedP } from '../stats/distributions.ts';
import { twoWayFe } from './twfe.ts';
import { waldTest, type WaldTest } from './linalg.ts';
import { WildBootstrap, wildWeightKind } from './wild.ts';
import { neweyWestLag, olsHac } from './hac.ts';

/** One observation of the outcome panel: a unit (org unit or employee) in one period. */
export interface PanelObservation {
  unit: string;
  /** Period relative to the policy: 0 is the first period starting on or after the effective date. */
  rel: number;
  periodId: string;
  treated: boolean;
  value: number;
  /** Records behind the value (employees in an org-unit cell; 1 for an employee) — informational. */
  n: number;
  /**
   * Staggered adoption: the relative period in which this unit's first policy of the chain took
   * effect (0 for this policy's own scope, another value for a pilot or a later roll-out);
   * null or absent = never treated in the data.
   */
  cohort?: number | null;
}

/** Clustered errors need enough clusters for the sandwich to be trusted (a common rule of thumb). */
export const MIN_CLUSTERS = 10;
/**
 * Below this many clusters the t(G − 1) reference of a CR1 t statistic over-rejects (Cameron,
 * Gelbach & Miller 2008; MacKinnon & Webb 2017): p-values and intervals come from the wild
 * cluster bootstrap instead.
 */
export const FEW_CLUSTERS = 30;

export type SeType = 'cluster' | 'classical';

type Bilingual = { zh: string; en: string };

export interface Estimate {
  estimate: number;
  se: number | null;
  ci: [number, number] | null;
  p: number | null;
  df: number | null;
}

/** How the p-value and interval of a treatment effect were obtained, or why there are none. */
export interface Inference {
  /** cr1: t(G−1) with CR1 errors; wild_bootstrap: WCR bootstrap; none: no p-value the design supports. */
  method: 'cr1' | 'wild_bootstrap' | 'none';
  pValue: number | null;
  /** Why there is no p-value (method 'none'), or why the bootstrap was used. */
  reason: (Bilingual & { code: 'single_treated_cluster' | 'single_control_cluster' | 'bootstrap_off' | 'few_clusters' | 'not_estimable' }) | null;
  bootstrap: { reps: number; seed: number; weights: 'rademacher' | 'webb'; restricted: true; ci: 'test_inversion' } | null;
}

export interface InferenceOptions {
  /** Wild-bootstrap replications (0 = no bootstrap: then few clusters give no p-value). */
  bootstrapReps: number;
  bootstrapSeed: number;
  /** ITS standard errors: Newey–West (default) or classical OLS. */
  itsSe: 'hac' | 'classical';
}

export const DEFAULT_INFERENCE: InferenceOptions = { bootstrapReps: BOOTSTRAP_REPS, bootstrapSeed: BOOTSTRAP_SEED, itsSe: 'hac' };

export interface CleanPanel {
  rows: PanelObservation[];
  droppedMissing: number;
  /** Units dropped because they lack data before or after the policy date. */
  droppedUnits: { treated: number; control: number };
}

/**
 * Keeps finite values and units observed both before (rel < 0) and after (rel ≥ 0) the policy:
 * a unit seen on one side only says nothing about its own change, and under unit fixed effects
 * it would be absorbed anyway.
 */
export function cleanPanel(rows: readonly PanelObservation[]): CleanPanel {
  const finite = rows.filter((r) => Number.isFinite(r.value));
  const sides = new Map<string, { pre: boolean; post: boolean; treated: boolean }>();
  for (const r of finite) {
    const s = sides.get(r.unit) ?? { pre: false, post: false, treated: r.treated };
    if (r.rel < 0) s.pre = true;
    else s.post = true;
    sides.set(r.unit, s);
  }
  const droppedUnits = { treated: 0, control: 0 };
  for (const s of sides.values()) if (!(s.pre && s.post)) droppedUnits[s.treated ? 'treated' : 'control']++;
  return {
    rows: finite.filter((r) => {
      const s = sides.get(r.unit)!;
      return s.pre && s.post;
    }),
    droppedMissing: rows.length - finite.length,
    droppedUnits,
  };
}

const unitCount = (rows: readonly PanelObservation[]) => new Set(rows.map((r) => r.unit)).size;

function seChoice(rows: readonly PanelObservation[]): SeType {
  return unitCount(rows) >= MIN_CLUSTERS ? 'cluster' : 'classical';
}

/**
 * Which inference a treatment effect gets from its clusters: none with a single treated or a
 * single control cluster (a cluster-robust variance cannot be estimated from one cluster's
 * residuals, and no bootstrap fixes that — MacKinnon & Webb 2017); the wild cluster bootstrap
 * with fewer than FEW_CLUSTERS; CR1 with t(G − 1) otherwise.
 */
export function inferencePlan(treatedClusters: number, controlClusters: number, opts: InferenceOptions): Inference {
  const G = treatedClusters + controlClusters;
  if (treatedClusters < 2 || controlClusters < 2) {
    const single = treatedClusters < 2 ? 'treated' : 'control';
    const zhSide = single === 'treated' ? '处理组' : '对照组';
    return {
      method: 'none',
      pValue: null,
      reason: {
        code: single === 'treated' ? 'single_treated_cluster' : 'single_control_cluster',
        zh: `${zhSide}只有 1 个单位：无法从数据中估计单位层面的随机波动，因此不给出 p 值和置信区间，只报告估计值。`,
        en: `Only one ${single} unit: the unit-level noise cannot be estimated from the data, so there is no p-value or confidence interval, only the estimate.`,
      },
      bootstrap: null,
    };
  }
  if (G < FEW_CLUSTERS) {
    if (opts.bootstrapReps <= 0)
      return {
        method: 'none',
        pValue: null,
        reason: {
          code: 'bootstrap_off',
          zh: `只有 ${G} 个单位（少于 ${FEW_CLUSTERS} 个），需要野聚类自助法才能给出可靠的 p 值，而本次请求关闭了自助法。`,
          en: `Only ${G} units (fewer than ${FEW_CLUSTERS}): a reliable p-value needs the wild cluster bootstrap, which this request switched off.`,
        },
        bootstrap: null,
      };
    return {
      method: 'wild_bootstrap',
      pValue: null,
      reason: {
        code: 'few_clusters',
        zh: `只有 ${G} 个单位（少于 ${FEW_CLUSTERS} 个）：p 值和置信区间来自野聚类自助法（${opts.bootstrapReps} 次，固定种子 ${opts.bootstrapSeed}）。`,
        en: `Only ${G} units (fewer than ${FEW_CLUSTERS}): p-values and intervals come from the wild cluster bootstrap (${opts.bootstrapReps} replications, fixed seed ${opts.bootstrapSeed}).`,
      },
      bootstrap: { reps: opts.bootstrapReps, seed: opts.bootstrapSeed, weights: wildWeightKind(G), restricted: true, ci: 'test_inversion' },
    };
  }
  return { method: 'cr1', pValue: null, reason: null, bootstrap: null };
}

export interface CellMean extends Estimate {
  treated: boolean;
  post: boolean;
  observations: number;
  units: number;
  seType: SeType;
}

/**
 * Mean of the outcome in one group × window, each unit-period observation weighted equally.
 * CI: ȳ ± t(0.975, df)·SE from the intercept-only regression, SE clustered by unit
 * (CR1, df = G − 1) when there are ≥ 10 units, else classical s/√n (df = n − 1).
 */
export function cellMean(rows: readonly PanelObservation[], treated: boolean, post: boolean): CellMean | null {
  const sel = rows.filter((r) => r.treated === treated && r.rel >= 0 === post);
  if (sel.length === 0) return null;
  const seType = seChoice(sel);
  const base = { treated, post, observations: sel.length, units: unitCount(sel), seType };
  const mean = sel.reduce((s, r) => s + r.value, 0) / sel.length;
  if (sel.length < 2 || (seType === 'cluster' && base.units < 2)) return { ...base, estimate: mean, se: null, ci: null, p: null, df: null };
  const r = ols(
    sel.map(() => [1]),
    sel.map((x) => x.value),
    seType === 'cluster' ? { clusters: sel.map((x) => x.unit) } : {},
  );
  return { ...base, estimate: r.coef[0]!, se: r.se[0]!, ci: r.ci[0]!, p: r.p[0]!, df: r.df };
}

export interface DidResult extends Estimate {
  seType: SeType;
  clusters: number | null;
  observations: number;
  units: { treated: number; control: number };
  /** The four cells' intercept-model means (a, a+b, a+c, a+b+c+d). */
  coefficients: { intercept: number; treated: number; post: number; interaction: number };
  /** Same as `p`: null when the design supports no p-value (then `reason` says why). */
  pValue: number | null;
  reason: Inference['reason'];
  inference: Inference;
  method: string;
}

export const DID_METHOD =
  'OLS y = a + b·treated + c·post + d·treated×post over unit-period observations; d is the difference-in-differences ' +
  '(on a balanced panel exactly (ȳ_T,post − ȳ_T,pre) − (ȳ_C,post − ȳ_C,pre)). SE clustered by unit, CR1: ' +
  'V = (X′X)⁻¹ Σ_g X_g′u_g u_g′X_g (X′X)⁻¹ · G/(G−1)·(n−1)/(n−K) with K = 2, because the intercept and the treated ' +
  'dummy are a group fixed effect nested in the unit clusters and are not counted (the reghdfe / fixest "nested" ' +
  'rule; on a two-period panel this is exactly the event study\'s SE). Inference by the number of clusters G: ' +
  `G ≥ ${FEW_CLUSTERS}: t with G−1 df; 4 ≤ G < ${FEW_CLUSTERS}: restricted wild cluster bootstrap (WCR, null imposed, ` +
  'as boottest), Rademacher weights from 12 clusters up and Webb\'s six-point weights below, B = 999 by default, fixed ' +
  `seed ${BOOTSTRAP_SEED} (mulberry32 stream), symmetric two-sided p = #{|t*| ≥ |t|}/B, 95% CI by inverting that test; ` +
  'a single treated or a single control unit: the estimate only, no p-value or CI (pValue null with the reason).';

function didInference(
  fit: { coef: number[]; se: number[]; df: number },
  plan: Inference,
  wild: () => WildBootstrap,
  j: number,
): { se: number | null; ci: [number, number] | null; p: number | null; df: number | null; inference: Inference } {
  if (plan.method === 'none') return { se: null, ci: null, p: null, df: null, inference: plan };
  if (plan.method === 'cr1') {
    const se = fit.se[j]!;
    const t = fit.coef[j]! / se;
    const p = Number.isFinite(t) ? studentTTwoSidedP(t, fit.df) : null;
    const crit = studentTQuantile(0.975, fit.df);
    return { se, ci: [fit.coef[j]! - crit * se, fit.coef[j]! + crit * se], p, df: fit.df, inference: { ...plan, pValue: p } };
  }
  const w = wild().single(j);
  return { se: fit.se[j]!, ci: w.ci, p: w.p, df: null, inference: { ...plan, pValue: w.p } };
}

/** Dense cluster indices 0 … G−1 of the units. */
function clusterIndex(rows: readonly PanelObservation[]): { idx: Int32Array; G: number } {
  const m = new Map<string, number>();
  const idx = new Int32Array(rows.length);
  rows.forEach((r, i) => {
    let g = m.get(r.unit);
    if (g === undefined) m.set(r.unit, (g = m.size));
    idx[i] = g;
  });
  return { idx, G: m.size };
}

/** Difference-in-differences by OLS; null without both groups on both sides of the date. */
export function differenceInDifferences(rows: readonly PanelObservation[], opts: InferenceOptions = DEFAULT_INFERENCE): DidResult | null {
  const treatedUnits = unitCount(rows.filter((r) => r.treated));
  const controlUnits = unitCount(rows.filter((r) => !r.treated));
  if (treatedUnits === 0 || controlUnits === 0 || rows.length <= 4) return null;
  const X = rows.map((r) => {
    const t = r.treated ? 1 : 0;
    const p = r.rel >= 0 ? 1 : 0;
    return [1, t, p, t * p];
  });
  const y = rows.map((r) => r.value);
  const { idx, G } = clusterIndex(rows);
  const n = rows.length;
  const names = ['intercept', 'treated', 'post', 'treated×post'];
  const plan = inferencePlan(treatedUnits, controlUnits, opts);
  // Clustered whenever there are two clusters to cluster on; the nested-FE factor replaces ols()'s (n−1)/(n−4).
  const raw = ols(X, y, { names, clusters: G >= 2 ? Array.from(idx) : undefined });
  const adj = G >= 2 ? (n - 4) / (n - 2) : 1;
  const vcov = raw.vcov.map((row) => row.map((v) => v * adj));
  const fit = { coef: raw.coef, se: vcov.map((row, i) => Math.sqrt(Math.max(0, row[i]!))), df: raw.df };
  const wild = () =>
    new WildBootstrap(
      { X: [0, 1, 2, 3].map((j) => Float64Array.from(X, (r) => r[j]!)), y: Float64Array.from(y), cluster: idx, G, scale: (G / (G - 1)) * ((n - 1) / (n - 2)) },
      { reps: opts.bootstrapReps, seed: opts.bootstrapSeed },
    );
  const inf = didInference(fit, plan, wild, 3);
  return {
    estimate: fit.coef[3]!,
    se: inf.se,
    ci: inf.ci,
    p: inf.p,
    df: inf.df,
    seType: G >= 2 ? 'cluster' : 'classical',
    clusters: G,
    observations: rows.length,
    units: { treated: treatedUnits, control: controlUnits },
    coefficients: { intercept: fit.coef[0]!, treated: fit.coef[1]!, post: fit.coef[2]!, interaction: fit.coef[3]! },
    pValue: inf.p,
    reason: inf.inference.reason,
    inference: inf.inference,
    method: DID_METHOD,
  };
}

export interface EventPoint extends Estimate {
  rel: number;
  reference: boolean;
}

export interface EventStudyResult {
  points: EventPoint[];
  reference: number;
  seType: SeType;
  clusters: number | null;
  observations: number;
  /** Joint F test that all pre-period coefficients are zero; null when not computable. */
  preTrend: (WaldTest & { passed: boolean; bootstrap: boolean }) | null;
  inference: Inference;
  method: string;
}

export const EVENT_STUDY_METHOD =
  'Two-way fixed effects: y_it = α_i + λ_t + Σ_{e≠ref} β_e·treated_i·1[t − t0 = e] + ε_it (unit and period fixed effects ' +
  'absorbed by alternating projections; reference period e = −1, or the latest earlier one observed). β_e is the ' +
  'treated–control gap in period e relative to the reference. SE clustered by unit, CR1 with K = k + T − 1: the unit ' +
  'effects are nested in the clusters and not counted (reghdfe / fixest), so on two periods the SE equals the DiD\'s. ' +
  'Pre-trend test: joint Wald F = β_pre′V⁻¹β_pre / q on the pre-period coefficients against F(q, G−1); p < 0.05 means ' +
  `the groups already diverged before the policy. With fewer than ${FEW_CLUSTERS} units every p-value and interval (and the ` +
  'pre-trend p) comes from the restricted wild cluster bootstrap described for the DiD; with a single treated or control ' +
  'unit there are estimates only.';

/** Event study; null without a control group or without a pre-period to use as reference. */
export function eventStudy(rows: readonly PanelObservation[], opts: InferenceOptions = DEFAULT_INFERENCE): EventStudyResult | null {
  const treatedRels = [...new Set(rows.filter((r) => r.treated).map((r) => r.rel))].sort((a, b) => a - b);
  const pre = treatedRels.filter((e) => e < 0);
  if (pre.length === 0 || !rows.some((r) => !r.treated)) return null;
  const reference = pre.includes(-1) ? -1 : pre[pre.length - 1]!;
  const events = treatedRels.filter((e) => e !== reference);
  if (events.length === 0) return null;
  const unitIdx = new Map<string, number>();
  const relAll = [...new Set(rows.map((r) => r.rel))].sort((a, b) => a - b);
  const periodIdx = new Map(relAll.map((e, i) => [e, i]));
  const units = rows.map((r) => {
    let i = unitIdx.get(r.unit);
    if (i === undefined) unitIdx.set(r.unit, (i = unitIdx.size));
    return i;
  });
  const periods = rows.map((r) => periodIdx.get(r.rel)!);
  const col = new Map(events.map((e, j) => [e, j]));
  const X = rows.map((r) => {
    const row = new Array<number>(events.length).fill(0);
    const j = col.get(r.rel);
    if (r.treated && j !== undefined) row[j] = 1;
    return row;
  });
  const treatedUnits = unitCount(rows.filter((r) => r.treated));
  const controlUnits = unitCount(rows.filter((r) => !r.treated));
  const plan = inferencePlan(treatedUnits, controlUnits, opts);
  const G = unitIdx.size;
  let fit;
  try {
    fit = twoWayFe(
      X,
      rows.map((r) => r.value),
      units,
      periods,
      { cluster: G >= 2, names: events.map((e) => `event ${e}`) },
    );
  } catch {
    // Too few observations for one coefficient per period (e.g. one treated and one control
    // unit): the event study is saturated and carries no standard errors.
    return null;
  }
  const n = rows.length;
  let wildCache: WildBootstrap | null = null;
  const wild = () =>
    (wildCache ??= new WildBootstrap(
      { X: fit.demeaned.X, y: fit.demeaned.y, cluster: Int32Array.from(units), G, absorb: fit.absorb, scale: (G / (G - 1)) * ((n - 1) / (n - fit.kCounted)) },
      { reps: opts.bootstrapReps, seed: opts.bootstrapSeed },
    ));
  const byEvent = new Map(fit.kept.map((j, i) => [events[j]!, i]));
  const points: EventPoint[] = [];
  for (const e of treatedRels) {
    if (e === reference) {
      points.push({ rel: e, reference: true, estimate: 0, se: null, ci: null, p: null, df: null });
      continue;
    }
    const i = byEvent.get(e);
    if (i === undefined) continue;
    const inf = didInference(fit, plan, wild, i);
    points.push({ rel: e, reference: false, estimate: fit.coef[i]!, se: inf.se, ci: inf.ci, p: inf.p, df: inf.df });
  }
  const preIdx = [...byEvent.entries()].filter(([e]) => e < reference).map(([, i]) => i);
  let preTrend: EventStudyResult['preTrend'] = null;
  if (plan.method !== 'none') {
    const test = waldTest(fit.coef, fit.vcov, preIdx, fit.df);
    if (test && plan.method === 'cr1') preTrend = { ...test, passed: test.p >= 0.05, bootstrap: false };
    else if (test) {
      const j = wild().joint(preIdx);
      if (j) preTrend = { ...test, p: j.p, passed: j.p >= 0.05, bootstrap: true };
    }
  }
  return {
    points,
    reference,
    seType: G >= 2 ? 'cluster' : 'classical',
    clusters: G,
    observations: rows.length,
    preTrend,
    inference: plan,
    method: EVENT_STUDY_METHOD,
  };
}

export interface ItsResult {
  /** Level change at the policy date (b2). */
  levelChange: Estimate;
  /** Change of slope per period after the date (b3). */
  slopeChange: Estimate;
  /** Slope per period before the date (b1). */
  preSlope: Estimate;
  periods: { pre: number; post: number };
  /** Newey–West (HAC) or classical standard errors; the HAC lag. */
  seType: 'hac' | 'classical';
  lag: number | null;
  method: string;
}

export const ITS_METHOD =
  'Interrupted time series (segmented regression) on the treated group’s per-period mean ȳ_t: ' +
  'ȳ_t = b0 + b1·e + b2·post + b3·e·post + ε_t with e = t − t0; b2 is the level change at the policy date and b3 the ' +
  'change in slope per period. Newey–West (HAC) standard errors: Bartlett kernel, lag L = ⌊4·(T/100)^(2/9)⌋ ' +
  '(T = number of periods), small-sample factor T/(T−4), t with T−4 df (statsmodels cov_type="HAC", ' +
  'use_correction=True); classical OLS errors only when asked for (itsSe "classical"). Nothing separates the policy ' +
  'from anything else that changed at the same date.';

/** Segmented regression on the treated group's per-period means; null with < 2 periods on a side. */
export function interruptedTimeSeries(rows: readonly PanelObservation[], opts: Pick<InferenceOptions, 'itsSe'> = DEFAULT_INFERENCE): ItsResult | null {
  const byRel = new Map<number, { s: number; n: number }>();
  for (const r of rows) {
    if (!r.treated) continue;
    const c = byRel.get(r.rel) ?? { s: 0, n: 0 };
    c.s += r.value;
    c.n++;
    byRel.set(r.rel, c);
  }
  const series = [...byRel.entries()].sort((a, b) => a[0] - b[0]).map(([e, c]) => ({ e, y: c.s / c.n }));
  const pre = series.filter((s) => s.e < 0).length;
  const post = series.length - pre;
  if (pre < 2 || post < 2 || series.length < 5) return null;
  const X = series.map((s) => {
    const p = s.e >= 0 ? 1 : 0;
    return [1, s.e, p, s.e * p];
  });
  const y = series.map((s) => s.y);
  const names = ['intercept', 'e', 'post', 'e×post'];
  const hac = opts.itsSe === 'hac';
  const lag = hac ? neweyWestLag(series.length) : null;
  const fit = hac ? olsHac(X, y, lag!, { names }) : ols(X, y, { names });
  const est = (i: number): Estimate => ({ estimate: fit.coef[i]!, se: fit.se[i]!, ci: fit.ci[i]!, p: fit.p[i]!, df: fit.df });
  return { preSlope: est(1), levelChange: est(2), slopeChange: est(3), periods: { pre, post }, seType: hac ? 'hac' : 'classical', lag, method: ITS_METHOD };
}

export interface SeriesPoint {
  rel: number;
  periodId: string;
  treated: number | null;
  control: number | null;
  treatedUnits: number;
  controlUnits: number;
}

/** Per-period mean of the unit values in each group, for the time-series chart. */
export function groupSeries(rows: readonly PanelObservation[]): SeriesPoint[] {
  const m = new Map<number, { periodId: string; ts: number; tn: number; cs: number; cn: number }>();
  for (const r of rows) {
    const c = m.get(r.rel) ?? { periodId: r.periodId, ts: 0, tn: 0, cs: 0, cn: 0 };
    if (r.treated) {
      c.ts += r.value;
      c.tn++;
    } else {
      c.cs += r.value;
      c.cn++;
    }
    m.set(r.rel, c);
  }
  return [...m.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([rel, c]) => ({
      rel,
      periodId: c.periodId,
      treated: c.tn ? c.ts / c.tn : null,
      control: c.cn ? c.cs / c.cn : null,
      treatedUnits: c.tn,
      controlUnits: c.cn,
    }));
}
