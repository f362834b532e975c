import type { BonusComponent } from './types.ts';

/**
 * Which parts of a scheme can change what the simulator shows. A grade band's coefficient only
 * reaches money through a `grade_coefficient` bonus component (base × coefficient); the other
 * formulas read the score (score_share), a KPI's achievement and the supervisor ratio
 * (achievement_split) or the order total (commission). Editing a coefficient the formula never
 * reads changes no cost, so the editor disables it rather than let two "different" scenarios
 * cost the same (issue 18: A's coefficient 2.0 changed the merchandiser cost by 0.00).
 * Type-only imports: the web bundle loads this file without zod.
 */
export function bonusUsesGradeCoefficient(scheme: { bonus: readonly BonusComponent[] }): boolean {
  return scheme.bonus.some((c) => c.type === 'grade_coefficient');
}
