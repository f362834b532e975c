/**
 * Dates as real HR exports write them. Year-first spellings (ISO, 2019/1/17, 2019年1月17日) are
 * unambiguous; slash/dot/dash dates with the year last (01/17/19, 17.01.2019) are not, so their
 * order is decided once per column from all its values and then applied to every cell.
 */

export type DateOrder = 'ymd' | 'mdy' | 'dmy';

// A time of day after the date is dropped: spreadsheets and timestamps write '2019-01-17 00:00:00',
// '2019-01-17T08:30:00Z', '1/17/2019 8:30 PM' for what is a date column to the user.
const TIME = String.raw`(?:(?:\s+|T)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AP]M)?(?:\s*(?:Z|[+-]\d{2}:?\d{2}))?)?`;
// The separator is captured and repeated so '2019/01-17' is not taken for a date.
const YEAR_FIRST = new RegExp(String.raw`^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})${TIME}$`, 'i');
const YEAR_FIRST_ZH = new RegExp(String.raw`^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日${TIME}$`, 'i');
const YEAR_LAST = new RegExp(String.raw`^(\d{1,2})([-/.])(\d{1,2})\2(\d{2}|\d{4})${TIME}$`, 'i');

const clean = (raw: string) => raw.normalize('NFKC').trim();

function isoDate(y: number, m: number, d: number): string | null {
  if (m < 1 || m > 12 || d < 1) return null;
  // Day 0 of the next month is the last day of this one; Date.UTC handles leap years.
  if (d > new Date(Date.UTC(y, m, 0)).getUTCDate()) return null;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

// Two-digit years pivot at 70: 00–69 → 2000–2069, 70–99 → 1970–1999, near the POSIX strptime %y
// rule (which differs only in reading 69 as 1969) with the cut at the Unix epoch. Either way the
// years an HR export actually holds (hire dates, review dates) land in the right century.
const fullYear = (y: string) => (y.length === 4 ? Number(y) : Number(y) <= 69 ? 2000 + Number(y) : 1900 + Number(y));

/** Parses one date text under an order to ISO 'YYYY-MM-DD', or null (see the module comment). */
export function parseDate(raw: string, order: DateOrder): string | null {
  const s = clean(raw);
  const m = YEAR_FIRST.exec(s);
  if (m) return isoDate(Number(m[1]), Number(m[3]), Number(m[4]));
  const zh = YEAR_FIRST_ZH.exec(s);
  if (zh) return isoDate(Number(zh[1]), Number(zh[2]), Number(zh[3]));
  if (order === 'ymd') return null;
  const l = YEAR_LAST.exec(s);
  if (!l) return null;
  const [first, second] = [Number(l[1]), Number(l[3])];
  const [month, day] = order === 'mdy' ? [first, second] : [second, first];
  return isoDate(fullYear(l[4]!), month, day);
}

/**
 * The order of a column's year-last dates, from its distinct raw texts: a first part over 12 can
 * only be a day ('dmy'), a second part over 12 only a day too ('mdy'). 'ymd' when no value is
 * year-last; 'ambiguous' when year-last values exist but none decides; 'conflict' when values
 * decide both ways. Values that are not dates under either order (13/13/2019, 32/01/2019, text) do
 * not count as evidence.
 */
export function detectDateOrder(values: Iterable<string>): DateOrder | 'ambiguous' | 'conflict' {
  let yearLast = false, dmy = false, mdy = false;
  for (const v of values) {
    const s = clean(v);
    const m = YEAR_LAST.exec(s);
    if (!m) continue;
    const asDmy = parseDate(s, 'dmy') !== null, asMdy = parseDate(s, 'mdy') !== null;
    if (!asDmy && !asMdy) continue;
    yearLast = true;
    if (Number(m[1]) > 12 && asDmy) dmy = true;
    if (Number(m[3]) > 12 && asMdy) mdy = true;
  }
  if (dmy && mdy) return 'conflict';
  if (dmy) return 'dmy';
  if (mdy) return 'mdy';
  return yearLast ? 'ambiguous' : 'ymd';
}

/**
 * A date-format option as users type it → DateOrder, or null. Accepts the orders themselves
 * ('YMD', 'mdy'), patterns ('MM/DD/YYYY', 'DD.MM.YY', 'YYYY-MM-DD', 'YYYY年MM月DD日') and strftime
 * patterns ('%m/%d/%Y'). Month names (MMM) are not something parseDate reads, so they are refused.
 */
export function parseDateFormatOption(s: string): DateOrder | null {
  const letters = s.normalize('NFKC').toUpperCase().replace(/[\s\-/.,_%年月日]/g, '');
  if (!/^[YMD]+$/.test(letters)) return null;
  const runs = letters.match(/Y+|M+|D+/g)!;
  if (runs.length !== 3) return null;
  for (const r of runs) {
    if (r[0] === 'Y' ? r.length === 3 || r.length > 4 : r.length > 2) return null;
  }
  const order = runs.map((r) => r[0]!.toLowerCase()).join('');
  return order === 'ymd' || order === 'mdy' || order === 'dmy' ? order : null;
}
