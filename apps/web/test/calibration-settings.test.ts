import { describe, expect, it } from 'vitest';
import { defaultSettings, departmentsInput, rankingInput, settingsIssues } from '../src/components/calibration/settings';

describe('calibration settings → API input', () => {
  it('sends shares as typed and leaves out what is not chosen', () => {
    const s = defaultSettings('2025-12');
    const input = rankingInput(s);
    expect(input).toEqual({
      from: '2025-12',
      cycle: 'month',
      grouping: 'orgUnit',
      guideline: { mode: 'shares', shares: { A: 10, B: 20, C: 50, D: 15, E: 5 } },
      scoreSource: 'recorded',
      normalisation: 'centre',
      tieRule: 'better',
      minGroupSize: 10,
    });
    expect(settingsIssues(s)).toEqual([]);
  });

  it('turns range percentages into fractions and drops empty bounds', () => {
    const s = { ...defaultSettings('2024-Q2', 'quarter'), guidelineMode: 'ranges' as const };
    s.ranges = { A: { min: null, max: 15 }, B: { min: 10, max: 30 }, C: { min: null, max: null }, D: { min: null, max: null }, E: { min: 5, max: null } };
    expect(rankingInput(s).guideline).toEqual({ mode: 'ranges', ranges: { A: { max: 0.15 }, B: { min: 0.1, max: 0.3 }, E: { min: 0.05 } } });
    // Ranges have no single share: the department comparison falls back to the default guideline.
    expect(departmentsInput(s).guideline).toEqual({ mode: 'shares', shares: { A: 10, B: 20, C: 50, D: 15, E: 5 } });
  });

  it('flags shares that do not add up to 100, crossed bounds and impossible combinations', () => {
    const s = defaultSettings('2025-12');
    s.shares = { A: 10, B: 20, C: 45, D: 15, E: 5 };
    expect(settingsIssues(s)).toEqual([{ key: 'calibration.issue.sharesSum', values: { total: 95 } }]);
    s.shares = { A: 0, B: 0, C: 0, D: 0, E: 0 };
    expect(settingsIssues(s).map((i) => i.key)).toEqual(['calibration.issue.sharesZero']);

    const r = { ...defaultSettings('2025-12'), guidelineMode: 'ranges' as const };
    r.ranges = { A: { min: 20, max: 10 }, B: { min: 40, max: null }, C: { min: 50, max: null }, D: { min: null, max: null }, E: { min: null, max: null } };
    // A's bounds cross; the minimums add up to 20 + 40 + 50 = 110%.
    expect(settingsIssues(r)).toEqual([
      { key: 'calibration.issue.rangeOrder', values: { grade: 'A' } },
      { key: 'calibration.issue.rangeMins', values: { total: 110 } },
    ]);

    const l = { ...defaultSettings('2025-12'), linked: true, grouping: 'role' as const, tieRule: 'secondary' as const };
    expect(settingsIssues(l).map((i) => i.key)).toEqual(['calibration.issue.linked', 'calibration.issue.secondaryKpi']);
  });

  it('sends department-linked quotas with only the grades HR set', () => {
    const s = { ...defaultSettings('2025-12'), linked: true, deptGrades: { 'OU-KA': 'A' as const, 'OU-FIN': undefined } };
    expect(rankingInput(s).departmentLinked).toEqual({ grades: { 'OU-KA': 'A' }, multipliers: { A: 1.5, B: 1, C: 0.5, D: 0.5, E: 0.5 } });
  });
});
