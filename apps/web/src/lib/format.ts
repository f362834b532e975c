import { intlLocale } from '@/i18n';

const cache = new Map<string, Intl.NumberFormat>();
function nf(locale: string, opts: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = locale + JSON.stringify(opts);
  let f = cache.get(key);
  if (!f) cache.set(key, (f = new Intl.NumberFormat(locale, opts)));
  return f;
}

/** Integer counts with locale grouping (12,345). */
export function fmtInt(n: number | null | undefined, locale = intlLocale()): string {
  if (n == null || !Number.isFinite(n)) return '–';
  return nf(locale, { maximumFractionDigits: 0 }).format(n);
}

/** A decimal with a fixed number of digits, e.g. scores and standard deviations. */
export function fmtNum(n: number | null | undefined, digits = 1, locale = intlLocale()): string {
  if (n == null || !Number.isFinite(n)) return '–';
  return nf(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(n);
}

/** A share in 0..1 shown as a percentage. */
export function fmtPct(share: number | null | undefined, digits = 1, locale = intlLocale()): string {
  if (share == null || !Number.isFinite(share)) return '–';
  return nf(locale, { style: 'percent', minimumFractionDigits: digits, maximumFractionDigits: digits }).format(share);
}

/** Exact decimal money strings from the server ("4000.00") formatted without going through float sums. */
export function fmtMoney(value: string | null | undefined, locale = intlLocale()): string {
  if (value == null || value === '') return '–';
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(value);
  if (!m) return value;
  const [, sign, int, frac = ''] = m;
  // Group the integer part with the locale's separator; the fraction stays exactly as sent.
  const grouped = nf(locale, { maximumFractionDigits: 0 }).format(BigInt(int!));
  const dec = nf(locale, { minimumFractionDigits: 1 }).format(1.5).charAt(1);
  return `${sign}${grouped}${frac ? dec + frac.padEnd(2, '0') : ''}`;
}

/** Shortens long labels (org unit names on axes) to a fixed width, keeping the start. */
export function truncate(label: string, max = 8): string {
  return [...label].length > max ? [...label].slice(0, max - 1).join('') + '…' : label;
}
