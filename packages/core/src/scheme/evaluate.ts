import { BilingualError } from '../errors.ts';
import { GRADES, GRADE_LABELS, type Grade, type GradeRounding, gradeForScore, gradingValue } from '../domain.ts';
import { formatNumber, roundHalfUp, roundMoney } from './format.ts';
import { raterComposite, type RaterScores } from './raters.ts';
import type { Bilingual, BonusBase, BonusComponent, GradeBand, Kpi, Scheme, Tier } from './types.ts';

export interface KpiInput {
  actual: number | null;
  target?: number | null;
}

export interface KpiLine {
  kpiCode: string;
  actual: number | null;
  target: number | null;
  /** KPI points on the 0–100 scale (a capped ratio may exceed 100). */
  points: number;
  /** Contribution to the total score: points × weight / 100. */
  weighted: number;
  weight: number;
  explanation: Bilingual;
}

export interface EvaluateOptions {
  /**
   * Explanations cost string building; the demo generator scores tens of millions of lines and
   * turns them off. Numbers are identical either way.
   */
  explain?: boolean;
}

/** Error the user can act on (missing input, missing salary …), bilingual. */
export class SchemeEvaluationError extends BilingualError {}

const NO_EXPLANATION: Bilingual = { zh: '', en: '' };

function tierMatches(t: Tier, v: number, direction: 'higher' | 'lower'): boolean {
  // higher-is-better tables read "X ≥ 75%": lower bound inclusive. lower-is-better tables read
  // "T ≤ 30s": upper bound inclusive. Validation guarantees exactly one tier matches.
  if (direction === 'higher') return (t.from === null || v >= t.from) && (t.to === null || v < t.to);
  return (t.from === null || v > t.from) && (t.to === null || v <= t.to);
}

function tierText(t: Tier, direction: 'higher' | 'lower', rawUnit?: string): string {
  // "8.6/10 → 档位 ≥8": a scale suffix reads oddly on a bound, units like % or s do not.
  const unit = rawUnit?.startsWith('/') ? undefined : rawUnit;
  if (direction === 'higher') return t.from !== null ? `≥${formatNumber(t.from, unit)}` : `<${formatNumber(t.to!, unit)}`;
  return t.to !== null ? `≤${formatNumber(t.to, unit)}` : `>${formatNumber(t.from!, unit)}`;
}

const f = formatNumber;
const bilingual = ([zh, en]: [string, string]): Bilingual => ({ zh, en });


/** Scores one KPI line. Non-finite inputs score 0 with an explanation saying why. */
export function evaluateKpi(kpi: Kpi, input: KpiInput, options: EvaluateOptions = {}): KpiLine {
  const actual = input.actual ?? null;
  const target = input.target ?? null;
  const w = kpi.weight;
  const rule = kpi.rule;
  let points = 0;
  let weighted = 0;
  // Numbers first, without closures or strings: the demo scores ~60M lines with explain off.
  if (actual !== null && Number.isFinite(actual)) {
    switch (rule.type) {
      case 'tier': {
        const v = rule.measure === 'achievement' ? (target !== null && target > 0 ? actual / target : NaN) : actual;
        const tier = Number.isNaN(v) ? undefined : findTier(rule.tiers, v, rule.direction);
        points = tier ? tier.points : 0;
        weighted = (points * w) / 100;
        break;
      }
      case 'ratio': {
        if (target === null || !(target > 0) || (rule.direction === 'lower' && !(actual > 0))) break;
        const raw = rule.direction === 'higher' ? (actual / target) * 100 : (target / actual) * 100;
        points = Math.max(0, rule.cap !== undefined && raw > rule.cap ? rule.cap : raw);
        weighted = (points * w) / 100;
        break;
      }
      case 'deduction': {
        if (rule.basis === 'shortfall' && target === null) break;
        const occ = rule.basis === 'shortfall' ? Math.max(0, target! - actual) : Math.max(0, actual);
        // 1e-9 keeps 3 × (1/3)-style float noise from losing a whole step.
        const steps = Math.floor(occ / rule.every + 1e-9);
        weighted = Math.max(0, (rule.full ?? w) - rule.per * steps);
        points = (weighted / w) * 100;
        break;
      }
      case 'bonus': {
        const steps = Math.floor(Math.max(0, actual) / rule.every + 1e-9);
        weighted = Math.min(rule.cap ?? w, rule.base + rule.per * steps);
        points = (weighted / w) * 100;
        break;
      }
      case 'rater':
        points = Math.min(100, Math.max(0, actual));
        weighted = (points * w) / 100;
        break;
    }
  }
  const explanation = options.explain ?? true ? explainKpi(kpi, actual, target, points, weighted) : NO_EXPLANATION;
  return { kpiCode: kpi.code, actual, target, points, weighted, weight: w, explanation };
}

