import { BUILTIN_SCHEMES } from '../scheme/seeds.ts';
import { roundHalfUp } from '../scheme/format.ts';
import { parseOutcome, type OutcomeId } from './schema.ts';

/**
 * What an outcome's numbers are measured in, so every place that prints one (the executive cards,
 * the plain-language summary, the analysis cards) says "+3.72 个百分点" rather than "+0.0372":
 *
 * - `points`: score points (total score, 0–100);
 * - `rate`: a fraction 0..1 (turnover rate, KPI rates with unit '%'); levels print as %, differences
 *   as percentage points;
 * - `percent`: already in percent (grade shares 0..100); as `rate` without the ×100;
 * - `money`: yuan, or 万元 as recorded (`per` = yuan per recorded unit);
 * - `count`: counts of things (complaints, headcount), grouped, no unit word;
 * - `plain`: anything else, with an optional unit word (s, 天, /10).
 */
export type ValueUnit =
  | { kind: 'points' }
  | { kind: 'rate' }
  | { kind: 'percent' }
  | { kind: 'money'; per: number }
  | { kind: 'count' }
  | { kind: 'plain'; suffix?: { zh: string; en: string } };

export type UnitLang = 'zh' | 'en';

/** Metric names whose values are fractions 0..1. */
const RATE_METRICS = new Set(['turnover_rate', 'order_accuracy', 'satisfaction_rate', 'error_rate', 'retention_rate', 'attendance_rate', 'return_rate', 'conversion_rate']);
/** Metric names in yuan. */
const MONEY_METRICS = new Set(['sales', 'order_total', 'revenue', 'profit', 'net_profit', 'cost', 'cost_per_head', 'bonus', 'salary']);
/** Metric names that count things. */
const COUNT_METRICS = new Set(['complaints', 'complaint_exposure', 'headcount', 'turnover', 'absence', 'returns', 'hires', 'leavers']);

/** A KPI's unit as the seed schemes write it ('%', '万元', '次', 's', '/10' …) as a ValueUnit. */
export function kpiValueUnit(unit: string | undefined): ValueUnit {
  switch (unit) {
    case undefined:
    case '':
      return { kind: 'plain' };
    case '%':
      return { kind: 'rate' };
    case '元':
      return { kind: 'money', per: 1 };
    case '万元':
      return { kind: 'money', per: 10_000 };
    case '个':
    case '次':
    case '封':
    case '条':
    case '通':
    case '人':
      return { kind: 'count' };
    case '天':
      return { kind: 'plain', suffix: { zh: ' 天', en: ' days' } };
    case 's':
      return { kind: 'plain', suffix: { zh: ' 秒', en: ' s' } };
    default:
      return { kind: 'plain', suffix: { zh: unit.startsWith('/') ? unit : ` ${unit}`, en: unit.startsWith('/') ? unit : ` ${unit}` } };
  }
}

/** The unit of a policy outcome's values (see ValueUnit); a metric PerfLens does not know is `plain`. */
export function outcomeValueUnit(outcome: OutcomeId | string): ValueUnit {
  const { kind, code } = parseOutcome(outcome as OutcomeId);
  switch (kind) {
    case 'score':
      return { kind: 'points' };
    case 'bonus':
      return { kind: 'money', per: 1 };
    case 'grade':
      return { kind: 'percent' };
    case 'kpi': {
      const kpi = BUILTIN_SCHEMES.flatMap((s) => s.kpis).find((k) => k.code === code);
      return kpiValueUnit(kpi?.unit);
    }
    case 'metric':
    case 'emetric':
      if (RATE_METRICS.has(code!)) return { kind: 'rate' };
      if (MONEY_METRICS.has(code!)) return { kind: 'money', per: 1 };
      if (COUNT_METRICS.has(code!)) return { kind: 'count' };
      return { kind: 'plain' };
    default:
      return { kind: 'plain' };
  }
}

/**
 * The one rounding rule for figures: three significant digits of the largest magnitude among
 * the numbers shown together (an estimate and its interval), never cutting into a whole number
 * (1,501,337 stays whole; 0.0372 keeps four decimals), rounded half-up as written.
 */
export function displayDecimals(...xs: number[]): number {
  const m = Math.max(...xs.map(Math.abs).filter((x) => Number.isFinite(x) && x > 0), 1e-12);
  return Math.min(6, Math.max(0, 2 - Math.floor(Math.log10(m))));
}

/** At or above this many yuan, Chinese text writes money in 万元. */
export const WAN_FROM = 10_000;

interface Scaled {
  /** The number in the unit printed. */
  x: number;
  prefix: string;
  suffix: string;
}

/**
 * The number in the unit it is printed in: rates ×100; money in yuan, or in 万元 in Chinese when
 * the largest figure shown with it (`magnitude`, in the same recorded unit) reaches WAN_FROM yuan.
 */
