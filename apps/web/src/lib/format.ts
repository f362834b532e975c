import { intlLocale } from '@/i18n';

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

/** Integer counts with locale grouping (12,345). */
export function fmtInt(n: number | null | undefined, locale = intlLocale()): string {
  if (n == null || !Number.isFinite(n)) return '–';
  return nf(locale, 'int').format(n);
}

/** A decimal with a fixed number of digits, e.g. scores and standard deviations. */
export function fmtNum(n: number | null | undefined, digits = 1, locale = intlLocale()): string {
  if (n == null || !Number.isFinite(n)) return '–';
  return nf(locale, 'fixed', digits).format(n);
}

/** A share in 0..1 shown as a percentage. */
export function fmtPct(share: number | null | undefined, digits = 1, locale = intlLocale()): string {
  if (share == null || !Number.isFinite(share)) return '–';
  return nf(locale, 'percent', digits).format(share);
}

/** Exact decimal money strings from the server ("4000.00") formatted without going through float sums. */
export function fmtMoney(value: string | null | undefined, locale = intlLocale()): string {
  if (value == null || value === '') return '–';
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(value);
  if (!m) return value;
  const [, sign, int, frac = ''] = m;
  // Group the integer part with the locale's separator; the fraction stays exactly as sent.
  const grouped = nf(locale, 'int').format(BigInt(int!));
  const dec = nf(locale, 'minFrac', 1).format(1.5).charAt(1);
  return `${sign}${grouped}${frac ? dec + frac.padEnd(2, '0') : ''}`;
}

/** Shortens long labels (org unit names on axes) to a fixed width, keeping the start. */
export function truncate(label: string, max = 8): string {
  return [...label].length > max ? [...label].slice(0, max - 1).join('') + '…' : label;
}
