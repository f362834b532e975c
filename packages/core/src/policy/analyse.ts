import { GRADES, type Grade } from '../domain.ts';
import { chiSquareIndependence, type ContingencyResult, type MannWhitneyResult } from '../stats/tests.ts';
import {
  cellMean,
  cleanPanel,
  DEFAULT_INFERENCE,
  type InferenceOptions,
  differenceInDifferences,
  eventStudy,
  groupSeries,
  interruptedTimeSeries,
  type CellMean,
  type DidResult,
  type EventStudyResult,
  type ItsResult,
  type PanelObservation,
  type SeriesPoint,
} from './estimators.ts';
import { mannWhitneyFromCounts, type ValueCount } from './rank-counts.ts';
import { staggeredDid, type StaggeredResult } from './staggered.ts';
import { BOOTSTRAP_SETTINGS_METHOD, type OutcomeLevel } from './schema.ts';
import { displayDecimals, formatQuantity, formatRange, type ValueUnit } from './units.ts';

/** Same shape as the scheme module's Bilingual; declared here so policy/ stays self-contained. */
type Bilingual = { zh: string; en: string };
export interface PolicyWarning {
  zh: string;
  en: string;
  code:
    | 'pre_trend'
    | 'staggered'
    | 'no_control'
    | 'few_clusters'
    | 'no_p_value'
    | 'dropped_units'
    | 'saturated'
    | 'small_sample'
    | 'role_scope_ignored'
    | 'unit_fallback'
    | 'control_other_roles';
}

export interface OverlappingPolicy {
  id: string;
  name: string;
  effectiveFrom: string;
}

export type GradeCounts = Record<Grade, number>;

export interface DistributionInputs {
  /**
   * One value per person and window: value counts of the people's mean scores (x = after the
   * date, y = before) and counts of their median grades — repeated monthly ratings of one person
   * are not independent observations.
   */
  scores: { treated: ValueCount[]; control: ValueCount[] };
  grades: { treated: { before: GradeCounts; after: GradeCounts }; control: { before: GradeCounts; after: GradeCounts } };
}

export interface ScoreShift extends MannWhitneyResult {
  cliffsDelta: number;
}
export interface GradeShift {
  before: GradeCounts;
  after: GradeCounts;
  test: ContingencyResult | null;
}

export interface PolicyAnalysisInput {
  panel: readonly PanelObservation[];
  outcomeLabel: Bilingual;
  unit: OutcomeLevel;
  /**
   * What the outcome's values are measured in (outcomeValueUnit): the summary then writes
   * "3.72 个百分点" / "¥295" as the dashboard's cards do. Without it, plain decimals.
   */
  valueUnit?: ValueUnit;
  distribution: DistributionInputs;
  overlaps: readonly OverlappingPolicy[];
  extraWarnings?: PolicyWarning[];
  /** Bootstrap replications / seed and the ITS errors (defaults: 999, BOOTSTRAP_SEED, HAC). */
  inference?: Partial<InferenceOptions>;
}

export interface PolicyAnalysis {
  unit: OutcomeLevel;
  panel: { observations: number; units: { treated: number; control: number }; droppedMissing: number; droppedUnits: { treated: number; control: number } };
  means: CellMean[];
  series: SeriesPoint[];
  did: DidResult | null;
  eventStudy: EventStudyResult | null;
  its: ItsResult | null;
  /** True when the interrupted time series is the headline because no usable control exists. */
  itsFallback: boolean;
  distribution: {
    scores: { treated: ScoreShift | null; control: ScoreShift | null };
    grades: { treated: GradeShift; control: GradeShift };
    note: Bilingual;
  };
  staggered: {
    flagged: boolean;
    policies: OverlappingPolicy[];
    /** Callaway–Sant'Anna estimates when the chain starts at different dates in different units; else null. */
    cs: StaggeredResult | null;
    /** Which estimate the headline uses: 'cs' under staggered adoption, else 'did' (or 'its' without a control). */
    headline: 'did' | 'cs' | 'its' | null;
  };
  warnings: PolicyWarning[];
  summary: Bilingual;
  methods: Record<'means' | 'did' | 'eventStudy' | 'its' | 'scores' | 'grades' | 'staggered' | 'inference', string>;
}

