import { describe, expect, it } from 'vitest';
import { DEFAULT_GUIDELINE } from '@perflens/core/domain';
import { eventStudyOption, formatEffect, formatYuan, gradeOption, seriesOption, type EffectChartData, type GradeChartData } from '../src/index.ts';

const t = (k: string) => `«${k}»`;
const data: GradeChartData = {
  grades: ['A', 'B', 'C', 'D', 'E'],
  groups: [{ total: 2000, counts: { A: 250, B: 400, C: 1000, D: 300, E: 50 }, shares: { A: 0.125, B: 0.2, C: 0.5, D: 0.15, E: 0.025 } }],
};

describe('shared chart options (dashboard and PDF report)', () => {
  it('the grade chart labels each grade with its share and count in the given locale, bars in grade colours', () => {
    const o = gradeOption(data, DEFAULT_GUIDELINE, t, { locale: 'en-US' }) as { xAxis: { data: string[]; axisLabel: { formatter: (l: string, i: number) => string } }; series: Array<{ data: unknown[] }> };
    expect(o.xAxis.data).toEqual(['«grade.A»', '«grade.B»', '«grade.C»', '«grade.D»', '«grade.E»']);
    expect(o.xAxis.axisLabel.formatter('A', 0)).toBe('{name|A}\n{share|12.5%}  {count|250}');
    expect(o.series[0]!.data[0]).toEqual({ value: 0.125, itemStyle: { color: '#0072B2' } });
    expect(o.series[1]!.data).toEqual([0.1, 0.2, 0.5, 0.15, 0.05]);
    // The phone layout turns the grades into rows.
    const c = gradeOption(data, DEFAULT_GUIDELINE, t, { compact: true }) as { yAxis: { type: string } };
    expect(c.yAxis.type).toBe('category');
  });

  it('the policy charts: the control line only when there is one, no event study without one', () => {
    const e: EffectChartData = { series: [{ periodId: '2024-01', treated: 0.912345678, control: null }], window: { firstAfter: null }, eventStudy: null };
    const o = seriesOption(e, t) as { series: Array<{ data: unknown[] }> };
    expect(o.series).toHaveLength(1);
    expect(o.series[0]!.data).toEqual([0.912346]);
    expect(eventStudyOption(e, t)).toBeNull();
  });

  it('effects and money print with one rounding rule', () => {
    expect(formatEffect(0.0372, [0.0347, 0.0398], { kind: 'rate' }, 'en')).toEqual({ value: '+3.72 pp', ci: '3.47–3.98 pp' });
    expect(formatYuan('1501337.5', { wan: true }, 'zh')).toBe('150.13 万元');
    expect(formatYuan('1501337.5', { signed: true }, 'en')).toBe('+¥1,501,337.50');
    expect(formatYuan('0.00', { signed: true }, 'en')).toBe('+¥0.00');
  });
});
