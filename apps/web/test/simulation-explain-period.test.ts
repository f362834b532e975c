import { describe, expect, it } from 'vitest';
import { openingPeriod } from '../src/components/simulation/explainPeriod';
import type { Explained } from '../src/pages/simulation/api';

type Month = Explained[number];
/** One month: base and scenario score/grade/bonus, and the grade on file. */
function month(periodId: string, base: [number, string, number], scen: [number, string, number], recorded = base[1]): Month {
  const res = ([score, grade, bonus]: [number, string, number]) => ({ ok: true, result: { score, grade, bonus: { amount: bonus, parts: [] }, lines: [] }, bonusError: null });
  return { periodId, employeeId: 'E1', name: null, orgUnitId: 'U', recorded: { score: base[0], grade: recorded, coefficient: 1, bonus: null }, base: res(base), scenario: res(scen) } as unknown as Month;
}

describe('the month the explanation opens on', () => {
  it('is the first month whose grade changed, not the first month nor the biggest score move', () => {
    const months = [
      month('2024-01', [72, 'C', 100], [79, 'C', 100]), // the biggest score move, same grade
      month('2024-02', [80, 'C', 100], [81, 'B', 100]), // the first grade change
      month('2024-03', [90.5, 'B', 100], [91, 'A', 100]),
    ];
    expect(openingPeriod(months)).toBe('2024-02');
    // Bands-only edit: every score is the same, the grade changes in March only.
    const bands = [month('2024-01', [85, 'B', 100], [85, 'B', 100]), month('2024-02', [88, 'B', 100], [88, 'B', 100]), month('2024-03', [90.5, 'B', 100], [90.5, 'A', 130])];
    expect(openingPeriod(bands)).toBe('2024-03');
  });

  it('compares with the grade on file when the page uses the recorded baseline', () => {
    const months = [month('2024-01', [85, 'B', 100], [85, 'B', 100], 'C'), month('2024-02', [70, 'D', 100], [72, 'C', 100], 'D')];
    expect(openingPeriod(months, 'base')).toBe('2024-02');
    expect(openingPeriod(months, 'recorded')).toBe('2024-01');
  });

  it('without a grade change: the biggest score move, then the biggest bonus move, then the first month', () => {
    expect(openingPeriod([month('2024-01', [85, 'B', 100], [85.2, 'B', 100]), month('2024-02', [85, 'B', 100], [87, 'B', 100])])).toBe('2024-02');
    expect(openingPeriod([month('2024-01', [85, 'B', 100], [85, 'B', 100]), month('2024-02', [85, 'B', 100], [85, 'B', 120])])).toBe('2024-02');
    expect(openingPeriod([month('2024-01', [85, 'B', 100], [85, 'B', 100]), month('2024-02', [85, 'B', 100], [85, 'B', 100])])).toBe('2024-01');
    expect(openingPeriod([])).toBeNull();
  });
});
