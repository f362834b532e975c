import { roundHalfUp } from '@perflens/core/scheme/format';
import * as base from '@perflens/charts/format';
import { formatQuantity, formatRange, type QuantityOptions, type UnitLang, type ValueUnit } from '@perflens/core/policy/units';
import { currentLang, intlLocale } from '@/lang';

// The number rules are shared with the PDF report (@perflens/charts/format); the dashboard's
// versions default the locale to the current UI language.
export function fmtInt(n: number | null | undefined, locale = intlLocale()): string {
  return base.fmtInt(n, locale);
}

export function fmtNum(n: number | null | undefined, digits = 1, locale = intlLocale()): string {
  return base.fmtNum(n, digits, locale);
}

export function fmtPct(share: number | null | undefined, digits = 1, locale = intlLocale()): string {
  return base.fmtPct(share, digits, locale);
}

export function fmtMoney(value: string | null | undefined, locale = intlLocale()): string {
  return base.fmtMoney(value, locale);
}

export const { fmtP, truncate } = base;

// ——— Figures in their units ————————————————————————————————————————————————————————————————
// The rules live in core (policy/units.ts) so the server's plain-language summaries and these
// cards print the same figure the same way: three significant digits, whole numbers never cut,
// rates in % (differences in percentage points), money with ¥ (万元 for large sums in Chinese).

export type { ValueUnit } from '@perflens/core/policy/units';

/** The current UI language as the unit formatter names it. */
const unitLang = (): UnitLang => (currentLang() === 'en' ? 'en' : 'zh');

/** One figure in its unit: fmtQuantity(0.0372, rate, { delta: true, signed: true }) → "+3.72 个百分点". */
export function fmtQuantity(v: number | null | undefined, unit: ValueUnit, opts: QuantityOptions = {}, lang: UnitLang = unitLang()): string {
  return formatQuantity(v, unit, lang, opts);
}

/** An estimate with its 95% interval, sharing decimals and unit: { value: "+3.72 pp", ci: "3.47–3.98 pp" }. */
export function fmtEffect(
  estimate: number | null | undefined,
  ci: readonly [number, number] | null | undefined,
  unit: ValueUnit,
  lang: UnitLang = unitLang(),
): { value: string; ci: string } {
  return base.formatEffect(estimate, ci, unit, lang);
}

/** A level (a mean) with its interval: { value: "93.6%", ci: "93.1–94.0%" }. */
export function fmtLevel(
  value: number | null | undefined,
  ci: readonly [number, number] | null | undefined,
  unit: ValueUnit,
  lang: UnitLang = unitLang(),
): { value: string; ci: string } {
  const w = ci ? [ci[0], ci[1]] : [];
  return {
    value: formatQuantity(value, unit, lang, { with: w }),
    ci: ci ? formatRange(ci[0], ci[1], unit, lang, { with: value != null ? [value] : [] }) : '–',
  };
}

/**
 * Money in yuan with its currency and exact cents: "¥4,000.00"; `wan`: "383.76 万元" in Chinese
 * from 10,000 yuan up; `signed`: "+" on gains (shared with the report: @perflens/charts/format).
 */
export function fmtYuan(value: string | number | null | undefined, opts: { signed?: boolean; wan?: boolean } = {}, lang: UnitLang = unitLang()): string {
  return base.formatYuan(value, opts, lang);
}

/** Integer counts (people, records) with separators; the same as fmtInt, named for what it shows. */
export const fmtCount = fmtInt;

/**
 * A server timestamp ("2026-12-05T03:05:51", written in UTC without a zone, or with Z/offset)
 * in the user's local time and locale: "2026/12/05 11:05" in Chinese, "Dec 5, 2026, 11:05" in English.
 */
export function fmtDateTime(value: string | null | undefined, locale = intlLocale()): string {
  if (!value) return '–';
  const iso = /[zZ]|[+-]\d{2}:?\d{2}$/.test(value) ? value : `${value.replace(' ', 'T')}Z`;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return value;
  return new Intl.DateTimeFormat(locale, {
    year: 'numeric',
    month: locale.startsWith('zh') ? '2-digit' : 'short',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(d);
}

/** A grade band's lower bound (null: open below), as schemes and the core defaults carry them. */
export interface BandLike {
  min: number | null;
}

/**
 * A score shown beside a grade, at the precision the grade bands use (integers for 91/81/71/60),
 * rounded so it stays in the band it was graded into: bands compare the unrounded score (90.46 is
 * 良 below 91), so the score is cut toward its band (90.46 and 90.6 show "90"); a scheme whose
 * bands compare the score rounded half-up ('half_up_integer') shows that rounded score (90.5 → 91).
 */
export function fmtScoreForGrade(
  score: number | null | undefined,
  bands: readonly BandLike[] = DEFAULT_BANDS,
  rounding: 'none' | 'half_up_integer' = 'none',
  locale = intlLocale(),
): string {
  if (score == null || !Number.isFinite(score)) return '–';
  const digits = rounding === 'half_up_integer' ? 0 : bandDigits(bands);
  const m = 10 ** digits;
  // The largest number at that precision not above the score, compared as the bands compare
  // (a candidate equal to the score's double is the score: 85.3 stays 85.3, not 85.2).
  let shown = rounding === 'half_up_integer' ? Math.floor(score + 0.5) : roundHalfUp(score, digits);
  if (rounding === 'none' && shown > score) shown = roundHalfUp(shown - 1 / m, digits);
  return fmtNum(shown, digits, locale);
}

const DEFAULT_BANDS: BandLike[] = [{ min: 91 }, { min: 81 }, { min: 71 }, { min: 60 }, { min: null }];

/** Decimals of the finest band bound (91 → 0, 90.5 → 1). */
function bandDigits(bands: readonly BandLike[]): number {
  let d = 0;
  for (const b of bands) {
    if (b.min === null || !Number.isFinite(b.min)) continue;
    const frac = String(b.min).split('.')[1];
    if (frac) d = Math.max(d, Math.min(frac.length, 2));
  }
  return d;
}