export const MEANS_METHOD =
  'Mean of the unit-period values per group (treated/control) and window (before/after), each observation weighted ' +
  'equally; 95% CI ȳ ± t(0.975, df)·SE, SE clustered by unit (CR1, df G−1) with ≥ 10 units, else s/√n (df n−1).';
export const SCORES_METHOD =
  'Score shift within each group, one value per person and window: each person’s mean assessment score before the date ' +
  'against each person’s mean after it (a person’s monthly scores are repeated measures of one person, not independent ' +
  'observations, so they are never tested row by row). Two-sided Mann–Whitney U with mid-ranks, tie-corrected variance ' +
  'and continuity correction (exact without ties when both samples ≤ 8; scipy.stats.mannwhitneyu); Cliff’s delta = ' +
  '2U/(n_after·n_before) − 1 (> 0: scores rose). Most people are in both samples, and the test ignores that pairing, ' +
  'which makes it conservative.';
export const GRADES_METHOD =
  'Grade mix before vs after within each group, one grade per person and window: the median of the person’s grades in ' +
  'the window (the worse of the two middle grades when their number is even). Pearson χ² test of independence on the ' +
  '2×5 table of people (no Yates correction, empty grades dropped) with Cramér’s V = √(χ²/(n·(min(r,c)−1))).';
export const INFERENCE_METHOD =
  'Clusters are the units of analysis (employees, or org units × treatment). A single treated or single control unit: ' +
  'no p-value or confidence interval (pValue null, with the reason). 2–29 units per side in total fewer than 30: ' +
  'restricted wild cluster bootstrap (WCR as boottest: null imposed, Rademacher weights from 12 clusters, Webb six-point ' +
  'weights below 12; symmetric p = #{|t*| ≥ |t|}/B; 95% CI by test inversion). 30 or more: CR1 with t(G−1). ' +
  'CR1 small-sample factor G/(G−1)·(n−1)/(n−K) with fixed effects nested in the clusters not counted in K. ' +
  BOOTSTRAP_SETTINGS_METHOD;
export const FORCED_RANKING_NOTE: Bilingual = {
  zh: '在强制分布下，最终等级的比例由制度事先固定，等级结构的变化不能说明绩效变化；应以原始得分或 KPI 达成值作为衡量政策效果的指标。',
  en: 'Under forced ranking the final grade shares are fixed by design, so a change in the grade mix says nothing about performance; the raw score or KPI attainment is the meaningful outcome.',
};

function scoreShift(counts: ValueCount[]): ScoreShift | null {
  let x = 0;
  let y = 0;
  for (const c of counts) {
    x += c.x;
    y += c.y;
  }
  return x > 0 && y > 0 ? mannWhitneyFromCounts(counts) : null;
}

function gradeShift(g: { before: GradeCounts; after: GradeCounts }): GradeShift {
  const table = [GRADES.map((k) => g.before[k]), GRADES.map((k) => g.after[k])];
  const rowsOk = table.every((r) => r.some((v) => v > 0));
  const colsUsed = GRADES.filter((_, j) => table[0]![j]! + table[1]![j]! > 0).length;
  return { ...g, test: rowsOk && colsUsed >= 2 ? chiSquareIndependence(table) : null };
}

