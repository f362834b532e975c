import { GRADE_LABELS, GRADES, type Grade } from '../domain.ts';
import { BilingualError } from '../errors.ts';

/**
 * A company's own rating values mapped onto the canonical grades A–E (A best). Companies rate on
 * 3 to 6 levels, in letters, numbers, Chinese or English words; the same text can mean different
 * grades on different scales ('A' is the top on A–E but the second on S/A/B/C/D, '优秀' the top on
 * a 5-level and the second on a 6-level Chinese scale), so a scale is chosen per column, from all
 * of its values, and the user can correct it value by value.
 */

export interface ScaleEntry {
  value: string;
  grade: Grade | null;
  /** display label in the company's words, defaults to value */
  label?: string;
}

export interface RatingScale {
  name: string;
  label: { zh: string; en: string };
  entries: ScaleEntry[];
}

const e = (grade: Grade, ...values: string[]): ScaleEntry[] => values.map((value) => ({ value, grade }));

/** Built-in scales, entries best first. */
export const SCALE_PRESETS: RatingScale[] = [
  { name: 'letters_ae', label: { zh: '字母 A–E（A 最好）', en: 'Letters A–E (A best)' }, entries: [...e('A', 'A'), ...e('B', 'B'), ...e('C', 'C'), ...e('D', 'D'), ...e('E', 'E')] },
  { name: 'letters_sd', label: { zh: '字母 S/A/B/C/D（S 最好）', en: 'Letters S/A/B/C/D (S best)' }, entries: [...e('A', 'S'), ...e('B', 'A'), ...e('C', 'B'), ...e('D', 'C'), ...e('E', 'D')] },
  // Listed before zh_5: on 优/良/中/差 both give the same grades, and the 4-level name is the truer one.
  { name: 'zh_4', label: { zh: '四级：优/良/中/差', en: '4 levels: 优/良/中/差' }, entries: [...e('A', '优'), ...e('B', '良'), ...e('C', '中'), ...e('E', '差')] },
  // The spellings of normaliseGrade (GRADE_WORDS in normalise.ts), so a file graded in words gets
  // the same grades whether or not the user goes through a scale.
  {
    name: 'zh_5', label: { zh: '五级：优/良/中/基本合格/不合格', en: '5 levels: 优/良/中/基本合格/不合格' },
    entries: [
      ...e('A', '优', '优秀', '卓越', '杰出'),
      ...e('B', '良', '良好', '较好'),
      ...e('C', '中', '中等', '合格', '称职', '一般'),
      ...e('D', '基本合格', '待改进', '需改进', '基本称职', '较差'),
      ...e('E', '不合格', '不称职', '差'),
    ],
  },
  // Six levels onto five grades: 卓越 is the level above 优秀, so each of the top four moves one
  // grade down from its 5-level meaning and the two failing levels share E. Keeping the top grade
  // for the rare top level (rather than merging 卓越 and 优秀 into A) keeps A as selective as it is
  // on 5-level scales, and 待改进/不合格 both mean "did not meet", which is what E stands for.
  {
    name: 'zh_6', label: { zh: '六级：卓越/优秀/良好/合格/待改进/不合格', en: '6 levels: 卓越/优秀/良好/合格/待改进/不合格' },
    entries: [...e('A', '卓越'), ...e('B', '优秀'), ...e('C', '良好'), ...e('D', '合格'), ...e('E', '待改进', '不合格')],
  },
  {
    name: 'en_words', label: { zh: '英文评语（Outstanding … Unsatisfactory）', en: 'English words (Outstanding … Unsatisfactory)' },
    entries: [
      ...e('A', 'Outstanding', 'Exceptional', 'Far Exceeds Expectations', 'Significantly Exceeds Expectations'),
      ...e('B', 'Exceeds Expectations', 'Exceeds Expectation', 'Exceeds'),
      ...e('C', 'Fully Meets Expectations', 'Fully Meets', 'Meets Expectations', 'Meets Expectation', 'Meets'),
      ...e('D', 'Needs Improvement', 'Improvement Needed', 'Partially Meets Expectations', 'Partially Meets', 'Below Expectations'),
      ...e('E', 'Unsatisfactory', 'Does Not Meet Expectations', 'Does Not Meet', 'PIP'),
    ],
  },
  { name: 'num_5_high', label: { zh: '数字 1–5（5 最好）', en: 'Numbers 1–5 (5 best)' }, entries: [...e('A', '5'), ...e('B', '4'), ...e('C', '3'), ...e('D', '2'), ...e('E', '1')] },
  { name: 'num_5_low', label: { zh: '数字 1–5（1 最好）', en: 'Numbers 1–5 (1 best)' }, entries: [...e('A', '1'), ...e('B', '2'), ...e('C', '3'), ...e('D', '4'), ...e('E', '5')] },
  // On a 4-point scale the bottom point is the failing one ("does not meet"), so it maps to E and
  // the gap falls at D: a 4-level company has no "marginal" level, but it does have failures, and
  // moving them to D would hide them from every E-based comparison across schemes.
  { name: 'num_4_high', label: { zh: '数字 1–4（4 最好）', en: 'Numbers 1–4 (4 best)' }, entries: [...e('A', '4'), ...e('B', '3'), ...e('C', '2'), ...e('E', '1')] },
  // Three points: top, middle and failing, for the same reason as num_4_high.
  { name: 'num_3_high', label: { zh: '数字 1–3（3 最好）', en: 'Numbers 1–3 (3 best)' }, entries: [...e('A', '3'), ...e('C', '2'), ...e('E', '1')] },
];

