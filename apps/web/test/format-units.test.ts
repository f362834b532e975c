import { describe, expect, it } from 'vitest';
import { outcomeValueUnit } from '@perflens/core/policy/units';
import { fmtDateTime, fmtEffect, fmtLevel, fmtQuantity, fmtScoreForGrade, fmtYuan } from '../src/lib/format';

const rate = outcomeValueUnit('kpi:order_accuracy');
const money = outcomeValueUnit('bonus');
const points = outcomeValueUnit('score');

describe('figures in their units (the executive cards)', () => {
  it('rates as percentage points, never as raw fractions', () => {
    expect(fmtEffect(0.03724888, [0.0346909, 0.0398069], rate, 'zh')).toEqual({ value: '+3.72 个百分点', ci: '3.47–3.98 个百分点' });
    expect(fmtEffect(0.03724888, [0.0346909, 0.0398069], rate, 'en')).toEqual({ value: '+3.72 pp', ci: '3.47–3.98 pp' });
    expect(fmtEffect(-0.0073972, null, outcomeValueUnit('metric:turnover_rate'), 'en').value).toBe('-0.740 pp');
    expect(fmtLevel(0.93602, [0.931, 0.9402], rate, 'zh')).toEqual({ value: '93.6%', ci: '93.1–94.0%' });
  });

  it('money with currency and separators, 万元 for large sums in Chinese', () => {
    expect(fmtEffect(294.748, [73.08, 516.41], money, 'zh')).toEqual({ value: '+¥295', ci: '¥73–¥516' });
    expect(fmtEffect(1501337.2, null, money, 'en').value).toBe('+¥1,501,337');
    expect(fmtEffect(1501337.2, null, money, 'zh').value).toBe('+150 万元');
  });

  it('scores in points; one rounding rule: the estimate and its interval share their decimals', () => {
    expect(fmtEffect(6.96151, [5.93798, 7.98505], points, 'zh')).toEqual({ value: '+6.96 分', ci: '5.94–7.99 分' });
    expect(fmtQuantity(12.0147, outcomeValueUnit('grade:A'), { delta: true, signed: true }, 'en')).toBe('+12.0 pp');
    expect(fmtEffect(null, null, points, 'en')).toEqual({ value: '–', ci: '–' });
  });
});

describe('money strings from the server', () => {
  it('keeps exact cents with the currency', () => {
    expect(fmtYuan('3837604.48', {}, 'en')).toBe('¥3,837,604.48');
    expect(fmtYuan('0.00', { signed: true }, 'zh')).toBe('+¥0.00');
    expect(fmtYuan('-1234.5', { signed: true }, 'en')).toBe('-¥1,234.50');
    expect(fmtYuan('12.345', {}, 'en')).toBe('¥12.345');
    expect(fmtYuan(null)).toBe('–');
  });
  it('writes large sums in 万元 in Chinese when asked', () => {
    expect(fmtYuan('3837604.48', { wan: true }, 'zh')).toBe('383.76 万元');
    expect(fmtYuan('3837604.48', { wan: true }, 'en')).toBe('¥3,837,604.48');
    expect(fmtYuan('9999.99', { wan: true }, 'zh')).toBe('¥9,999.99');
    expect(fmtYuan('-25000', { wan: true, signed: true }, 'zh')).toBe('-2.50 万元');
  });
});

describe('local dates', () => {
  it('reads zone-less server times as UTC and prints them without the ISO "T"', () => {
    const zh = fmtDateTime('2026-12-05T03:05:51', 'zh-CN');
    const en = fmtDateTime('2026-12-05T03:05:51', 'en-US');
    expect(zh).not.toContain('T');
    expect(en).not.toContain('T');
    // The same instant as an explicit UTC time, in whatever zone the test runs.
    expect(zh).toBe(fmtDateTime('2026-12-05T03:05:51Z', 'zh-CN'));
    const d = new Date(Date.UTC(2026, 11, 5, 3, 5, 51));
    expect(zh).toContain(String(d.getMinutes()).padStart(2, '0'));
    expect(en).toContain('2026');
    expect(fmtDateTime(null)).toBe('–');
    expect(fmtDateTime('not a date')).toBe('not a date');
  });
});

describe('scores beside grades', () => {
  it('show the bands\' precision and stay in the band they were graded into', () => {
    // Default bands 91/81/71/60 compare the unrounded score: 90.46 and 90.6 are 良 (below 91).
    expect(fmtScoreForGrade(90.46, undefined, 'none', 'zh-CN')).toBe('90');
    expect(fmtScoreForGrade(90.6, undefined, 'none', 'zh-CN')).toBe('90');
    expect(fmtScoreForGrade(91, undefined, 'none', 'zh-CN')).toBe('91');
    expect(fmtScoreForGrade(59.99, undefined, 'none', 'zh-CN')).toBe('59');
    // Just below a bound is the lower band, whatever the binary noise.
    expect(fmtScoreForGrade(81 - 1e-12, undefined, 'none', 'zh-CN')).toBe('80');
    expect(fmtScoreForGrade(85.3, [{ min: 85.3 }, { min: null }], 'none', 'zh-CN')).toBe('85.3');
    // A scheme that rounds before grading shows the rounded score it graded.
    expect(fmtScoreForGrade(90.5, undefined, 'half_up_integer', 'zh-CN')).toBe('91');
    // Bands at half points get one decimal.
    expect(fmtScoreForGrade(85.27, [{ min: 90.5 }, { min: 85.5 }, { min: null }], 'none', 'en-US')).toBe('85.2');
    expect(fmtScoreForGrade(null)).toBe('–');
  });
});