/** Runs every estimator the panel supports and writes the warnings and the plain-language summary. */
export function analysePolicy(input: PolicyAnalysisInput): PolicyAnalysis {
  const clean = cleanPanel(input.panel);
  const rows = clean.rows;
  const warnings: PolicyWarning[] = [...(input.extraWarnings ?? [])];
  const treatedUnits = new Set(rows.filter((r) => r.treated).map((r) => r.unit)).size;
  const controlUnits = new Set(rows.filter((r) => !r.treated).map((r) => r.unit)).size;
  const means = [
    cellMean(rows, true, false),
    cellMean(rows, true, true),
    cellMean(rows, false, false),
    cellMean(rows, false, true),
  ].filter((m): m is CellMean => m !== null);
  const opts: InferenceOptions = { ...DEFAULT_INFERENCE, ...input.inference };
  const did = differenceInDifferences(rows, opts);
  const es = did ? eventStudy(rows, opts) : null;
  const its = interruptedTimeSeries(rows, opts);
  const itsFallback = did === null;
  // Staggered adoption: the chain of policies starts at different dates in different units.
  const cohortSet = new Set(rows.map((r) => r.cohort ?? null).filter((c) => c !== null));
  const cs = cohortSet.size >= 2 ? staggeredDid(rows, opts) : null;
  const headline: PolicyAnalysis['staggered']['headline'] = cs && Number.isFinite(cs.overall.estimate) ? 'cs' : did ? 'did' : its ? 'its' : null;

  if (clean.droppedUnits.treated + clean.droppedUnits.control > 0)
    warnings.push({
      code: 'dropped_units',
      zh: `${clean.droppedUnits.treated} 个处理组单位和 ${clean.droppedUnits.control} 个对照组单位只在政策日期一侧有数据，已排除。`,
      en: `${clean.droppedUnits.treated} treated and ${clean.droppedUnits.control} control units have data on one side of the policy date only and were left out.`,
    });
  if (treatedUnits > 0 && controlUnits === 0)
    warnings.push({
      code: 'no_control',
      zh: '没有可用的对照组（范围之外没有在政策前后都有数据的单位），改用处理组的中断时间序列分析；它无法区分政策与同期发生的其他变化。',
      en: 'No usable control group (no unit outside the scope has data both before and after), so the treated group is analysed as an interrupted time series, which cannot separate the policy from anything else that changed at the same time.',
    });
  if (did?.reason && did.inference.method === 'none') warnings.push({ code: 'no_p_value', zh: did.reason.zh, en: did.reason.en });
  else if (did?.reason) warnings.push({ code: 'few_clusters', zh: did.reason.zh, en: did.reason.en });
  if (did && !es)
    warnings.push({
      code: 'saturated',
      zh: '观测太少，无法估计逐期的事件研究（每期一个系数时模型已饱和）。',
      en: 'Too few observations for a per-period event study (one coefficient per period saturates the model).',
    });
  if (es?.preTrend && !es.preTrend.passed)
    warnings.push({
      code: 'pre_trend',
      zh: `平行趋势检验未通过（F = ${es.preTrend.f.toFixed(2)}，${fmtP(es.preTrend.p)}）：政策前处理组与对照组的走势已有差异，双重差分估计可能有偏。`,
      en: `The parallel pre-trend test fails (F = ${es.preTrend.f.toFixed(2)}, ${fmtP(es.preTrend.p)}): treated and control already diverged before the policy, so the difference-in-differences may be biased.`,
    });
  if (rows.length > 0 && rows.length < 20)
    warnings.push({
      code: 'small_sample',
      zh: `只有 ${rows.length} 个观测，结论不稳健。`,
      en: `Only ${rows.length} observations: treat the result with caution.`,
    });
  const staggered = { flagged: input.overlaps.length > 0 || cs !== null, policies: [...input.overlaps], cs, headline };
  if (input.overlaps.length > 0)
    warnings.push({
      code: 'staggered',
      zh: `存在交错实施：${input.overlaps.map((p) => `「${p.name}」(${p.effectiveFrom})`).join('、')} 与本政策范围重叠但生效日期不同，其效应会混入本估计。`,
      en: `Staggered adoption: ${input.overlaps.map((p) => `"${p.name}" (${p.effectiveFrom})`).join(', ')} overlap this policy's scope with a different date, and their effects mix into this estimate.`,
    });
  if (cs)
    warnings.push({
      code: 'staggered',
      zh: '同一方案在不同单位的生效日期不同（试点后推广）：双向固定效应的 DiD 会把已实施的单位当作对照，因此标题结果采用 Callaway–Sant’Anna 估计（只用尚未实施或从未实施的单位作对照），DiD 结果并列显示。',
      en: 'The same scheme took effect at different dates in different units (a pilot, then a roll-out): a two-way fixed-effects DiD would use already-treated units as controls, so the headline is the Callaway–Sant’Anna estimate (only not-yet-treated or never-treated units as controls); the DiD is shown beside it.',
    });
  if (cs && !cs.inference && Number.isFinite(cs.overall.estimate))
    warnings.push({
      code: 'no_p_value',
      zh: '交错实施的某个批次只有 1 个单位（或对照单位不足 2 个）：Callaway–Sant’Anna 估计只给出估计值，不给出 p 值。',
      en: 'A cohort of the staggered roll-out has a single unit (or there are fewer than two comparison units): the Callaway–Sant’Anna estimate is shown without a p-value.',
    });

  const d = input.distribution;
  return {
    unit: input.unit,
    panel: { observations: rows.length, units: { treated: treatedUnits, control: controlUnits }, droppedMissing: clean.droppedMissing, droppedUnits: clean.droppedUnits },
    means,
    series: groupSeries(rows),
    did,
    eventStudy: es,
    its,
    itsFallback,
    distribution: {
      scores: { treated: scoreShift(d.scores.treated), control: scoreShift(d.scores.control) },
      grades: { treated: gradeShift(d.grades.treated), control: gradeShift(d.grades.control) },
      note: FORCED_RANKING_NOTE,
    },
    staggered,
    warnings,
    summary: summarise(input.outcomeLabel, input.unit, did, its, es, cs, input.valueUnit),
    methods: {
      means: MEANS_METHOD,
      did: did?.method ?? '',
      eventStudy: es?.method ?? '',
      its: its?.method ?? '',
      scores: SCORES_METHOD,
      grades: GRADES_METHOD,
      staggered: cs?.method ?? '',
      inference: `${INFERENCE_METHOD} Bootstrap here: B = ${opts.bootstrapReps}, seed ${opts.bootstrapSeed}.`,
    },
  };
}