function findTier(tiers: readonly Tier[], v: number, direction: 'higher' | 'lower'): Tier | undefined {
  for (const t of tiers) if (tierMatches(t, v, direction)) return t;
  return undefined;
}

/** The words for a line already scored by evaluateKpi (same branches, strings only). */
function explainKpi(kpi: Kpi, actual: number | null, target: number | null, points: number, weighted: number): Bilingual {
  const rule = kpi.rule;
  const w = kpi.weight;
  const zhName = kpi.name.zh;
  const enName = kpi.name.en;
  if (actual === null || !Number.isFinite(actual)) return { zh: `${zhName} 无实际值 → 0`, en: `${enName}: no actual value → 0` };
  const tail = `${f(points)} × ${f(w)}% = ${f(weighted)}`;
  switch (rule.type) {
    case 'tier': {
      let shown = f(actual, kpi.unit);
      let v = actual;
      if (rule.measure === 'achievement') {
        if (target === null || !(target > 0)) return { zh: `${zhName} 缺少有效目标值 → 0`, en: `${enName}: no valid target → 0` };
        v = actual / target;
        shown = `${f(actual, kpi.unit)}/${f(target, kpi.unit)} = ${f(v, '%')}`;
      }
      const tier = findTier(rule.tiers, v, rule.direction);
      const label = tier ? tierText(tier, rule.direction, rule.measure === 'achievement' ? '%' : kpi.unit) : '—';
      return { zh: `${zhName} ${shown} → 档位 ${label} → ${tail}`, en: `${enName} ${shown} → tier ${label} → ${tail}` };
    }
    case 'ratio': {
      if (target === null || !(target > 0) || (rule.direction === 'lower' && !(actual > 0)))
        return { zh: `${zhName} 缺少有效目标值或实际值 → 0`, en: `${enName}: no valid target/actual → 0` };
      const raw = rule.direction === 'higher' ? (actual / target) * 100 : (target / actual) * 100;
      const capped = rule.cap !== undefined && raw > rule.cap;
      const frac = rule.direction === 'higher' ? `${f(actual, kpi.unit)}/${f(target, kpi.unit)}` : `${f(target, kpi.unit)}/${f(actual, kpi.unit)}`;
      return {
        zh: `${zhName} ${frac} = ${f(raw)}%${capped ? `（封顶 ${f(rule.cap!)}）` : ''} → ${tail}`,
        en: `${enName} ${frac} = ${f(raw)}%${capped ? ` (capped at ${f(rule.cap!)})` : ''} → ${tail}`,
      };
    }
    case 'deduction': {
      const full = rule.full ?? w;
      let occ = Math.max(0, actual);
      let shownZh = f(actual, kpi.unit);
      let shownEn = shownZh;
      if (rule.basis === 'shortfall') {
        if (target === null) return { zh: `${zhName} 缺少目标值 → 0`, en: `${enName}: no target → 0` };
        occ = Math.max(0, target - actual);
        shownZh = `${f(actual, kpi.unit)}/${f(target, kpi.unit)}，差 ${f(occ)}`;
        shownEn = `${f(actual, kpi.unit)}/${f(target, kpi.unit)}, ${f(occ)} short`;
      }
      const steps = Math.floor(occ / rule.every + 1e-9);
      const floored = full - rule.per * steps < 0;
      const every = rule.every === 1 ? '每次' : `每 ${f(rule.every)}`;
      const everyEn = rule.every === 1 ? 'each' : `each ${f(rule.every)}`;
      return {
        zh: `${zhName} ${shownZh} → ${every}扣 ${f(rule.per)} 分 × ${steps} → ${f(full)} − ${f(rule.per * steps)} = ${f(weighted)}${floored ? '（扣完为止）' : ''}`,
        en: `${enName} ${shownEn} → −${f(rule.per)} ${everyEn} × ${steps} → ${f(full)} − ${f(rule.per * steps)} = ${f(weighted)}${floored ? ' (floored at 0)' : ''}`,
      };
    }
    case 'bonus': {
      const cap = rule.cap ?? w;
      const steps = Math.floor(Math.max(0, actual) / rule.every + 1e-9);
      const raw = rule.base + rule.per * steps;
      const every = rule.every === 1 ? '每次' : `每 ${f(rule.every)}`;
      const everyEn = rule.every === 1 ? 'each' : `each ${f(rule.every)}`;
      return {
        zh: `${zhName} ${f(actual, kpi.unit)} → ${every}加 ${f(rule.per)} 分 × ${steps} → ${f(rule.base)} + ${f(rule.per * steps)} = ${f(raw)}${raw > cap ? `，上限 ${f(cap)}` : ''} → ${f(weighted)}`,
        en: `${enName} ${f(actual, kpi.unit)} → +${f(rule.per)} ${everyEn} × ${steps} → ${f(rule.base)} + ${f(rule.per * steps)} = ${f(raw)}${raw > cap ? `, capped at ${f(cap)}` : ''} → ${f(weighted)}`,
      };
    }
    case 'rater':
      return { zh: `${zhName} ${f(actual)} → ${tail}`, en: `${enName} ${f(actual)} → ${tail}` };
  }
}


