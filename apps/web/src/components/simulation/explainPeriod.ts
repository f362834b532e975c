import type { Explained } from '@/pages/simulation/api';

/**
 * The month the explanation drawer opens on. The affected list ranks people by grade changes,
 * so the drawer opens where the first one happened: the first month, in period order, whose
 * grade under the edited scheme differs from the baseline grade (the base scheme re-scored, or
 * the grade on file when the page compares with the recorded results). With no grade change,
 * the month whose score moved most, then whose bonus moved most; else the first month.
 * Kept apart from the drawer component so it is unit-tested without rendering.
 */
export function openingPeriod(months: Explained, baseline: 'base' | 'recorded' = 'base'): string | null {
  const baseGrade = (x: Explained[number]): string | null => (baseline === 'recorded' ? x.recorded.grade : x.base.ok ? x.base.result.grade : null);
  const changed = months.find((x) => {
    const b = baseGrade(x);
    return b !== null && x.scenario.ok && x.scenario.result.grade !== b;
  });
  if (changed) return changed.periodId;
  const both = (x: Explained[number]) => (x.base.ok && x.scenario.ok ? { b: x.base.result, s: x.scenario.result } : null);
  const dScore = (x: Explained[number]) => {
    const p = both(x);
    return p ? Math.abs(p.s.score - p.b.score) : 0;
  };
  const dBonus = (x: Explained[number]) => {
    const p = both(x);
    return p ? Math.abs((p.s.bonus?.amount ?? 0) - (p.b.bonus?.amount ?? 0)) : 0;
  };
  // First of the largest, so ties keep period order.
  const best = (f: (x: Explained[number]) => number) => months.reduce<Explained[number] | null>((acc, x) => (f(x) > 0 && (acc === null || f(x) > f(acc)) ? x : acc), null);
  return (best(dScore) ?? best(dBonus) ?? months[0])?.periodId ?? null;
}
