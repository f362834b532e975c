import { z } from 'zod';
import { GRADES, type Grade } from '../domain.ts';

/**
 * What happens when people with equal ranking keys straddle a quota boundary:
 * - `better`: all of them take the better grade; the group ends over quota on that grade and
 *   under on a later one (the cumulative boundaries stay where the quotas put them);
 * - `secondary`: ties on the score are broken by the secondary keys (a named KPI's score, then
 *   tenure, both higher first, missing last); people still tied on every key are flagged;
 * - `flag`: the tied people are flagged for a human decision. Their provisional grade follows
 *   employee id order, so the quota counts hold until HR decides.
 */
export const TIE_RULES = ['better', 'secondary', 'flag'] as const;
export type TieRule = (typeof TIE_RULES)[number];
export const tieRuleSchema = z.enum(TIE_RULES);

export interface RankPerson {
  id: string;
  score: number;
  /** Secondary keys, higher is better; null sorts last. Used only by the `secondary` rule. */
  secondary?: ReadonlyArray<number | null>;
}

export interface RankResult {
  /** Proposed grade per input person (same order as the input). */
  grades: Grade[];
  /** True where the person's tie straddles a quota boundary and a human must decide. */
  flagged: boolean[];
  /** Headcount actually given per grade (GRADES order); differs from the quota only under `better`. */
  counts: number[];
}

const cmpKeys = (a: RankPerson, b: RankPerson, useSecondary: boolean): number => {
  if (a.score !== b.score) return b.score - a.score;
  if (!useSecondary) return 0;
  const n = Math.max(a.secondary?.length ?? 0, b.secondary?.length ?? 0);
  for (let i = 0; i < n; i++) {
    const x = a.secondary?.[i] ?? null;
    const y = b.secondary?.[i] ?? null;
    if (x === y) continue;
    if (x === null) return 1;
    if (y === null) return -1;
    return y - x;
  }
  return 0;
};

/**
 * Reference implementation of forced ranking inside one group (the DuckDB query is tested
 * against it). People are ordered by score (then the secondary keys under `secondary`), then by
 * id; position i (0-based) falls in grade k when cum_{k−1} ≤ i < cum_k with cum the running sum
 * of the quotas. A tie block spanning positions [s, e] straddles a boundary when the grades of s
 * and e differ; `better` gives the whole block the grade of s.
 */
export function rankGroup(people: readonly RankPerson[], quotas: readonly number[], rule: TieRule): RankResult {
  const n = people.length;
  const quotaSum = quotas.reduce((a, b) => a + b, 0);
  if (quotaSum !== n) throw new RangeError(`quotas sum to ${quotaSum} but the group has ${n} people`);
  const cum: number[] = [];
  quotas.reduce((acc, q) => (cum.push(acc + q), acc + q), 0);
  const gradeAt = (pos: number) => cum.findIndex((c) => pos < c);
  const useSecondary = rule === 'secondary';
  const order = people
    .map((_, i) => i)
    .sort((i, j) => cmpKeys(people[i]!, people[j]!, useSecondary) || (people[i]!.id < people[j]!.id ? -1 : people[i]!.id > people[j]!.id ? 1 : 0));
  const grades: Grade[] = new Array(n);
  const flagged: boolean[] = new Array(n).fill(false);
  let s = 0;
  while (s < n) {
    let e = s;
    while (e + 1 < n && cmpKeys(people[order[s]!]!, people[order[e + 1]!]!, useSecondary) === 0) e++;
    const straddles = gradeAt(s) !== gradeAt(e);
    for (let p = s; p <= e; p++) {
      const idx = order[p]!;
      grades[idx] = GRADES[rule === 'better' ? gradeAt(s) : gradeAt(p)]!;
      if (straddles && rule !== 'better') flagged[idx] = true;
    }
    s = e + 1;
  }
  const counts = GRADES.map((g) => grades.filter((x) => x === g).length);
  return { grades, flagged, counts };
}