/** Scheme bands with JSON's null minimum read as −∞, in the shape core gradeForScore expects. */
export function bandsForGrading(bands: readonly GradeBand[]): Array<{ grade: Grade; min: number; coefficient: number }> {
  return bands.map((b) => ({ grade: b.grade, min: b.min ?? Number.NEGATIVE_INFINITY, coefficient: b.coefficient }));
}

export function coefficientFor(bands: readonly GradeBand[], grade: Grade): number {
  const band = bands.find((b) => b.grade === grade);
  if (!band) throw new SchemeEvaluationError(`等级 ${grade} 不在方案的等级档位中`, `grade ${grade} is not in the scheme's bands`);
  return band.coefficient;
}

/** Grade and coefficient for a score, including for roll-ups (quarter/year means) and re-grading. */
export function gradeScore(bands: readonly GradeBand[], score: number, rounding: GradeRounding = 'none'): { grade: Grade; coefficient: number } {
  const grade = gradeForScore(score, bandsForGrading(bands), rounding);
  return { grade, coefficient: coefficientFor(bands, grade) };
}

/**
 * The grading step in words, with the band's bounds as the comparison ran: "得分 90.5（不取整）
 * → 良：81 ≤ 90.5 < 91" or, under half-up rounding, "得分 90.5，四舍五入为 91 → 优：91 ≤ 91".
 */
export function explainGrade(bands: readonly GradeBand[], score: number, rounding: GradeRounding, grade: Grade): Bilingual {
  const v = gradingValue(score, rounding);
  const i = bands.findIndex((b) => b.grade === grade);
  const band = bands[i]!;
  const upper = i > 0 ? bands[i - 1]!.min : null;
  const range = `${band.min === null ? '' : `${f(band.min)} ≤ `}${f(v)}${upper === null ? '' : ` < ${f(upper)}`}`;
  const label = GRADE_LABELS[grade];
  return rounding === 'half_up_integer'
    ? {
        zh: `得分 ${f(score)}，按方案先四舍五入为整数 ${f(v)} → ${label.zh}（${grade}）：${range}`,
        en: `score ${f(score)}, rounded half-up to the integer ${f(v)} as the scheme says → ${label.en} (${grade}): ${range}`,
      }
    : {
        zh: `得分 ${f(score)}（不取整，直接对照等级区间）→ ${label.zh}（${grade}）：${range}`,
        en: `score ${f(score)} (not rounded: compared with the bands as it is) → ${label.en} (${grade}): ${range}`,
      };
}

/** True when `a` is a worse grade than `b` (A best … E worst). */
export function isWorseGrade(a: Grade, b: Grade): boolean {
  return GRADES.indexOf(a) > GRADES.indexOf(b);
}

