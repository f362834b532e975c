import { describe, expect, it } from 'vitest';
import { analysisFiltersSchema, DEFAULT_GUIDELINE, gradeForScore, GRADES, periodIdSchema } from '../src/index.ts';

describe('gradeForScore (seed bands on the unrounded score: 91–100 优, 81–<91 良, 71–<81 中, 60–<71 基本合格, <60 不合格)', () => {
  it.each([
    [100, 'A'],
    [91, 'A'],
    [90.5, 'B'], // not rounded: below 91
    [90.49, 'B'],
    [81, 'B'],
    [80.5, 'C'],
    [80.4, 'C'],
    [71, 'C'],
    [70.9, 'D'],
    [70.4, 'D'],
    [60, 'D'], // the seeds leave 60 undefined; PerfLens counts it as 基本合格
    [59.5, 'E'], // "<60 不合格"
    [59.4, 'E'],
    [0, 'E'],
  ] as const)('%d → %s', (score, grade) => {
    expect(gradeForScore(score)).toBe(grade);
  });

  it('uses custom bands when given', () => {
    const bands = [
      { grade: 'A', min: 95 },
      { grade: 'C', min: 50 },
      { grade: 'E', min: Number.NEGATIVE_INFINITY },
    ] as const;
    expect(gradeForScore(94.5, bands)).toBe('C');
    expect(gradeForScore(94.5, bands, 'half_up_integer')).toBe('A');
    expect(gradeForScore(10, bands)).toBe('E');
  });
});

describe('default guideline', () => {
  it('covers every grade and sums to 1', () => {
    expect(Object.keys(DEFAULT_GUIDELINE).sort()).toEqual([...GRADES]);
    expect(Object.values(DEFAULT_GUIDELINE).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });
});

describe('analysis filters', () => {
  it('accepts month, quarter and year ids and leaves an absent cycle to the warehouse (the finest with data)', () => {
    expect(analysisFiltersSchema.parse({ from: '2024-03', to: '2025-Q4' })).toEqual({ from: '2024-03', to: '2025-Q4' });
    expect(periodIdSchema.safeParse('2024').success).toBe(true);
  });
  it.each(['2024-13', '2024-Q5', '24-01', "2024-01'; DROP TABLE x;--", ''])('rejects period id %j', (id) => {
    expect(periodIdSchema.safeParse(id).success).toBe(false);
  });
  it('rejects a malformed role and an unknown cycle (whether a role exists is the API’s check against the roles table)', () => {
    expect(analysisFiltersSchema.safeParse({ role: 'ceo' }).success).toBe(true);
    expect(analysisFiltersSchema.safeParse({ role: '  ' }).success).toBe(false);
    expect(analysisFiltersSchema.safeParse({ cycle: 'week' }).success).toBe(false);
  });
});
