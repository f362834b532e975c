import { ols } from '../stats/regression.ts';
import { twoWayFe } from './twfe.ts';
import { waldTest, type WaldTest } from './linalg.ts';

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
}

/** Clustered errors need enough clusters for the sandwich to be trusted (a common rule of thumb). */
export const MIN_CLUSTERS = 10;

export type SeType = 'cluster' | 'classical';

export interface Estimate {
  estimate: number;
  se: number | null;
  ci: [number, number] | null;
  p: number | null;
  df: number | null;
}

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
  method: string;
}

export const DID_METHOD =
  'OLS y = a + b·treated + c·post + d·treated×post over unit-period observations; d is the difference-in-differences ' +
  '(on a balanced panel exactly (ȳ_T,post − ȳ_T,pre) − (ȳ_C,post − ȳ_C,pre)). SE clustered by unit (CR1, t with G−1 df) ' +
  'when there are ≥ 10 units, otherwise classical OLS (t with n−4 df).';

/** Difference-in-differences by OLS; null without both groups on both sides of the date. */
export function differenceInDifferences(rows: readonly PanelObservation[]): DidResult | null {
  const treatedUnits = unitCount(rows.filter((r) => r.treated));
  const controlUnits = unitCount(rows.filter((r) => !r.treated));
  if (treatedUnits === 0 || controlUnits === 0 || rows.length <= 4) return null;
  const seType = seChoice(rows);
  const X = rows.map((r) => {
    const t = r.treated ? 1 : 0;
    const p = r.rel >= 0 ? 1 : 0;
    return [1, t, p, t * p];
  });
  const fit = ols(
    X,
    rows.map((r) => r.value),
    { names: ['intercept', 'treated', 'post', 'treated×post'], ...(seType === 'cluster' ? { clusters: rows.map((r) => r.unit) } : {}) },
  );
  return {
    estimate: fit.coef[3]!,
    se: fit.se[3]!,
    ci: fit.ci[3]!,
    p: fit.p[3]!,
    df: fit.df,
    seType,
    clusters: fit.clusters,
    observations: rows.length,
    units: { treated: treatedUnits, control: controlUnits },
    coefficients: { intercept: fit.coef[0]!, treated: fit.coef[1]!, post: fit.coef[2]!, interaction: fit.coef[3]! },
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
  preTrend: (WaldTest & { passed: boolean }) | null;
  method: string;
}

export const EVENT_STUDY_METHOD =
  'Two-way fixed effects: y_it = α_i + λ_t + Σ_{e≠ref} β_e·treated_i·1[t − t0 = e] + ε_it (unit and period fixed effects ' +
  'absorbed by alternating projections; reference period e = −1, or the latest earlier one observed). β_e is the ' +
  'treated–control gap in period e relative to the reference. Pre-trend test: joint Wald F = β_pre′V⁻¹β_pre / q on the ' +
  'pre-period coefficients against F(q, df); p < 0.05 means the groups already diverged before the policy. SE clustered ' +
  'by unit (CR1, df G−1) with ≥ 10 units, otherwise classical; degrees of freedom count the absorbed effects.';

/** Event study; null without a control group or without a pre-period to use as reference. */
export function eventStudy(rows: readonly PanelObservation[]): EventStudyResult | null {
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
  const seType = seChoice(rows);
  let fit;
  try {
    fit = twoWayFe(
      X,
      rows.map((r) => r.value),
      units,
      periods,
      { cluster: seType === 'cluster', names: events.map((e) => `event ${e}`) },
    );
  } catch {
    // Too few observations for one coefficient per period (e.g. one treated and one control
    // unit): the event study is saturated and carries no standard errors.
    return null;
  }
  const byEvent = new Map(fit.kept.map((j, i) => [events[j]!, i]));
  const points: EventPoint[] = [];
  for (const e of treatedRels) {
    if (e === reference) {
      points.push({ rel: e, reference: true, estimate: 0, se: null, ci: null, p: null, df: null });
      continue;
    }
    const i = byEvent.get(e);
    if (i === undefined) continue;
    points.push({ rel: e, reference: false, estimate: fit.coef[i]!, se: fit.se[i]!, ci: fit.ci[i]!, p: fit.p[i]!, df: fit.df });
  }
  const preIdx = [...byEvent.entries()].filter(([e]) => e < reference).map(([, i]) => i);
  const test = waldTest(fit.coef, fit.vcov, preIdx, fit.df);
  return {
    points,
    reference,
    seType,
    clusters: fit.clusters,
    observations: rows.length,
    preTrend: test ? { ...test, passed: test.p >= 0.05 } : null,
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
  method: string;
}

export const ITS_METHOD =
  'Interrupted time series (segmented regression) on the treated group’s per-period mean ȳ_t: ' +
  'ȳ_t = b0 + b1·e + b2·post + b3·e·post + ε_t with e = t − t0; b2 is the level change at the policy date and b3 the ' +
  'change in slope per period. Classical OLS errors (t with T−4 df); autocorrelation is not modelled, so treat p-values ' +
  'as optimistic, and nothing separates the policy from anything else that changed at the same date.';

/** Segmented regression on the treated group's per-period means; null with < 2 periods on a side. */
export function interruptedTimeSeries(rows: readonly PanelObservation[]): ItsResult | null {
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
  const fit = ols(
    series.map((s) => {
      const p = s.e >= 0 ? 1 : 0;
      return [1, s.e, p, s.e * p];
    }),
    series.map((s) => s.y),
    { names: ['intercept', 'e', 'post', 'e×post'] },
  );
  const est = (i: number): Estimate => ({ estimate: fit.coef[i]!, se: fit.se[i]!, ci: fit.ci[i]!, p: fit.p[i]!, df: fit.df });
  return { preSlope: est(1), levelChange: est(2), slopeChange: est(3), periods: { pre, post }, method: ITS_METHOD };
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