export interface SchemeInputs {
  kpis: Record<string, KpiInput | undefined>;
  raters?: RaterScores;
  /** Event counts over each veto's window, e.g. { complaint_exposure: 2 } for the quarter. */
  events?: Record<string, number | undefined>;
  monthlySalary?: number | null;
  /** Order total for commission components (元). */
  orderTotal?: number | null;
  /** Supervisor's ratio for achievement_split (0.6–1.4 by default; clamped). */
  supervisorRatio?: number | null;
}

export interface BonusPart {
  type: BonusComponent['type'];
  amount: number;
  explanation: Bilingual;
}

export interface SchemeResult {
  schemeId: string;
  /** Sum of the weighted lines, rounded half-up to 2 decimals before grading. */
  score: number;
  /** Grade from the bands alone, before any veto. */
  bandGrade: Grade;
  /** How the bands were applied (rounding rule and the band's bounds); empty when not explaining. */
  gradeExplanation: Bilingual;
  grade: Grade;
  coefficient: number;
  veto: { event: string; count: number; capGrade: Grade; reason: Bilingual } | null;
  raterComposite: number | null;
  lines: KpiLine[];
  /** Null when the scheme has no bonus formula. */
  bonus: { amount: number; parts: BonusPart[] } | null;
}

function baseAmount(base: BonusBase, inputs: SchemeInputs, explain: boolean): { amount: number; zh: string; en: string } {
  if (base.kind === 'fixed') return explain ? { amount: base.amount, zh: f(base.amount), en: f(base.amount) } : { amount: base.amount, zh: '', en: '' };
  const salary = inputs.monthlySalary;
  if (salary === null || salary === undefined || !Number.isFinite(salary))
    throw new SchemeEvaluationError('计算奖金需要月工资，但未提供', 'the bonus formula needs the monthly salary, which is missing');
  const amount = salary * base.share;
  if (!explain) return { amount, zh: '', en: '' };
  return base.share === 1
    ? { amount, zh: `月工资 ${f(salary)}`, en: `monthly salary ${f(salary)}` }
    : { amount, zh: `月工资 ${f(salary)} × ${f(base.share * 100)}%`, en: `monthly salary ${f(salary)} × ${f(base.share * 100)}%` };
}

/**
 * Bonus components are summed; each is rounded to cents half-up on its own (it is a line on the
 * pay slip), so the total equals the sum of the printed parts.
 */
export function computeBonus(scheme: Scheme, result: Omit<SchemeResult, 'bonus'>, inputs: SchemeInputs, explain = true): BonusPart[] {
  return scheme.bonus.map((c): BonusPart => {
    // Text is built only when asked for: the demo computes millions of bonuses.
    const ex = (text: () => [string, string]): Bilingual => (explain ? bilingual(text()) : NO_EXPLANATION);
    switch (c.type) {
      case 'score_share': {
        const b = baseAmount(c.base, inputs, explain);
        const amount = roundMoney((b.amount * result.score) / 100);
        return { type: c.type, amount, explanation: ex(() => [`${b.zh} × ${f(result.score)}/100 = ${f(amount)}`, `${b.en} × ${f(result.score)}/100 = ${f(amount)}`]) };
      }
      case 'grade_coefficient': {
        const b = baseAmount(c.base, inputs, explain);
        const amount = roundMoney(b.amount * result.coefficient);
        return {
          type: c.type,
          amount,
          explanation: ex(() => [`${b.zh} × 系数 ${f(result.coefficient)}（${result.grade}）= ${f(amount)}`, `${b.en} × coefficient ${f(result.coefficient)} (${result.grade}) = ${f(amount)}`]),
        };
      }
      case 'achievement_split': {
        const b = baseAmount(c.base, inputs, explain);
        const line = result.lines.find((l) => l.kpiCode === c.kpiCode);
        const achievement = line && line.actual !== null && line.target ? line.actual / line.target : 0;
        const rawRatio = inputs.supervisorRatio;
        if (rawRatio === null || rawRatio === undefined || !Number.isFinite(rawRatio))
          throw new SchemeEvaluationError('计算奖金需要上级考核比例，但未提供', 'the bonus formula needs the supervisor ratio, which is missing');
        const ratio = Math.min(c.supervisorRatioMax, Math.max(c.supervisorRatioMin, rawRatio));
        const resultPart = achievement * b.amount * c.resultShare;
        const supPart = ratio * b.amount * c.supervisorShare;
        const amount = roundMoney(resultPart + supPart);
        const pct = (x: number) => `${f(x * 100)}%`;
        return {
          type: c.type,
          amount,
          explanation: ex(() => [
            `达成 ${pct(achievement)} × ${b.zh} × ${pct(c.resultShare)} + 上级考核 ${pct(ratio)} × ${b.zh} × ${pct(c.supervisorShare)} = ${f(resultPart)} + ${f(supPart)} = ${f(amount)}`,
            `achievement ${pct(achievement)} × ${b.en} × ${pct(c.resultShare)} + supervisor ${pct(ratio)} × ${b.en} × ${pct(c.supervisorShare)} = ${f(resultPart)} + ${f(supPart)} = ${f(amount)}`,
          ]),
        };
      }
      case 'commission': {
        const total = inputs.orderTotal;
        if (total === null || total === undefined || !Number.isFinite(total))
          throw new SchemeEvaluationError('计算提成需要订单总额，但未提供', 'the commission needs the order total, which is missing');
        const amount = roundMoney(total * c.rate);
        return { type: c.type, amount, explanation: ex(() => [`订单总额 ${f(total)} × ${f(c.rate * 1000)}‰ = ${f(amount)}`, `order total ${f(total)} × ${f(c.rate * 1000)}‰ = ${f(amount)}`]) };
      }
    }
  });
}

