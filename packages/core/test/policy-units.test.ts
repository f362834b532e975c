import { describe, expect, it } from 'vitest';
import { analysePolicy, type GradeCounts, type PanelObservation } from '../src/policy/index.ts';
import { displayDecimals, formatQuantity, formatRange, outcomeValueUnit, type ValueUnit } from '../src/policy/units.ts';

const rate: ValueUnit = { kind: 'rate' };
const money: ValueUnit = { kind: 'money', per: 1 };
const points: ValueUnit = { kind: 'points' };

describe('outcome units', () => {
  it('knows what each outcome is measured in', () => {
    expect(outcomeValueUnit('score')).toEqual(points);
    expect(outcomeValueUnit('bonus')).toEqual(money);
    expect(outcomeValueUnit('grade:A')).toEqual({ kind: 'percent' });
    expect(outcomeValueUnit('kpi:order_accuracy')).toEqual(rate); // the seed scheme says '%'
    expect(outcomeValueUnit('kpi:sales_achievement')).toEqual({ kind: 'money', per: 10_000 }); // 万元
    expect(outcomeValueUnit('kpi:attendance')).toEqual({ kind: 'count' });
    expect(outcomeValueUnit('metric:turnover_rate')).toEqual(rate);
    expect(outcomeValueUnit('metric:sales')).toEqual(money);
    expect(outcomeValueUnit('metric:complaints')).toEqual({ kind: 'count' });
    expect(outcomeValueUnit('metric:something_new')).toEqual({ kind: 'plain' });
  });
});

describe('one rounding rule: three significant digits, whole numbers never cut', () => {
  it.each([
    [6.9615, 2],
    [0.037249, 4],
    [294.7, 0],
    [1501337, 0],
    [12.01, 1],
    [0, 6],
  ])('%d → %d decimals', (x, k) => expect(displayDecimals(x)).toBe(k));
});

describe('figures in their units', () => {
  it('rates: levels as %, differences in percentage points', () => {
    expect(formatQuantity(0.0372489, rate, 'zh', { delta: true, signed: true })).toBe('+3.72 个百分点');
    expect(formatQuantity(0.0372489, rate, 'en', { delta: true, signed: true })).toBe('+3.72 pp');
    expect(formatQuantity(-0.0073972, rate, 'en', { delta: true, signed: true })).toBe('-0.740 pp');
    expect(formatQuantity(0.93602, rate, 'zh')).toBe('93.6%');
    expect(formatQuantity(12.0147, { kind: 'percent' }, 'zh', { delta: true, signed: true })).toBe('+12.0 个百分点');
  });
  it('money: currency, separators, 万元 for large sums in Chinese', () => {
    expect(formatQuantity(294.748, money, 'zh', { delta: true, signed: true })).toBe('+¥295');
    expect(formatQuantity(1501337.4, money, 'en', { delta: true, signed: true })).toBe('+¥1,501,337');
    expect(formatQuantity(1501337.4, money, 'zh', { delta: true, signed: true })).toBe('+150 万元');
    expect(formatQuantity(53570734, money, 'zh')).toBe('5,357 万元');
    expect(formatQuantity(-2500, money, 'en', { signed: true })).toBe('-¥2,500');
    // A figure shown with a large interval bound follows it into 万元.
    expect(formatQuantity(9000, money, 'zh', { with: [12000] })).toBe('0.90 万元');
    expect(formatQuantity(50, { kind: 'money', per: 10_000 }, 'en')).toBe('¥500,000');
  });
  it('points, counts and plain numbers; no "-0" and no "+0"', () => {
    expect(formatQuantity(6.96151, points, 'zh', { delta: true, signed: true })).toBe('+6.96 分');
    expect(formatQuantity(6.96151, points, 'en', { delta: true, signed: true })).toBe('+6.96 points');
    expect(formatQuantity(0.22619, { kind: 'count' }, 'en', { delta: true, signed: true })).toBe('+0.226');
    expect(formatQuantity(12345, { kind: 'count' }, 'zh')).toBe('12,345');
    expect(formatQuantity(-0.0000001, points, 'en', { decimals: 2, signed: true })).toBe('0.00 points');
    expect(formatQuantity(null, points, 'en')).toBe('–');
    expect(formatQuantity(7.3, { kind: 'plain', suffix: { zh: '/10', en: '/10' } }, 'en')).toBe('7.30/10');
    expect(formatQuantity(0.4, { kind: 'plain', suffix: { zh: '/10', en: '/10' } }, 'en', { delta: true, signed: true })).toBe('+0.400');
  });
  it('abs prints the magnitude (the sentence says rose or fell)', () => {
    expect(formatQuantity(-0.0073972, rate, 'zh', { delta: true, abs: true })).toBe('0.740 个百分点');
  });
  it('intervals share the decimals of their estimate and write the unit once', () => {
    expect(formatRange(0.0346909, 0.0398069, rate, 'zh', { delta: true, with: [0.0372489] })).toBe('3.47–3.98 个百分点');
    expect(formatRange(73.08, 516.41, money, 'en', { delta: true, with: [294.75] })).toBe('¥73–¥516');
    expect(formatRange(-0.0094, -0.0054, rate, 'en', { delta: true })).toBe('-0.940 to -0.540 pp');
    expect(formatRange(-0.0094, -0.0054, rate, 'zh', { delta: true })).toBe('-0.940 至 -0.540 个百分点');
  });
});

describe('the plain-language summary writes the figure as the cards do', () => {
  // 30 units over periods −4…3; treated units gain 3.7 percentage points after the policy.
  const panel: PanelObservation[] = [];
  for (let u = 0; u < 30; u++)
    for (let rel = -4; rel <= 3; rel++) {
      const treated = u < 12;
      const noise = (((u * 7 + rel * 13) % 11) - 5) / 1000;
      panel.push({ unit: `U${u}`, rel, periodId: `p${rel}`, treated, value: 0.9 + u / 1000 + rel / 500 + (treated && rel >= 0 ? 0.037 : 0) + noise, n: 1 });
    }
  const g = (): GradeCounts => ({ A: 0, B: 0, C: 0, D: 0, E: 0 });
  const base = {
    panel,
    outcomeLabel: { zh: '订单准确率', en: 'order accuracy' },
    unit: 'employee' as const,
    distribution: { scores: { treated: [], control: [] }, grades: { treated: { before: g(), after: g() }, control: { before: g(), after: g() } } },
    overlaps: [],
  };
  it('in the outcome\'s unit when the caller says which, with the card\'s figure and interval', () => {
    const a = analysePolicy({ ...base, valueUnit: rate });
    const card = { zh: formatQuantity(a.did!.estimate, rate, 'zh', { delta: true, abs: true, with: a.did!.ci! }), en: formatQuantity(a.did!.estimate, rate, 'en', { delta: true, abs: true, with: a.did!.ci! }) };
    expect(card.zh).toMatch(/^\d\.\d\d 个百分点$/);
    expect(a.summary.zh).toContain(`多上升了 ${card.zh}；95% 置信区间 ${formatRange(a.did!.ci![0], a.did!.ci![1], rate, 'zh', { delta: true, with: [a.did!.estimate] })}`);
    expect(a.summary.en).toContain(`rose ${card.en} more in treated employees`);
    expect(a.summary.en).toMatch(/95% CI \d\.\d\d–\d\.\d\d pp/);
  });
  it('as plain decimals without it (the old wording, unchanged)', () => {
    const a = analysePolicy(base);
    expect(a.summary.zh).toMatch(/多上升了 0\.0\d{3}；95% 置信区间 0\.0\d{3}–0\.0\d{3}/);
  });
});
