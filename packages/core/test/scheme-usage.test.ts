import { describe, expect, it } from 'vitest';
import { BUILTIN_SCHEMES, bonusUsesGradeCoefficient, builtinScheme, evaluateScheme, type Scheme, type SchemeInputs } from '../src/index.ts';

/** Inputs every built-in scheme can be scored and paid from (one month, all KPIs on target). */
function inputsFor(s: Scheme): SchemeInputs {
  return {
    kpis: Object.fromEntries(s.kpis.map((k) => [k.code, { actual: 1, target: 1 }])),
    raters: { supervisor: 85, peer: 80, self: 90, customer: 88, indirect_supervisor: 82 },
    monthlySalary: 8000,
    orderTotal: 120_000,
    supervisorRatio: 1,
  };
}

const withCoefficients = (s: Scheme, f: (c: number) => number): Scheme => ({ ...s, gradeBands: s.gradeBands.map((b) => ({ ...b, coefficient: f(b.coefficient) })) });

describe('whether a bonus formula uses the grade coefficient', () => {
  it('only a grade_coefficient component reads it: score share, achievement split and commission do not', () => {
    expect(bonusUsesGradeCoefficient(builtinScheme('merchandiser-v1'))).toBe(false); // salary × score/100
    expect(bonusUsesGradeCoefficient(builtinScheme('sales-v1'))).toBe(false); // achievement split
    expect(bonusUsesGradeCoefficient(builtinScheme('cs_ecommerce-v1'))).toBe(false); // 750 × score% + commission
    expect(bonusUsesGradeCoefficient(builtinScheme('functional-v1'))).toBe(true); // salary 20% × coefficient
    expect(bonusUsesGradeCoefficient(builtinScheme('cs_callcenter-v1'))).toBe(true);
    // No bonus formula at all: nothing reads a coefficient.
    expect(bonusUsesGradeCoefficient({ bonus: [] })).toBe(false);
    // One grade_coefficient part among others is enough.
    expect(bonusUsesGradeCoefficient({ bonus: [{ type: 'commission', rate: 0.003 }, { type: 'grade_coefficient', base: { kind: 'fixed', amount: 100 } }] })).toBe(true);
  });

  // The claim the editor acts on, checked against the evaluator itself: for every built-in scheme,
  // doubling every coefficient leaves the bonus exactly as it was when (and only when) the
  // formula is said not to use it.
  it.each(BUILTIN_SCHEMES.map((s) => [s.id, s] as const))('%s: the evaluator agrees', (_id, s) => {
    const before = evaluateScheme(s, inputsFor(s), { explain: false });
    const after = evaluateScheme(withCoefficients(s, (c) => c * 2 + 0.1), inputsFor(s), { explain: false });
    expect(before.bonus).not.toBeNull();
    expect(after.score).toBe(before.score);
    expect(after.bonus!.amount === before.bonus!.amount).toBe(!bonusUsesGradeCoefficient(s));
  });
});
