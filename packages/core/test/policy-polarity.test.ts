import { describe, expect, it } from 'vitest';
import { effectVerdict, outcomePolarity } from '../src/policy/polarity.ts';

describe('outcome polarity', () => {
  it('reads the good direction of KPIs off the seed schemes and knows the usual metrics', () => {
    expect(outcomePolarity('score')).toBe('higher');
    expect(outcomePolarity('bonus')).toBe('neutral');
    expect(outcomePolarity('grade:A')).toBe('higher');
    expect(outcomePolarity('grade:E')).toBe('lower');
    expect(outcomePolarity('grade:C')).toBe('neutral');
    // Seed 002: average response time scores better the lower it is (tiers, lower is better).
    expect(outcomePolarity('kpi:response_time')).toBe('lower');
    // Attendance is scored as a deduction per late arrival or early leave: fewer is better.
    expect(outcomePolarity('kpi:attendance')).toBe('lower');
    expect(outcomePolarity('kpi:order_accuracy')).toBe('higher');
    expect(outcomePolarity('metric:turnover_rate')).toBe('lower');
    expect(outcomePolarity('metric:complaints')).toBe('lower');
    expect(outcomePolarity('metric:satisfaction')).toBe('higher');
    expect(outcomePolarity('emetric:sales')).toBe('higher');
    expect(outcomePolarity('metric:headcount')).toBe('neutral');
  });

  it('calls an effect only when p < 0.05, in the outcome’s own direction', () => {
    expect(effectVerdict(2.1, 0.01, 'higher')).toBe('improved');
    expect(effectVerdict(-2.1, 0.01, 'higher')).toBe('worsened');
    expect(effectVerdict(-0.03, 0.001, 'lower')).toBe('improved');
    expect(effectVerdict(0.03, 0.001, 'lower')).toBe('worsened');
    expect(effectVerdict(5, 0.2, 'higher')).toBe('unclear');
    expect(effectVerdict(5, 0.05, 'higher')).toBe('unclear'); // the boundary is not significant
    expect(effectVerdict(5, 0.01, 'neutral')).toBe('changed');
    expect(effectVerdict(null, null, 'higher')).toBe('unclear');
  });
});
