import { GRADES, type Grade } from '../domain.ts';
import { chiSquareIndependence, type ContingencyResult, type MannWhitneyResult } from '../stats/tests.ts';
import {
  cellMean,
  cleanPanel,
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
import type { OutcomeLevel } from './schema.ts';

/** Same shape as the scheme module's Bilingual; declared here so policy/ stays self-contained. */
type Bilingual = { zh: string; en: string };
export interface PolicyWarning {
  zh: string;
  en: string;
  code: 'pre_trend' | 'staggered' | 'no_control' | 'few_clusters' | 'dropped_units' | 'saturated' | 'small_sample' | 'role_scope_ignored' | 'unit_fallback' | 'control_other_roles';
}

export interface OverlappingPolicy {
  id: string;
  name: string;
  effectiveFrom: string;
}

export type GradeCounts = Record<Grade, number>;

export interface DistributionInputs {
  /** Score value counts; x = after the date, y = before. */
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
  distribution: DistributionInputs;
  overlaps: readonly OverlappingPolicy[];
  extraWarnings?: PolicyWarning[];
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
  staggered: { flagged: boolean; policies: OverlappingPolicy[] };
  warnings: PolicyWarning[];
  summary: Bilingual;
  methods: Record<'means' | 'did' | 'eventStudy' | 'its' | 'scores' | 'grades', string>;
}

export const MEANS_METHOD =
  'Mean of the unit-period values per group (treated/control) and window (before/after), each observation weighted ' +
  'equally; 95% CI ȳ ± t(0.975, df)·SE, SE clustered by unit (CR1, df G−1) with ≥ 10 units, else s/√n (df n−1).';
export const SCORES_METHOD =
  'Raw assessment scores after vs before the date within each group: two-sided Mann–Whitney U with mid-ranks, tie-corrected ' +
  'variance and continuity correction (exact without ties when both samples ≤ 8); Cliff’s delta = 2U/(n_after·n_before) − 1 ' +
  '(> 0: scores rose).';
export const GRADES_METHOD =
  'Grade mix before vs after within each group: Pearson χ² test of independence on the 2×5 table (no Yates correction, ' +
  'empty grades dropped) with Cramér’s V = √(χ²/(n·(min(r,c)−1))).';
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
  const did = differenceInDifferences(rows);
  const es = did ? eventStudy(rows) : null;
  const its = interruptedTimeSeries(rows);
  const itsFallback = did === null;

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
  if (did && did.seType === 'classical')
    warnings.push({
      code: 'few_clusters',
      zh: `只有 ${treatedUnits + controlUnits} 个单位（少于 10 个），无法可靠地按单位聚类标准误，使用的是普通 OLS 标准误，可能低估不确定性。`,
      en: `Only ${treatedUnits + controlUnits} units (fewer than 10): standard errors are classical OLS, not clustered by unit, and may understate the uncertainty.`,
    });
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
  const staggered = { flagged: input.overlaps.length > 0, policies: [...input.overlaps] };
  if (staggered.flagged)
    warnings.push({
      code: 'staggered',
      zh: `存在交错实施：${input.overlaps.map((p) => `「${p.name}」(${p.effectiveFrom})`).join('、')} 与本政策范围重叠但生效日期不同，其效应会混入本估计。`,
      en: `Staggered adoption: ${input.overlaps.map((p) => `"${p.name}" (${p.effectiveFrom})`).join(', ')} overlap this policy's scope with a different date, and their effects mix into this estimate.`,
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
    summary: summarise(input.outcomeLabel, input.unit, did, its, es),
    methods: {
      means: MEANS_METHOD,
      did: did?.method ?? '',
      eventStudy: es?.method ?? '',
      its: its?.method ?? '',
      scores: SCORES_METHOD,
      grades: GRADES_METHOD,
    },
  };
}

/** "p < 0.001" or "p = 0.034". */
export function fmtP(p: number): string {
  return p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`;
}

/** Decimals that show the estimate and its interval with about three significant digits. */
export function decimalsFor(...xs: number[]): number {
  const m = Math.max(...xs.map(Math.abs).filter((x) => Number.isFinite(x) && x > 0), 1e-12);
  return Math.min(6, Math.max(0, 2 - Math.floor(Math.log10(m))));
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

function summarise(label: Bilingual, unit: OutcomeLevel, did: DidResult | null, its: ItsResult | null, es: EventStudyResult | null): Bilingual {
  const groupZh = unit === 'employee' ? '员工' : '部门';
  const groupEn = unit === 'employee' ? 'employees' : 'departments';
  if (did && did.ci && did.p !== null) {
    const k = decimalsFor(did.estimate, did.ci[0], did.ci[1]);
    const v = Math.abs(did.estimate).toFixed(k);
    const ci = ciRange(did.ci[0], did.ci[1], k);
    const c = chance(did.p);
    const up = did.estimate >= 0;
    const trend = es?.preTrend && !es.preTrend.passed ? { zh: '（注意：政策前趋势已不平行）', en: ' (caution: pre-trends were not parallel)' } : { zh: '', en: '' };
    return {
      zh: `与对照组相比，处理组${groupZh}的${label.zh}${up ? '多上升' : '多下降'}了 ${v}；95% 置信区间 ${ci.zh}；${fmtP(did.p)}，${c.zh}${trend.zh}。`,
      en: `${cap(label.en)} ${up ? 'rose' : 'fell'} ${v} more in treated ${groupEn} than in control ones; 95% CI ${ci.en}; ${fmtP(did.p)}, ${c.en}${trend.en}.`,
    };
  }
  if (its && its.levelChange.ci && its.levelChange.p !== null) {
    const l = its.levelChange;
    const k = decimalsFor(l.estimate, l.ci![0], l.ci![1]);
    const c = chance(l.p!);
    const up = l.estimate >= 0;
    return {
      zh: `没有可用的对照组。按中断时间序列，处理组的${label.zh}在政策生效时${up ? '上升' : '下降'}了 ${Math.abs(l.estimate).toFixed(k)}；95% 置信区间 ${ciRange(l.ci![0], l.ci![1], k).zh}；${fmtP(l.p!)}，${c.zh}。此结论无法排除同期其他因素。`,
      en: `No usable control group. As an interrupted time series, ${label.en} in the treated group ${up ? 'rose' : 'fell'} by ${Math.abs(l.estimate).toFixed(k)} when the policy took effect; 95% CI ${ciRange(l.ci![0], l.ci![1], k).en}; ${fmtP(l.p!)}, ${c.en}. Other changes at the same date cannot be ruled out.`,
    };
  }
  return {
    zh: `数据不足，无法估计政策对${label.zh}的影响（需要政策前后各至少两个期间）。`,
    en: `Not enough data to estimate the policy's effect on ${label.en} (at least two periods are needed on each side of the date).`,
  };
}

const cap = (s: string) => (s ? s[0]!.toUpperCase() + s.slice(1) : s);