/** "p < 0.001" or "p = 0.034". */
export function fmtP(p: number): string {
  return p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`;
}

/** Decimals that show the estimate and its interval with about three significant digits. */
export function decimalsFor(...xs: number[]): number {
  return displayDecimals(...xs);
}

function chance(p: number): Bilingual {
  if (p < 0.01) return { zh: '极不可能是偶然', en: 'very unlikely to be chance' };
  if (p < 0.05) return { zh: '不太可能是偶然', en: 'unlikely to be chance' };
  if (p < 0.1) return { zh: '证据较弱', en: 'weak evidence, could be chance' };
  return { zh: '很可能只是偶然波动', en: 'could well be chance' };
}

/** "1.39–2.96", but "-0.0094 to -0.0054" (zh "至") when a bound is negative: "–-0.005" misreads. */
function ciRange(lo: number, hi: number, k: number): Bilingual {
  const a = lo.toFixed(k);
  const b = hi.toFixed(k);
  return lo < 0 || hi < 0 ? { zh: `${a} 至 ${b}`, en: `${a} to ${b}` } : { zh: `${a}–${b}`, en: `${a}–${b}` };
}

function summarise(
  label: Bilingual,
  unit: OutcomeLevel,
  did: DidResult | null,
  its: ItsResult | null,
  es: EventStudyResult | null,
  cs: StaggeredResult | null,
  valueUnit?: ValueUnit,
): Bilingual {
  // A figure (its absolute value: the sentence says rose or fell) and an interval, in the outcome's
  // unit when known; `w` are the figures shown with it, which share its decimals.
  const fig = (x: number, ...w: number[]): Bilingual => {
    if (!valueUnit) {
      const v = Math.abs(x).toFixed(decimalsFor(x, ...w));
      return { zh: v, en: v };
    }
    const o = { delta: true, abs: true, with: w };
    return { zh: formatQuantity(x, valueUnit, 'zh', o), en: formatQuantity(x, valueUnit, 'en', o) };
  };
  const range = (lo: number, hi: number, est: number): Bilingual =>
    valueUnit
      ? { zh: formatRange(lo, hi, valueUnit, 'zh', { delta: true, with: [est] }), en: formatRange(lo, hi, valueUnit, 'en', { delta: true, with: [est] }) }
      : ciRange(lo, hi, decimalsFor(est, lo, hi));
  const groupZh = unit === 'employee' ? '员工' : '部门';
  const groupEn = unit === 'employee' ? 'employees' : 'departments';
  const trend = es?.preTrend && !es.preTrend.passed ? { zh: '（注意：政策前趋势已不平行）', en: ' (caution: pre-trends were not parallel)' } : { zh: '', en: '' };
  const uncertainty = (est: number, ci: [number, number] | null, p: number | null, reason: Bilingual | null): Bilingual => {
    if (ci && p !== null) {
      const r = range(ci[0], ci[1], est);
      const c = chance(p);
      return { zh: `95% 置信区间 ${r.zh}；${fmtP(p)}，${c.zh}`, en: `95% CI ${r.en}; ${fmtP(p)}, ${c.en}` };
    }
    return { zh: `不报告 p 值：${reason?.zh ?? '数据不支持'}`, en: `no p-value: ${reason?.en ?? 'the design does not support one'}` };
  };
  if (cs && Number.isFinite(cs.overall.estimate)) {
    const o = cs.overall;
    const v = fig(o.estimate, ...(o.ci ?? []));
    // The DiD beside it keeps its sign, in the headline's decimals.
    const k = decimalsFor(o.estimate, ...(o.ci ?? []));
    const signedDid = (lang: 'zh' | 'en') =>
      valueUnit ? formatQuantity(did!.estimate, valueUnit, lang, { delta: true, with: [o.estimate, ...(o.ci ?? [])] }) : did!.estimate.toFixed(k);
    const u = uncertainty(o.estimate, o.ci, o.p, {
      zh: '某个实施批次只有 1 个单位或对照单位不足，无法估计不确定性',
      en: 'a cohort has a single unit or there are too few comparison units to estimate the uncertainty',
    });
    const up = o.estimate >= 0;
    const didNote = did
      ? { zh: `（并列的双向固定效应 DiD 为 ${signedDid('zh')}，因交错实施可能有偏）`, en: ` (the two-way fixed-effects DiD beside it is ${signedDid('en')}, which staggered timing can bias)` }
      : { zh: '', en: '' };
    return {
      zh: `同一方案在不同单位的实施日期不同（交错实施），标题结果采用 Callaway–Sant’Anna 估计：实施后处理${groupZh}的${label.zh}平均${up ? '上升' : '下降'}了 ${v.zh}（相对尚未实施或从未实施的单位）；${u.zh}${didNote.zh}。`,
      en: `The policy started at different dates in different units (staggered), so the headline is the Callaway–Sant’Anna estimate: after the start, ${label.en} ${up ? 'rose' : 'fell'} ${v.en} on average in treated ${groupEn} relative to not-yet-treated or never-treated ones; ${u.en}${didNote.en}.`,
    };
  }
  if (did) {
    const v = fig(did.estimate, ...(did.ci ?? []));
    const u = uncertainty(did.estimate, did.ci, did.p, did.reason);
    const up = did.estimate >= 0;
    return {
      zh: `与对照组相比，处理组${groupZh}的${label.zh}${up ? '多上升' : '多下降'}了 ${v.zh}；${u.zh}${trend.zh}。`,
      en: `${cap(label.en)} ${up ? 'rose' : 'fell'} ${v.en} more in treated ${groupEn} than in control ones; ${u.en}${trend.en}.`,
    };
  }
  if (its && its.levelChange.ci && its.levelChange.p !== null) {
    const l = its.levelChange;
    const v = fig(l.estimate, l.ci![0], l.ci![1]);
    const r = range(l.ci![0], l.ci![1], l.estimate);
    const c = chance(l.p!);
    const up = l.estimate >= 0;
    return {
      zh: `没有可用的对照组。按中断时间序列，处理组的${label.zh}在政策生效时${up ? '上升' : '下降'}了 ${v.zh}；95% 置信区间 ${r.zh}；${fmtP(l.p!)}，${c.zh}。此结论无法排除同期其他因素。`,
      en: `No usable control group. As an interrupted time series, ${label.en} in the treated group ${up ? 'rose' : 'fell'} by ${v.en} when the policy took effect; 95% CI ${r.en}; ${fmtP(l.p!)}, ${c.en}. Other changes at the same date cannot be ruled out.`,
    };
  }
  return {
    zh: `数据不足，无法估计政策对${label.zh}的影响（需要政策前后各至少两个期间）。`,
    en: `Not enough data to estimate the policy's effect on ${label.en} (at least two periods are needed on each side of the date).`,
  };
}

const cap = (s: string) => (s ? s[0]!.toUpperCase() + s.slice(1) : s);