function scale(v: number, unit: ValueUnit, lang: UnitLang, delta: boolean, magnitude: number): Scaled {
  switch (unit.kind) {
    case 'points':
      return { x: v, prefix: '', suffix: lang === 'zh' ? ' 分' : ' points' };
    case 'rate':
    case 'percent': {
      const x = unit.kind === 'rate' ? v * 100 : v;
      return { x, prefix: '', suffix: delta ? (lang === 'zh' ? ' 个百分点' : ' pp') : '%' };
    }
    case 'money': {
      const yuan = v * unit.per;
      if (lang === 'zh' && Math.abs(magnitude * unit.per) >= WAN_FROM) return { x: yuan / 10_000, prefix: '', suffix: ' 万元' };
      return { x: yuan, prefix: '¥', suffix: '' };
    }
    case 'count':
      return { x: v, prefix: '', suffix: '' };
    case 'plain': {
      // A scale such as '/10' describes a level; "+0.41/10" misreads, so differences drop it.
      const s = unit.suffix?.[lang] ?? '';
      return { x: v, prefix: '', suffix: delta && s.startsWith('/') ? '' : s };
    }
  }
}

/** The decimals the rule gives for these numbers in the unit they print in. */
export function unitDecimals(unit: ValueUnit, lang: UnitLang, delta: boolean, ...xs: number[]): number {
  const finite = xs.filter((x) => Number.isFinite(x));
  const magnitude = Math.max(0, ...finite.map(Math.abs));
  return displayDecimals(...finite.map((x) => scale(x, unit, lang, delta, magnitude).x));
}

/** 1234567.5 → "1,234,567.5" (zh-CN and en-US group the same way). */
export function groupDigits(text: string): string {
  const [int, frac] = text.split('.') as [string, string?];
  return `${int.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${frac === undefined ? '' : `.${frac}`}`;
}

function digits(x: number, decimals: number): string {
  return groupDigits(roundHalfUp(Math.abs(x), decimals).toFixed(decimals));
}

export interface QuantityOptions {
  /** A difference (percentage points, no scale word) rather than a level. */
  delta?: boolean;
  /** '+' in front of a positive number (differences in headlines). */
  signed?: boolean;
  /** Fixed decimals; default: the rounding rule over `with` and the value. */
  decimals?: number;
  /** Other figures shown with this one (its CI bounds): they share the decimals and the 万元 choice. */
  with?: number[];
  /** Print the absolute value (the sentence says "rose" or "fell"). */
  abs?: boolean;
}

/** One figure in its unit: "+3.72 个百分点", "¥1,501,337", "150 万元", "-6.96 points", "93.6%". */
export function formatQuantity(v: number | null | undefined, unit: ValueUnit, lang: UnitLang, opts: QuantityOptions = {}): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  const delta = opts.delta ?? false;
  const all = [v, ...(opts.with ?? [])].filter((x) => Number.isFinite(x));
  const magnitude = Math.max(...all.map(Math.abs));
  const s = scale(v, unit, lang, delta, magnitude);
  const k = opts.decimals ?? displayDecimals(...all.map((x) => scale(x, unit, lang, delta, magnitude).x));
  const text = digits(s.x, k);
  const zero = Number(roundHalfUp(Math.abs(s.x), k)) === 0;
  const sign = opts.abs || zero ? '' : s.x < 0 ? '-' : opts.signed ? '+' : '';
  return `${sign}${s.prefix}${text}${s.suffix}`;
}

/**
 * An interval in its unit, the unit written once: "3.47–3.98 个百分点", "¥73–¥516",
 * "-0.94 to -0.54 pp" (a bound below zero reads "to"/"至": "–-0.5" misreads).
 */
export function formatRange(lo: number, hi: number, unit: ValueUnit, lang: UnitLang, opts: { delta?: boolean; with?: number[] } = {}): string {
  const delta = opts.delta ?? false;
  const all = [lo, hi, ...(opts.with ?? [])].filter((x) => Number.isFinite(x));
  const magnitude = Math.max(...all.map(Math.abs));
  const k = displayDecimals(...all.map((x) => scale(x, unit, lang, delta, magnitude).x));
  const a = scale(lo, unit, lang, delta, magnitude);
  const b = scale(hi, unit, lang, delta, magnitude);
  const num = (s: Scaled) => {
    const text = digits(s.x, k);
    const zero = Number(roundHalfUp(Math.abs(s.x), k)) === 0;
    return `${s.x < 0 && !zero ? '-' : ''}${s.prefix}${text}`;
  };
  const neg = lo < 0 || hi < 0;
  const sep = neg ? (lang === 'zh' ? ' 至 ' : ' to ') : '–';
  return `${num(a)}${sep}${num(b)}${b.suffix}`;
}
