import { GRADES, type Grade } from '../domain.ts';
import { dbl } from './compile-sql.ts';
import type { Streak } from './types.ts';

export function streakConditionHolds(streak: Streak, score: number, grade: Grade): boolean {
  const c = streak.condition;
  return c.kind === 'grade_at_most' ? GRADES.indexOf(grade) >= GRADES.indexOf(c.grade) : score < c.value;
}

/**
 * Periods (by ordinal) at which the streak is complete: the condition held in this period and
 * the N − 1 periods right before it. A missing period breaks the run, since "consecutive" in the
 * rules means consecutive months of employment, not consecutive assessments on file.
 */
export function streakHits(streak: Streak, rows: ReadonlyArray<{ ord: number; score: number; grade: Grade }>): number[] {
  const sorted = [...rows].sort((a, b) => a.ord - b.ord);
  const hits: number[] = [];
  let run = 0;
  let prev: number | null = null;
  for (const r of sorted) {
    const ok = streakConditionHolds(streak, r.score, r.grade);
    run = ok ? (prev !== null && r.ord === prev + 1 && run > 0 ? run + 1 : 1) : 0;
    prev = r.ord;
    if (run >= streak.periods) hits.push(r.ord);
  }
  return hits;
}

/** SQL boolean for the condition over `score` and `grade` columns (grade codes are A–E). */
export function streakConditionSql(streak: Streak, score: string, grade: string): string {
  const c = streak.condition;
  if (c.kind === 'score_below') return `(${score} < ${dbl(c.value)})`;
  const worse = GRADES.slice(GRADES.indexOf(c.grade)).map((g) => `'${g}'`);
  return `(${grade} IN (${worse.join(', ')}))`;
}