/** Comparison key of a scale value: NFKC, trimmed, inner whitespace → one space, lower-case. */
export function scaleKey(raw: string): string {
  return raw.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

// Numbers compare by value: spreadsheets write the rating 3 as '3.0', and '03' happens too.
const NUMERIC = /^[+-]?\d+(?:\.\d+)?$/;
function valueKey(raw: string): string {
  const k = scaleKey(raw);
  return NUMERIC.test(k) ? String(Number(k)) : k;
}

// 'B级', 'A等', '优等' are the plain grades with a suffix; the same tolerance as normaliseGrade.
const SUFFIX = /\s*[级等类]$/;

function lookupIn(table: Map<string, Grade | null>, raw: string): Grade | null | undefined {
  const k = valueKey(raw);
  if (!k) return undefined;
  if (table.has(k)) return table.get(k);
  const bare = k.replace(SUFFIX, '');
  return bare && bare !== k && table.has(bare) ? table.get(bare) : undefined;
}

function tableOf(entries: ScaleEntry[]): Map<string, Grade | null> {
  const table = new Map<string, Grade | null>();
  // The first entry for a key wins, as in a list a person reads top to bottom.
  for (const en of entries) {
    const k = valueKey(en.value);
    if (k && !table.has(k)) table.set(k, en.grade);
  }
  return table;
}

/**
 * value → grade lookup built from entries (keys via scaleKey, numbers by value, a trailing 级/等/类
 * tolerated); null means "explicitly not a grade", undefined "not in the scale".
 */
export function scaleLookup(entries: ScaleEntry[]): (raw: string) => Grade | null | undefined {
  const table = tableOf(entries);
  return (raw) => lookupIn(table, raw);
}

export interface ScaleValueCount {
  value: string;
  count: number;
}

export interface ScaleProposal {
  preset: string | null;
  entries: Array<ScaleEntry & { count: number }>;
  unmapped: ScaleValueCount[];
}

/** Distinct values merged by their lookup key, keeping the commonest spelling (trimmed) for display. */
function mergeValues(values: ScaleValueCount[]): ScaleValueCount[] {
  const groups = new Map<string, { total: number; spellings: Map<string, number> }>();
  for (const { value, count } of values) {
    const k = valueKey(value);
    if (!k) continue; // blank cells are missing grades, not a level of the scale
    const g = groups.get(k) ?? { total: 0, spellings: new Map<string, number>() };
    const spelling = value.normalize('NFKC').trim().replace(/\s+/g, ' ');
    g.total += count;
    g.spellings.set(spelling, (g.spellings.get(spelling) ?? 0) + count);
    groups.set(k, g);
  }
  return [...groups.values()].map((g) => {
    let best = '', bestCount = -1;
    for (const [s, c] of g.spellings) if (c > bestCount) [best, bestCount] = [s, c];
    return { value: best, count: g.total };
  });
}

// Which presets a column may be on at all, beyond "maps the most rows": some scales share their
// words and only a marker value tells them apart.
function eligible(preset: string, keys: Set<string>): boolean {
  const hasS = keys.has('s');
  // 'A' is the top grade without an S in the column and the second with one.
  if (preset === 'letters_ae') return !hasS;
  if (preset === 'letters_sd') return hasS;
  // 卓越 and 优秀 side by side mean the 6-level scale; either alone is the 5-level one, whose
  // top level some companies call 卓越.
  const six = keys.has('卓越') && keys.has('优秀');
  if (preset === 'zh_6') return six;
  if (preset === 'zh_5') return !six;
  return true;
}

function propose(preset: RatingScale, merged: ScaleValueCount[]): { mapped: number; entries: Array<ScaleEntry & { count: number }>; unmapped: ScaleValueCount[] } {
  const order = new Map<string, number>();
  preset.entries.forEach((en, i) => {
    const k = valueKey(en.value);
    if (!order.has(k)) order.set(k, i);
  });
  const table = tableOf(preset.entries);
  const hits: Array<ScaleEntry & { count: number; at: number }> = [];
  const unmapped: ScaleValueCount[] = [];
  let mapped = 0;
  for (const v of merged) {
    const grade = lookupIn(table, v.value);
    if (grade === undefined) {
      unmapped.push(v);
      continue;
    }
    const k = valueKey(v.value);
    const at = order.get(k) ?? order.get(k.replace(SUFFIX, '')) ?? preset.entries.length;
    hits.push({ value: v.value, grade, count: v.count, at });
    mapped += v.count;
  }
  hits.sort((a, b) => a.at - b.at || b.count - a.count);
  return { mapped, entries: hits.map(({ at: _at, ...rest }) => rest), unmapped };
}

const byCount = (a: ScaleValueCount, b: ScaleValueCount) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0);

