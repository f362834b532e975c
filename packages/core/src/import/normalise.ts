import type { Grade } from '../domain.ts';
import type { FieldDef } from './fields.ts';
import { parseDate, type DateOrder } from './dates.ts';

/** Header comparison key: case, spaces, underscores, dashes and bracket styles do not matter. */
export function headerKey(s: string): string {
  return s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s_\-:：()（）[\]【】·.]/g, '');
}

export interface HeaderSuggestion {
  field: string;
  header: string | null;
  /** 1 = exact synonym, 0.6 = the header contains a synonym as whole words, 0 = nothing found. */
  confidence: number;
  /** Up to 3 distinct non-empty values of the chosen header from the samples, for a UI to show. */
  samples?: string[];
}

// Chinese and Japanese have no spaces between words, so their synonyms match as substrings.
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;
const CJK_BOUNDARY = /(?<=[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}])(?=[^\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}])|(?<=[^\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}])(?=[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}])/gu;

/**
 * The words of a header or synonym, lower-cased: split at anything but letters and digits, at
 * camelCase ('MonthlyIncome' → monthly, income; 'EmployeeID' → employee, id), between letters and
 * digits, and between CJK and other text ('员工ID' → 员工, id).
 */
function headerWords(s: string): string[] {
  return s
    .normalize('NFKC')
    .replace(/(?<=\p{Ll})(?=\p{Lu})/gu, ' ')
    .replace(/(?<=\p{Lu})(?=\p{Lu}\p{Ll})/gu, ' ')
    .replace(/(?<=\p{L})(?=\p{N})|(?<=\p{N})(?=\p{L})/gu, ' ')
    .replace(CJK_BOUNDARY, ' ')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

// A synonym after one of these is the object of a phrase about something else: 'YearsWithCurrManager'
// counts years, 'Rating by Manager' is a rating, 'Days in Role' a number of days.
const PREPOSITIONS = new Set(['of', 'with', 'at', 'in', 'since', 'per', 'for', 'by', 'from', 'to', 'on', 'vs', 'than']);

/** Whether `run` occurs as consecutive words of `words`, with no preposition before it. */
function containsRun(words: string[], run: string[]): boolean {
  if (run.length === 0) return false;
  for (let i = 0; i + run.length <= words.length; i++) {
    if (i > 0 && PREPOSITIONS.has(words[i - 1]!)) return false;
    if (run.every((w, j) => words[i + j] === w)) return true;
  }
  return false;
}

const isBlank = (v: string | null | undefined): v is null | undefined => v == null || v.trim() === '';

// Numbers as exports write them: '75%', '1,234.5', '¥1,234.50', '-3', '1.5e3', '8000元'.
const NUMBER = /^[+-]?[¥$€£]?\s*[+-]?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?\s*(?:%|元)?$/i;
// Integers, with Excel's '1990.0' for a whole number typed into a general cell.
const INTEGER = /^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.0+)?$/;
const DATE_ORDERS: DateOrder[] = ['ymd', 'mdy', 'dmy'];

/**
 * Share of a column's non-empty sample values that must read as the field's type: 80% for a
 * header that only contains a synonym, half for one that is a synonym. A header named exactly
 * 考核得分 means scores even when a few are typos; dropping it would hide those rows' errors
 * (the import reports them), while a partial match with misfit values is usually another column.
 */
const FIT_SHARE = { exact: 0.5, partial: 0.8 } as const;

function fitsType(type: FieldDef['type'], values: string[], need: number): boolean {
  if (values.length === 0) return true;
  const share = (ok: (v: string) => boolean) => values.filter(ok).length / values.length >= need;
  const t = (v: string) => v.normalize('NFKC').trim();
  switch (type) {
    case 'period': return share((v) => normalisePeriod(v) !== null);
    case 'number': return share((v) => NUMBER.test(t(v)));
    case 'int': return share((v) => INTEGER.test(t(v)));
    // One order for the whole column, as the importer will read it with one.
    case 'date': return DATE_ORDERS.some((o) => share((v) => parseDate(v, o) !== null));
    default: return true;
  }
}

