import { dimensionKey } from './dimension.ts';

/**
 * Near matches between a name an import would create and the names already known: a department
 * typed 跟单一布 where 跟单一部 exists is almost always a typo, and importing it silently would
 * split one department's history in two. Pure, so the importer, the preview and the tests share it.
 */

/** Edit distance (insert, delete, substitute) over code points, so one CJK character counts as one. */
export function editDistance(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  if (x.length === 0) return y.length;
  if (y.length === 0) return x.length;
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[y.length]!;
}

// Digits and the characters companies number their units with (销售一部, 销售二部; 甲班, 乙班;
// Team 1, Team 2): names that differ only in these are siblings, not typos of each other.
const ORDINAL = /^[0-9零〇一二三四五六七八九十百甲乙丙丁戊己庚辛壬癸]$/u;

/** True when two names of equal length differ only in ordinal characters at the same places. */
function ordinalSiblings(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  let differs = false;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    if (!ORDINAL.test(a[i]!) || !ORDINAL.test(b[i]!)) return false;
    differs = true;
  }
  return differs;
}

/**
 * How many edits still read as "the same name mistyped", by the longer name's length: none for a
 * single character, one up to six characters (a 4-character CJK department is mostly 2–4
 * characters, so one wrong character is a quarter of it), two beyond.
 */
export function nearMatchBudget(length: number): number {
  return length <= 1 ? 0 : length <= 6 ? 1 : 2;
}

/**
 * Whether `candidate` is a near match of `name`: the same key apart from case, width and spacing
 * (Sales vs sales), or within the edit budget and not merely a sibling with another number.
 * Identical names are no near match (they are the same unit).
 */
export function isNearMatch(name: string, candidate: string): boolean {
  return name !== candidate && nearDistance(keyOf(name), keyOf(candidate)) !== null;
}

interface Keyed {
  name: string;
  chars: string[];
}
const keyOf = (name: string): Keyed => ({ name, chars: Array.from(dimensionKey(name)) });

/** The edit distance of two keyed names when they are a near match, else null (cheap checks first). */
function nearDistance(a: Keyed, b: Keyed): number | null {
  const x = a.chars.join('');
  const y = b.chars.join('');
  if (x === y) return a.chars.length > 0 ? 0 : null;
  const budget = nearMatchBudget(Math.max(a.chars.length, b.chars.length));
  if (budget === 0 || Math.abs(a.chars.length - b.chars.length) > budget) return null;
  if (ordinalSiblings(a.chars, b.chars)) return null;
  const d = editDistance(x, y);
  return d <= budget ? d : null;
}

function nearestKeyed(name: Keyed, candidates: readonly Keyed[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const c of candidates) {
    if (c.name === name.name) continue;
    const d = nearDistance(name, c);
    if (d !== null && d < bestDistance) {
      best = c.name;
      bestDistance = d;
    }
  }
  return best;
}

/**
 * The nearest of `candidates` that is a near match of `name` (fewest edits, then the first in
 * the order given, so callers list the likelier targets first), or null.
 */
export function nearestMatch(name: string, candidates: Iterable<string>): string | null {
  return nearestKeyed(keyOf(name), Array.from(candidates, keyOf));
}

/** One org unit an import would create, with the known or other new name it is close to. */
export interface NewOrgUnit {
  name: string;
  /** Rows of the file naming it. */
  rows: number;
  /** The first row naming it, as Excel numbers rows (null in the preview, which does not number rows). */
  firstRow: number | null;
  /** A near match: an existing unit, else another new name in the same file that more rows use. */
  similar: { name: string; existing: boolean } | null;
}

/** What running an import would create besides its own rows: org units and employees. */
export interface CreationPlan {
  orgUnits: NewOrgUnit[];
  /** Employees the file names that are not stored yet (a sample: see employeeCount). */
  employees: Array<{ id: string; name: string | null }>;
  employeeCount: number;
}

/**
 * Attaches near matches to the new names: an existing name first; else another new name in the
 * file used by more rows (of 跟单一部 × 40 rows and 跟单一布 × 1 row, the single row is the typo).
 */
export function withNearMatches(fresh: Array<Omit<NewOrgUnit, 'similar'>>, existing: readonly string[]): NewOrgUnit[] {
  // Keys are folded once (a first import may name thousands of units against thousands stored).
  const known = existing.map(keyOf);
  const byRows = fresh.map((u) => ({ ...keyOf(u.name), rows: u.rows })).sort((p, q) => q.rows - p.rows);
  return fresh.map((u) => {
    const key = keyOf(u.name);
    const stored = nearestKeyed(key, known);
    if (stored !== null) return { ...u, similar: { name: stored, existing: true } };
    const sibling = nearestKeyed(key, byRows.filter((o) => o.rows > u.rows));
    return { ...u, similar: sibling === null ? null : { name: sibling, existing: false } };
  });
}

/**
 * Whether the caller's confirmation covers a plan: `true` accepts anything; a list accepts the
 * org units it names (compared as keys, so width and spacing do not matter) and up to that many
 * employees. A confirmation given for an earlier mapping does not cover a unit it never listed.
 */
export function confirmationCovers(plan: Pick<CreationPlan, 'orgUnits' | 'employeeCount'>, confirm: true | { orgUnits: readonly string[]; employees: number }): boolean {
  if (confirm === true) return true;
  const accepted = new Set(confirm.orgUnits.map(dimensionKey));
  return plan.orgUnits.every((u) => accepted.has(dimensionKey(u.name))) && plan.employeeCount <= confirm.employees;
}
