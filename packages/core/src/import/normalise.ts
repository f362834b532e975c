import type { Grade } from '../domain.ts';
import type { FieldDef } from './fields.ts';

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
  /** 1 = exact synonym, 0.6 = the header contains a synonym, 0 = nothing found. */
  confidence: number;
}

/**
 * Suggests field → header. Exact synonym matches win over partial ones, and each header is
 * used at most once so "部门" cannot feed both a department name and a department id.
 */
export function suggestMapping(fields: FieldDef[], headers: string[]): HeaderSuggestion[] {
  const keys = headers.map(headerKey);
  const candidates: Array<{ field: string; header: number; confidence: number; order: number }> = [];
  fields.forEach((f, fi) => {
    const names = [f.name, f.label.zh, f.label.en, ...f.synonyms].map(headerKey);
    keys.forEach((k, hi) => {
      if (!k) return;
      const exact = names.indexOf(k);
      if (exact >= 0) candidates.push({ field: f.name, header: hi, confidence: 1, order: fi * 1000 + exact });
      else if (names.some((n) => n.length >= 2 && k.includes(n)))
        candidates.push({ field: f.name, header: hi, confidence: 0.6, order: fi * 1000 + 999 });
    });
  });
  candidates.sort((a, b) => b.confidence - a.confidence || a.order - b.order);
  const usedHeaders = new Set<number>();
  const chosen = new Map<string, { header: number; confidence: number }>();
  for (const c of candidates) {
    if (chosen.has(c.field) || usedHeaders.has(c.header)) continue;
    chosen.set(c.field, c);
    usedHeaders.add(c.header);
  }
  return fields.map((f) => {
    const c = chosen.get(f.name);
    return { field: f.name, header: c ? headers[c.header]! : null, confidence: c ? c.confidence : 0 };
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
