import { describe, expect, it } from 'vitest';
import { builtinScheme, DEFAULT_SCHEME_BANDS, evaluateScheme, gradeForScore, gradeScore, schemeSchema } from '../src/index.ts';

/*
 * Defect 5: the seed's "<60 不合格" is what the code does. The bands apply to the unrounded score
 * (91–100, 81–<91, 71–<81, 60–<71, <60); rounding before grading is a scheme's explicit choice.
 */
describe('grade bands apply to the unrounded score', () => {
  it.each([
    [59.5, 'E'],
    [59.99, 'E'],
    [60, 'D'],
    [90.5, 'B'],
    [90.99, 'B'],
    [91, 'A'],
  ] as const)('%d → %s by default', (score, grade) => {
    expect(gradeForScore(score)).toBe(grade);
    expect(gradeScore(DEFAULT_SCHEME_BANDS, score).grade).toBe(grade);
  });
  it('gradeRounding "half_up_integer" keeps the old rule for schemes that say so', () => {
    expect(gradeForScore(59.5, undefined, 'half_up_integer')).toBe('D');
    expect(gradeForScore(90.5, undefined, 'half_up_integer')).toBe('A');
  });
  it('schemes default to no rounding; the built-in ones say so explicitly after parsing', () => {
    expect(builtinScheme('merchandiser-v1').gradeRounding).toBe('none');
    expect(schemeSchema.parse({ ...builtinScheme('merchandiser-v1'), gradeRounding: 'half_up_integer' }).gradeRounding).toBe('half_up_integer');
  });
  it('the explanation shows the rounding rule and the band it fell into', () => {
    const m = builtinScheme('merchandiser-v2');
    const s = schemeSchema.parse({ ...m, kpis: [{ code: 'all', name: { zh: '综合', en: 'all' }, section: 'result', weight: 100, rule: { type: 'ratio', direction: 'higher' } }] });
    const r = evaluateScheme(s, { kpis: { all: { actual: 59.5, target: 100 } }, monthlySalary: 1000 });
    expect(r.score).toBe(59.5);
    expect(r.grade).toBe('E');
    expect(r.gradeExplanation.en).toBe('score 59.5 (not rounded: compared with the bands as it is) → Unsatisfactory (E): 59.5 < 60');
    expect(r.gradeExplanation.zh).toContain('不取整');
    const h = evaluateScheme(schemeSchema.parse({ ...s, gradeRounding: 'half_up_integer' }), { kpis: { all: { actual: 90.5, target: 100 } }, monthlySalary: 1000 });
    expect(h.grade).toBe('A');
    expect(h.gradeExplanation.en).toBe('score 90.5, rounded half-up to the integer 91 as the scheme says → Outstanding (A): 91 ≤ 91');
  });
});