/**
 * Suggests field → header. A header is suggested only when it equals a synonym (confidence 1) or
 * contains one as whole words (0.6: 'Performance Rating' for 'Rating', but not 'MonthlyIncome'
 * for 'Month'); CJK synonyms match as substrings, Chinese having no word boundaries. With sample
 * rows, a header whose values do not read as the field's type is not suggested for it. Exact
 * matches win over partial ones, longer synonyms over shorter, and each header is used at most
 * once so "部门" cannot feed both a department name and a department id. Excluded fields (set as
 * constants or mapped by the user) get no header and leave theirs free for other fields.
 */
export function suggestMapping(
  fields: FieldDef[],
  headers: string[],
  opts: { samples?: Array<Array<string | null>>; exclude?: Iterable<string> } = {},
): HeaderSuggestion[] {
  const excluded = new Set(opts.exclude ?? []);
  const keys = headers.map(headerKey);
  const words = headers.map(headerWords);
  const columns = new Map<number, string[]>();
  const column = (hi: number): string[] => {
    let values = columns.get(hi);
    if (!values) {
      values = (opts.samples ?? []).map((row) => row[hi]).filter((v): v is string => !isBlank(v));
      columns.set(hi, values);
    }
    return values;
  };
  const candidates: Array<{ field: number; header: number; confidence: number; strength: number; order: number }> = [];
  fields.forEach((f, fi) => {
    if (excluded.has(f.name)) return;
    const names = [f.name, f.label.zh, f.label.en, ...f.synonyms];
    const nameKeys = names.map(headerKey);
    const nameWords = names.map((n) => (CJK.test(n) ? null : headerWords(n)));
    keys.forEach((k, hi) => {
      if (!k) return;
      let match: { confidence: number; strength: number; order: number } | null = null;
      const exact = nameKeys.indexOf(k);
      if (exact >= 0) match = { confidence: 1, strength: 0, order: exact };
      else {
        for (let ni = 0; ni < names.length; ni++) {
          const nk = nameKeys[ni]!, nw = nameWords[ni] ?? null;
          const hit = nw === null ? nk.length >= 2 && k.includes(nk) : containsRun(words[hi]!, nw);
          // The longest synonym found is the most specific evidence for this pairing.
          if (hit && (!match || nk.length > match.strength)) match = { confidence: 0.6, strength: nk.length, order: ni };
        }
      }
      if (match && fitsType(f.type, column(hi), match.confidence === 1 ? FIT_SHARE.exact : FIT_SHARE.partial)) candidates.push({ field: fi, header: hi, ...match });
    });
  });
  candidates.sort((a, b) => b.confidence - a.confidence || b.strength - a.strength || a.field - b.field || a.order - b.order);
  const usedHeaders = new Set<number>();
  const chosen = new Map<number, { header: number; confidence: number }>();
  for (const c of candidates) {
    if (chosen.has(c.field) || usedHeaders.has(c.header)) continue;
    chosen.set(c.field, c);
    usedHeaders.add(c.header);
  }
  return fields.map((f, fi) => {
    const c = chosen.get(fi);
    const s: HeaderSuggestion = { field: f.name, header: c ? headers[c.header]! : null, confidence: c ? c.confidence : 0 };
    if (c && opts.samples) s.samples = [...new Set(column(c.header).map((v) => v.trim()))].slice(0, 3);
    return s;
  });
}

const CN_DIGITS: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 1: 1, 2: 2, 3: 3, 4: 4 };

/**
 * Period spelling → canonical id ('2024-03', '2024-Q1', '2024'), or null when unrecognised.
 * Accepts 2024-03, 2024/3, 2024.3, 2024年3月, 202403, 2024-03-01 (a date cell), 2024-Q1, 2024Q1,
 * 2024年第一季度, 2024年1季度, 2024, 2024年, 2024年度.
 */
