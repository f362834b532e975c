import { roundHalfUp } from '@perflens/core/scheme/format';
import { WAN_FROM, formatQuantity, formatRange, groupDigits, type UnitLang, type ValueUnit } from '@perflens/core/policy/units';

/**
 * Numbers as the dashboard and the report print them, one rounding rule for both (the brief:
 * figures in their units, one rounding rule used everywhere). The locale is explicit here; the
 * dashboard's lib/format.ts passes the current UI language, the report its own language.
 */
export const DEFAULT_LOCALE = 'zh-CN';

type Kind = 'int' | 'fixed' | 'percent' | 'minFrac';
const cache = new Map<string, Intl.NumberFormat>();
/**
 * One formatter per (locale, kind, digits). The key is built from those three rather than by
 * serialising an options object: charts and tables format thousands of numbers per render,
 * and JSON.stringify on every call showed up in the overview's start-up profile.
 */
function nf(locale: string, kind: Kind, digits = 0): Intl.NumberFormat {
  const key = `${locale}|${kind}|${digits}`;
  let f = cache.get(key);
  if (!f) {
    const opts: Intl.NumberFormatOptions =
      kind === 'int'
        ? { maximumFractionDigits: 0 }
        : kind === 'minFrac'
          ? { minimumFractionDigits: digits }
          : { ...(kind === 'percent' ? { style: 'percent' as const } : {}), minimumFractionDigits: digits, maximumFractionDigits: digits };
    cache.set(key, (f = new Intl.NumberFormat(locale, opts)));
  }
  return f;
}

/**
 * zh-CN and en-US write numbers the same way (1,234.5 and 12.5%), so for those two the text is
 * built here: the first Intl.NumberFormat of a page loads ICU's locale data, 30–90 ms of a cold
 * start on a 2-core machine. Intl rounds the number as written, half away from zero (1.005 →
 * 1.01), which is roundHalfUp; toFixed alone would round the binary value (1.00). Other locales
 * and huge magnitudes use Intl. A test checks both paths agree on thousands of values.
 */
const WESTERN = new Set(['zh-CN', 'en-US']);

export function group(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function western(n: number, digits: number, percent: boolean): string {
  // Intl shows the sign of negative zero and of negatives that round to zero ("-0.0").
  const sign = n < 0 || Object.is(n, -0) ? '-' : '';
  // A share is rounded at digits + 2 places and the point moved, never multiplied by 100 in binary.
  const places = percent ? digits + 2 : digits;
  const text = roundHalfUp(Math.abs(n), places).toFixed(places);
  let [int, frac = ''] = text.split('.') as [string, string?];
  if (percent) {
    int = (int + frac.slice(0, 2)).replace(/^0+(?=\d)/, '');
    frac = frac.slice(2);
  }
  return `${sign}${group(int)}${frac ? `.${frac}` : ''}${percent ? '%' : ''}`;
}

/**
 * Below 10^12 units of the last printed place a double's spacing is under 0.001 of that place,
 * so roundHalfUp(...).toFixed prints the intended digits; beyond (never on this dashboard) Intl.
 */
function fast(locale: string, n: number, places: number): boolean {
  return WESTERN.has(locale) && Math.abs(n) * 10 ** places < 1e12;
}

/** Integer counts with locale grouping (12,345). */
export function fmtInt(n: number | null | undefined, locale: string = DEFAULT_LOCALE): string {
  if (n == null || !Number.isFinite(n)) return '–';
  return fast(locale, n, 0) ? western(n, 0, false) : nf(locale, 'int').format(n);
}

/** A decimal with a fixed number of digits, e.g. scores and standard deviations. */
export function fmtNum(n: number | null | undefined, digits = 1, locale: string = DEFAULT_LOCALE): string {
  if (n == null || !Number.isFinite(n)) return '–';
  return fast(locale, n, digits) ? western(n, digits, false) : nf(locale, 'fixed', digits).format(n);
}

/** A share in 0..1 shown as a percentage. */
export function fmtPct(share: number | null | undefined, digits = 1, locale: string = DEFAULT_LOCALE): string {
  if (share == null || !Number.isFinite(share)) return '–';
  return fast(locale, share, digits + 2) ? western(share, digits, true) : nf(locale, 'percent', digits).format(share);
}

/** Exact decimal money strings from the server ("4000.00") formatted without going through float sums. */
export function fmtMoney(value: string | null | undefined, locale: string = DEFAULT_LOCALE): string {
  if (value == null || value === '') return '–';
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(value);
  if (!m) return value;
  const [, sign, int, frac = ''] = m;
  // Group the integer part with the locale's separator; the fraction stays exactly as sent.
  if (WESTERN.has(locale)) return `${sign}${group(BigInt(int!).toString())}${frac ? '.' + frac.padEnd(2, '0') : ''}`;
  const grouped = nf(locale, 'int').format(BigInt(int!));
  const dec = nf(locale, 'minFrac', 1).format(1.5).charAt(1);
  return `${sign}${grouped}${frac ? dec + frac.padEnd(2, '0') : ''}`;
}

/** A p-value as statistics reports print it: three decimals, "< 0.001" below that. */
export function fmtP(p: number | null | undefined): string {
  if (p == null || !Number.isFinite(p)) return '–';
  return p < 0.001 ? '< 0.001' : p.toFixed(3);
}

/** Shortens long labels (org unit names on axes) to a fixed width, keeping the start. */
export function truncate(label: string, max = 8): string {
  return [...label].length > max ? [...label].slice(0, max - 1).join('') + '…' : label;
}

/** An estimate with its 95% interval, sharing decimals and unit: { value: "+3.72 pp", ci: "3.47–3.98 pp" }. */
export function formatEffect(
  estimate: number | null | undefined,
  ci: readonly [number, number] | null | undefined,
  unit: ValueUnit,
  lang: UnitLang,
): { value: string; ci: string } {
  const w = ci ? [ci[0], ci[1]] : [];
  return {
    value: formatQuantity(estimate, unit, lang, { delta: true, signed: true, with: w }),
    ci: ci && estimate != null ? formatRange(ci[0], ci[1], unit, lang, { delta: true, with: [estimate] }) : ci ? formatRange(ci[0], ci[1], unit, lang, { delta: true }) : '–',
  };
}

/**
 * Money in yuan with its currency and exact cents: "¥4,000.00" (decimal strings from the server
 * are never summed as floats). `wan`: in Chinese, sums from 10,000 yuan up read "383.76 万元"
 * (two decimals, half-up). `signed` puts "+" on gains (and on zero: "+¥0.00" says "no change").
 */
export function formatYuan(value: string | number | null | undefined, opts: { signed?: boolean; wan?: boolean }, lang: UnitLang): string {
  if (value == null || value === '') return '–';
  const text = typeof value === 'number' ? (Number.isFinite(value) ? value.toFixed(2) : '') : value;
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) return text || '–';
  const [, minus, int, frac = ''] = m;
  const zero = /^0*$/.test(int!) && /^0*$/.test(frac);
  const sign = zero ? (opts.signed ? '+' : '') : minus ? '-' : opts.signed ? '+' : '';
  const yuan = Number(`${int}.${frac || '0'}`);
  if (opts.wan && lang === 'zh' && yuan >= WAN_FROM) {
    // 万元 with two decimals, rounded half-up from the exact digits.
    const wan = roundHalfUp(yuan / 10_000, 2).toFixed(2);
    return `${sign}${groupDigits(wan)} 万元`;
  }
  return `${sign}¥${group(BigInt(int!).toString())}.${frac.padEnd(2, '0').slice(0, Math.max(2, frac.length))}`;
}