/**
 * Scores one employee-period under a scheme: KPI lines → total score (rounded half-up to 2
 * decimals) → grade by the scheme's bands (the unrounded score, unless gradeRounding says
 * 'half_up_integer') → veto caps → coefficient
 * → bonus. A missing KPI input is an error rather than a silent 0, so a data gap is never
 * mistaken for poor performance.
 */
export function evaluateScheme(scheme: Scheme, inputs: SchemeInputs, options: EvaluateOptions = {}): SchemeResult {
  const explain = options.explain ?? true;
  let composite: number | null = null;
  let compositeExpl: Bilingual | null = null;
  if (scheme.raters && inputs.raters) {
    const c = raterComposite(scheme.raters.weights, inputs.raters, explain);
    composite = c.value;
    compositeExpl = c.explanation;
  }
  const lines: KpiLine[] = [];
  let total = 0;
  for (const kpi of scheme.kpis) {
    let input = inputs.kpis[kpi.code];
    if (kpi.rule.type === 'rater' && composite !== null) input = { actual: composite, target: input?.target ?? null };
    if (!input)
      throw new SchemeEvaluationError(
        `方案 ${scheme.id} 缺少指标 ${kpi.name.zh}（${kpi.code}）的数据`,
        `scheme ${scheme.id}: no input for KPI ${kpi.name.en} (${kpi.code})`,
      );
    const line = evaluateKpi(kpi, input, options);
    if (explain && kpi.rule.type === 'rater' && compositeExpl)
      line.explanation = { zh: `${line.explanation.zh}；评分人综合 ${compositeExpl.zh}`, en: `${line.explanation.en}; raters ${compositeExpl.en}` };
    lines.push(line);
    total += line.weighted;
  }
  const score = roundHalfUp(total, 2);
  const rounding = scheme.gradeRounding ?? 'none';
  const band = gradeScore(scheme.gradeBands, score, rounding);
  let grade = band.grade;
  let veto: SchemeResult['veto'] = null;
  for (const v of scheme.vetoes) {
    const count = inputs.events?.[v.event] ?? 0;
    if (count >= v.threshold && isWorseGrade(v.capGrade, grade)) {
      grade = v.capGrade;
      veto = { event: v.event, count, capGrade: v.capGrade, reason: v.reason };
    }
  }
  const partial = {
    schemeId: scheme.id,
    score,
    bandGrade: band.grade,
    gradeExplanation: explain ? explainGrade(scheme.gradeBands, score, rounding, band.grade) : NO_EXPLANATION,
    grade,
    coefficient: coefficientFor(scheme.gradeBands, grade),
    veto,
    raterComposite: composite,
    lines,
  };
  if (scheme.bonus.length === 0) return { ...partial, bonus: null };
  const parts = computeBonus(scheme, partial, inputs, explain);
  const amount = roundMoney(parts.reduce((a, p) => a + p.amount, 0));
  return { ...partial, bonus: { amount, parts } };
}