export function normalisePeriod(raw: string): string | null {
  // A date with a time of day, as spreadsheets and Parquet timestamps write one ('2024-03-01
  // 00:00:00', '2024/3/1 0:00', ISO '2024-03-01T00:00:00Z'), names the date's month. The time
  // goes before spaces are dropped: '2024/3/1 0:00' would otherwise read as the 10th.
  const s = raw
    .normalize('NFKC')
    .trim()
    .replace(/(\d{1,2}日?)(?:\s+|T)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*(?:Z|[+-]\d{2}:?\d{2}))?$/i, '$1')
    .replace(/\s+/g, '');
  let m = /^(\d{4})[-/.年](\d{1,2})(?:月(?:\d{1,2}日)?|月?[-/.]\d{1,2}日?)?$/.exec(s) ?? /^(\d{4})(\d{2})$/.exec(s);
  if (m) {
    const month = Number(m[2]);
    return month >= 1 && month <= 12 ? `${m[1]}-${String(month).padStart(2, '0')}` : null;
  }
  m = /^(\d{4})(?:[-/]|年)?(?:第)?(?:Q([1-4])|([一二三四1-4])季度?)$/i.exec(s);
  if (m) return `${m[1]}-Q${CN_DIGITS[(m[2] ?? m[3])!]}`;
  m = /^(\d{4})(?:年度?)?$/.exec(s);
  if (m) return m[1]!;
  return null;
}

export interface PeriodInfo {
  id: string;
  kind: 'month' | 'quarter' | 'year';
  start: string;
  end: string;
}

const iso = (y: number, m: number, d: number) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
const lastDay = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();

/** Kind and inclusive date range of a canonical period id. */
export function periodInfo(id: string): PeriodInfo | null {
  let m = /^(\d{4})-(\d{2})$/.exec(id);
  if (m) {
    const y = Number(m[1]), mo = Number(m[2]);
    return { id, kind: 'month', start: iso(y, mo, 1), end: iso(y, mo, lastDay(y, mo)) };
  }
  m = /^(\d{4})-Q([1-4])$/.exec(id);
  if (m) {
    const y = Number(m[1]), q = Number(m[2]);
    return { id, kind: 'quarter', start: iso(y, q * 3 - 2, 1), end: iso(y, q * 3, lastDay(y, q * 3)) };
  }
  m = /^(\d{4})$/.exec(id);
  if (m) return { id, kind: 'year', start: iso(Number(m[1]), 1, 1), end: iso(Number(m[1]), 12, 31) };
  return null;
}

const GRADE_WORDS: Record<string, Grade> = {
  优: 'A', 优秀: 'A', 卓越: 'A', 杰出: 'A',
  良: 'B', 良好: 'B', 较好: 'B',
  中: 'C', 中等: 'C', 合格: 'C', 称职: 'C', 一般: 'C',
  基本合格: 'D', 待改进: 'D', 需改进: 'D', 基本称职: 'D', 较差: 'D',
  不合格: 'E', 不称职: 'E', 差: 'E',
};

const gradeToken = (raw: string) => raw.normalize('NFKC').trim().toUpperCase().replace(/[级等类]$/, '').replace(/\s+/g, '');

/**
 * Whether a file's grades use the five-letter S/A/B/C/D scale (S best). Decided per file from
 * all its distinct values, because 'A' means the best grade on one scale and the second on the other.
 */
export function detectSScale(values: Iterable<string>): boolean {
  for (const v of values) if (gradeToken(v) === 'S') return true;
  return false;
}

/** Any grade spelling → canonical A–E, or null when unrecognised. */
export function normaliseGrade(raw: string, sScale = false): Grade | null {
  const t = gradeToken(raw);
  const word = GRADE_WORDS[t];
  if (word) return word;
  const letters = sScale ? ['S', 'A', 'B', 'C', 'D'] : ['A', 'B', 'C', 'D', 'E'];
  const i = letters.indexOf(t);
  return i >= 0 ? (['A', 'B', 'C', 'D', 'E'] as const)[i]! : null;
}

/** Enum spelling (code, zh/en label or synonym) → code, or null. */
export function normaliseEnum(field: FieldDef, raw: string): string | null {
  const k = headerKey(raw);
  if (!k || !field.values) return null;
  for (const code of field.values) {
    if (headerKey(code) === k) return code;
    if ((field.valueSynonyms?.[code] ?? []).some((s) => headerKey(s) === k)) return code;
  }
  return null;
}

/** Normalises one raw value of a value-mapped field type; null = invalid. */
export function normaliseValue(field: FieldDef, raw: string, sScale = false): string | null {
  if (field.type === 'period') return normalisePeriod(raw);
  if (field.type === 'grade') return normaliseGrade(raw, sScale);
  if (field.type === 'enum') return normaliseEnum(field, raw);
  return raw;
}