/**
 * Proposes a scale for the distinct raw values of a grade column (with their row counts): the
 * preset mapping the most rows, ties going to fewer unmapped distinct values and then to preset
 * order. Integer columns 1..N (N = 3, 4, 5) get num_N_high, since "higher is better" is by far the
 * commoner convention (the user can switch to num_5_low). Blank values are ignored. Entries come in
 * the preset's order with their counts; unmapped values by descending count.
 */
export function proposeScale(values: ScaleValueCount[]): ScaleProposal {
  const merged = mergeValues(values);
  const keys = new Set(merged.map((v) => valueKey(v.value)));
  const bareKeys = new Set([...keys].map((k) => k.replace(SUFFIX, '')));
  const none: ScaleProposal = { preset: null, entries: [], unmapped: [...merged].sort(byCount) };
  if (merged.length === 0) return none;

  const nums = [...keys].map((k) => (NUMERIC.test(k) ? Number(k) : Number.NaN));
  const allIntegers = nums.every((n) => Number.isInteger(n) && n >= 1);
  const highest = SCALE_PRESETS.find((p) => allIntegers && p.name === `num_${Math.max(...nums)}_high`);

  let best: { preset: RatingScale; mapped: number; entries: ScaleProposal['entries']; unmapped: ScaleValueCount[] } | null = null;
  for (const preset of highest ? [highest] : SCALE_PRESETS.filter((p) => eligible(p.name, bareKeys))) {
    const r = propose(preset, merged);
    // Strictly better only, so earlier presets win ties.
    if (!best || r.mapped > best.mapped || (r.mapped === best.mapped && r.unmapped.length < best.unmapped.length)) best = { preset, ...r };
  }
  if (!best || best.mapped === 0) return none;
  return { preset: best.preset.name, entries: best.entries, unmapped: best.unmapped.sort(byCount) };
}

// Canonical zh grade names (GRADE_LABELS) as the CLI accepts them besides the letters.
const ZH_GRADES = new Map<string, Grade>(GRADES.map((g) => [GRADE_LABELS[g].zh, g]));
// '-' marks a value as explicitly not a grade ("Too new to rate=-"), the null grade of ScaleEntry.
const NOT_A_GRADE = '-';

const EXAMPLE = 'Fully Meets=C,Exceeds=B';

/**
 * Parses the CLI form "VALUE=GRADE,VALUE=GRADE,…". Values may contain spaces (and '=', the last
 * one separates); grades are A–E in any case, the canonical zh names 优/良/中/基本合格/不合格, or
 * '-' for "not a grade". Throws a BilingualError naming the bad part.
 */
export function parseGradeMap(text: string): ScaleEntry[] {
  // NFKC so the full-width ， and ＝ of a Chinese keyboard separate as well.
  const parts = text.normalize('NFKC').split(',').map((p) => p.trim());
  const entries: ScaleEntry[] = [];
  const seen = new Map<string, Grade | null>();
  for (const part of parts) {
    if (part === '') continue; // a trailing or doubled comma is a typo, not a value
    const eq = part.lastIndexOf('=');
    if (eq < 0)
      throw new BilingualError(`等级映射“${part}”缺少“=”，应写成 值=等级，例如 ${EXAMPLE}`, `Grade map part "${part}" has no '=': write VALUE=GRADE, e.g. ${EXAMPLE}`);
    const value = part.slice(0, eq).trim().replace(/\s+/g, ' ');
    const gradeText = part.slice(eq + 1).trim();
    if (value === '')
      throw new BilingualError(`等级映射“${part}”缺少“=”前面的值`, `Grade map part "${part}" has no value before '='`);
    if (gradeText === '')
      throw new BilingualError(`等级映射“${part}”缺少“=”后面的等级`, `Grade map part "${part}" has no grade after '='`);
    let grade: Grade | null;
    const letter = gradeText.toUpperCase();
    if ((GRADES as readonly string[]).includes(letter)) grade = letter as Grade;
    else if (ZH_GRADES.has(gradeText)) grade = ZH_GRADES.get(gradeText)!;
    else if (gradeText === NOT_A_GRADE) grade = null;
    else
      throw new BilingualError(
        `等级映射“${part}”中的等级“${gradeText}”无法识别：请用 A–E、优/良/中/基本合格/不合格，或用 - 表示不计等级`,
        `Grade map part "${part}": unknown grade "${gradeText}"; use A–E, 优/良/中/基本合格/不合格, or - for "not a grade"`,
      );
    const k = valueKey(value);
    if (seen.has(k)) {
      if (seen.get(k) !== grade)
        throw new BilingualError(`等级映射中“${value}”出现了两次且等级不同`, `Grade map gives "${value}" twice with different grades`);
      continue;
    }
    seen.set(k, grade);
    entries.push({ value, grade });
  }
  if (entries.length === 0)
    throw new BilingualError(`等级映射为空：应写成 值=等级,值=等级，例如 ${EXAMPLE}`, `The grade map is empty: write VALUE=GRADE,VALUE=GRADE, e.g. ${EXAMPLE}`);
  return entries;
}
