import { describe, expect, it } from 'vitest';
import {
  BUILTIN_SCHEMES,
  builtinScheme,
  DEFAULT_SCHEME_BANDS,
  DEFAULT_SCHEME_BY_ROLE,
  evaluateKpi,
  evaluateScheme,
  gradeScore,
  raterComposite,
  ROLES,
  roundMoney,
  type SchemeInput,
  schemeSchema,
  SchemeEvaluationError,
} from '../src/index.ts';

const cs = builtinScheme('cs_ecommerce-v1');
const kpi = (scheme: ReturnType<typeof builtinScheme>, code: string) => scheme.kpis.find((k) => k.code === code)!;

describe('tier tables from the customer-service seed', () => {
  // 询单转化率 X≥75%→100, 65–75%→80, 50–65%→60, <50%→0 (weight 35)
  it.each([
    [0.9, 100],
    [0.75, 100],
    [0.7499, 80],
    [0.65, 80],
    [0.6, 60],
    [0.5, 60],
    [0.4999, 0],
    [0, 0],
  ])('conversion %d → %d points', (actual, points) => {
    const line = evaluateKpi(kpi(cs, 'inquiry_conversion'), { actual });
    expect(line.points).toBe(points);
    expect(line.weighted).toBeCloseTo((points * 35) / 100, 10);
  });

  // 响应时间 T≤30s→100, ≤45s→80, ≤55s→60, else 0 (lower is better, upper bound inclusive)
  it.each([
    [12, 100],
    [30, 100],
    [30.01, 80],
    [45, 80],
    [50, 60],
    [55, 60],
    [55.1, 0],
  ])('response time %ds → %d points', (actual, points) => {
    expect(evaluateKpi(kpi(cs, 'response_time'), { actual }).points).toBe(points);
  });

  it('explains a line in both languages', () => {
    const line = evaluateKpi(kpi(cs, 'inquiry_conversion'), { actual: 0.78 });
    expect(line.explanation.zh).toBe('询单转化率 78% → 档位 ≥75% → 100 × 35% = 35');
    expect(line.explanation.en).toBe('Inquiry conversion 78% → tier ≥75% → 100 × 35% = 35');
    const sat = evaluateKpi(kpi(builtinScheme('merchandiser-v1'), 'customer_satisfaction'), { actual: 8.6 });
    expect(sat.explanation.zh).toBe('客户满意度 8.6/10 → 档位 ≥8 → 100 × 30% = 30');
  });

  it('scores a whole month of the customer-service table by hand', () => {
    // conversion 78% → 35; payment 90% → 80×20% = 16; order value 1.07 → 60×10% = 6;
    // reply 99.5% → 5; response 45s → 80×5% = 4; 11 lessons → 8 + 1×2 = 10;
    // attitude (3×90 + 80)/4 = 87.5 (no self score) → 87.5×5% = 4.375; 1 late → 10 − 2 = 8.
    // Total 88.375 → 88.38 (half-up) → rounds to 88 → B (良, 1.1).
    const r = evaluateScheme(cs, {
      kpis: {
        inquiry_conversion: { actual: 0.78 },
        payment_rate: { actual: 0.9 },
        order_value_ratio: { actual: 1.07 },
        reply_rate: { actual: 0.995 },
        response_time: { actual: 45 },
        work_tasks: { actual: 11 },
        attendance: { actual: 1 },
      },
      raters: { supervisor: 90, peer: 80 },
      orderTotal: 123456.78,
    });
    expect(r.lines.map((l) => l.weighted)).toEqual([35, 16, 6, 5, 4, 10, 4.375, 8]);
    expect(r.score).toBe(88.38);
    expect(r.grade).toBe('B');
    expect(r.coefficient).toBe(1.1);
    // 750 × 88.38% = 662.85; 123456.78 × 3‰ = 370.37034 → 370.37; total 1033.22
    expect(r.bonus!.parts.map((p) => p.amount)).toEqual([662.85, 370.37]);
    expect(r.bonus!.amount).toBe(1033.22);
  });
});

describe('deduction and bonus-point rules', () => {
  it('deducts 2 per late arrival and floors at 0', () => {
    const att = kpi(cs, 'attendance');
    expect(evaluateKpi(att, { actual: 0 }).weighted).toBe(10);
    expect(evaluateKpi(att, { actual: 3 }).weighted).toBe(4);
    expect(evaluateKpi(att, { actual: 6 }).weighted).toBe(0);
    expect(evaluateKpi(att, { actual: 3 }).points).toBe(40);
  });

  it('deducts 1 per 3 missing new clients (sales seed)', () => {
    const nc = kpi(builtinScheme('sales-v1'), 'new_clients');
    expect(evaluateKpi(nc, { actual: 10, target: 10 }).weighted).toBe(10);
    expect(evaluateKpi(nc, { actual: 8, target: 10 }).weighted).toBe(10); // 2 short: no full step
    expect(evaluateKpi(nc, { actual: 7, target: 10 }).weighted).toBe(9);
    expect(evaluateKpi(nc, { actual: 2, target: 10 }).weighted).toBe(8); // 8 short: 2 steps
    expect(evaluateKpi(nc, { actual: 15, target: 10 }).weighted).toBe(10); // surplus earns nothing
  });

  it('adds 1 point per 5 lessons filed, capped at the weight', () => {
    const wt = kpi(cs, 'work_tasks');
    expect(evaluateKpi(wt, { actual: 4 }).weighted).toBe(8);
    expect(evaluateKpi(wt, { actual: 5 }).weighted).toBe(9);
    expect(evaluateKpi(wt, { actual: 40 }).weighted).toBe(10);
  });

  it('caps a ratio at 120', () => {
    const sa = kpi(builtinScheme('sales-v1'), 'sales_achievement');
    expect(evaluateKpi(sa, { actual: 90, target: 100 }).weighted).toBe(45); // 90% × 50
    expect(evaluateKpi(sa, { actual: 150, target: 100 }).points).toBe(120);
  });
});

describe('bonus formulas from the seeds', () => {
  it('merchandiser: score 80 with salary 5,000 → 4,000 (salary × score / 100)', () => {
    // accuracy 92% → 70×30% = 21; satisfaction 7.5 → 80×30% = 24; lead time 8.5 vs 10 days
    // → 85×20% = 17; 2 points saved → 14 + 2×2 = 18. Total 80 → C (71–80).
    const r = evaluateScheme(
      builtinScheme('merchandiser-v1'),
      {
        kpis: {
          order_accuracy: { actual: 0.92 },
          customer_satisfaction: { actual: 7.5 },
          followup_efficiency: { actual: 10, target: 8.5 },
          cost_control: { actual: 2 },
        },
        monthlySalary: 5000,
      },
    );
    expect(r.score).toBe(80);
    expect(r.grade).toBe('C');
    expect(r.bonus!.amount).toBe(4000);
  });

  const salesInputs = {
    kpis: {
      sales_achievement: { actual: 120, target: 100 },
      new_clients: { actual: 7, target: 10 },
      dev_letters: { actual: 20, target: 20 },
      receivable_collection: { actual: 0.9 },
      discipline: { actual: 1 },
    },
    raters: { supervisor: 80, peer: 70, self: 90 },
  };

  it('sales: 120/100, base 1,000, 80/20 split, supervisor 70% → 1,100', () => {
    // 120% × 1000 × 80% + 70% × 1000 × 20% = 960 + 140
    const r = evaluateScheme(builtinScheme('sales-v1'), { ...salesInputs, supervisorRatio: 0.7 });
    expect(r.bonus!.amount).toBe(1100);
    // score: 60 + 9 + 5 + 8 + (3×80+70+90)/5 = 80 → 12 + 8 = 102 → A
    expect(r.raterComposite).toBe(80);
    expect(r.score).toBe(102);
    expect(r.grade).toBe('A');
  });

  it('sales: the supervisor ratio is clamped to 60–140%', () => {
    const r = evaluateScheme(builtinScheme('sales-v1'), { ...salesInputs, supervisorRatio: 1.6 });
    expect(r.bonus!.amount).toBe(1240); // 960 + 140% × 200
    const low = evaluateScheme(builtinScheme('sales-v1'), { ...salesInputs, supervisorRatio: 0.2 });
    expect(low.bonus!.amount).toBe(1080); // 960 + 60% × 200
  });

  it('base × grade coefficient (functional: 20% of salary)', () => {
    const r = evaluateScheme(builtinScheme('functional-v1'), {
      kpis: { duties: { actual: 0.95, target: 1 }, work_plan: { actual: 1, target: 1 }, internal_satisfaction: { actual: 4.2 }, attendance: { actual: 0 } },
      raters: { supervisor: 90, peer: 85, self: 95 },
      monthlySalary: 8000,
    });
    // 28.5 + 30 + 18 + (270+85+95)/5=90 → 9 + 10 = 95.5 → 96 → A ×1.3; 8000 × 20% × 1.3 = 2080
    expect(r.score).toBe(95.5);
    expect(r.grade).toBe('A');
    expect(r.bonus!.amount).toBe(2080);
  });

  it('asks for the salary when a salary-based formula has none', () => {
    expect(() =>
      evaluateScheme(builtinScheme('merchandiser-v1'), {
        kpis: { order_accuracy: { actual: 1 }, customer_satisfaction: { actual: 9 }, followup_efficiency: { actual: 1, target: 1 }, cost_control: { actual: 0 } },
      }),
    ).toThrow(SchemeEvaluationError);
  });
});

describe('money rounding: cents, half-up', () => {
  it.each([
    [1.005, 1.01],
    [2.675, 2.68],
    [0.125, 0.13],
    [0.124, 0.12],
    [1100.0000001, 1100],
    [-1.005, -1.01],
  ])('%d → %d', (x, y) => expect(roundMoney(x)).toBe(y));
});

describe('grade bands and coefficients (core DEFAULT_GRADE_BANDS on the unrounded score)', () => {
  it.each([
    [95, 'A', 1.3],
    [90.5, 'B', 1.1],
    [90.4, 'B', 1.1],
    [81, 'B', 1.1],
    [80.5, 'C', 1.0],
    [80.4, 'C', 1.0],
    [71, 'C', 1.0],
    [70.4, 'D', 0.8],
    [60, 'D', 0.8],
    [59.5, 'E', 0.4],
    [59.4, 'E', 0.4],
    [0, 'E', 0.4],
  ] as const)('%d → %s ×%d', (score, grade, coefficient) => {
    expect(gradeScore(DEFAULT_SCHEME_BANDS, score)).toEqual({ grade, coefficient });
  });
});

describe('quarterly complaint veto (雷区)', () => {
  const inputs = {
    kpis: {
      inquiry_conversion: { actual: 0.8 },
      payment_rate: { actual: 0.95 },
      order_value_ratio: { actual: 1.2 },
      reply_rate: { actual: 1 },
      response_time: { actual: 20 },
      work_tasks: { actual: 10 },
      attendance: { actual: 0 },
    },
    raters: { supervisor: 100, peer: 100, self: 100 },
    orderTotal: 0,
  };
  it('one exposure leaves the grade alone, two cap it at C and its coefficient', () => {
    const one = evaluateScheme(cs, { ...inputs, events: { complaint_exposure: 1 } });
    expect(one.score).toBe(100);
    expect(one.grade).toBe('A');
    expect(one.veto).toBeNull();
    const two = evaluateScheme(cs, { ...inputs, events: { complaint_exposure: 2 } });
    expect(two.bandGrade).toBe('A');
    expect(two.grade).toBe('C');
    expect(two.coefficient).toBe(1.0);
    expect(two.veto?.count).toBe(2);
  });
  it('never raises a grade that is already below the cap', () => {
    const poor = evaluateScheme(cs, {
      ...inputs,
      kpis: { ...inputs.kpis, inquiry_conversion: { actual: 0.1 }, payment_rate: { actual: 0.1 } },
      events: { complaint_exposure: 3 },
    });
    // 100 − 35 − 20 = 45 → E stays E
    expect(poor.score).toBe(45);
    expect(poor.grade).toBe('E');
    expect(poor.veto).toBeNull();
  });
});

describe('rater composite', () => {
  const w = { supervisor: 3, peer: 1, self: 1 };
  it('(3×supervisor + peer + self)/5', () => {
    expect(raterComposite(w, { supervisor: 90, peer: 80, self: 70 }).value).toBe(84);
  });
  it('renormalises over the relations present when the peer is missing', () => {
    const c = raterComposite(w, { supervisor: 90, self: 70 });
    expect(c.value).toBe(85); // (270 + 70) / 4, not / 5
    expect(c.missing).toEqual(['peer']);
    expect(c.explanation.zh).toContain('缺同事评分');
  });
  it('ignores relations the scheme does not weight and returns null with no scores', () => {
    expect(raterComposite(w, { self: 60, customer: 100 }).value).toBe(60);
    expect(raterComposite(w, {}).value).toBeNull();
  });
});

describe('scheme validation messages', () => {
  const base = (): SchemeInput => JSON.parse(JSON.stringify(builtinScheme('merchandiser-v1')));
  const messages = (input: SchemeInput) => {
    const r = schemeSchema.safeParse(input);
    expect(r.success).toBe(false);
    return r.error!.issues.map((i) => i.message);
  };

  it('says the sum and lists the KPIs when weights are not 100', () => {
    const s = base();
    s.kpis[3]!.weight = 15;
    const [m] = messages(s);
    expect(m).toContain('权重合计为 95');
    expect(m).toContain('weights sum to 95, not 100');
    expect(m).toContain('cost_control 15');
    expect(m).toContain('订单准确率 30');
  });

  it('names overlapping tiers', () => {
    const s = base();
    const rule = s.kpis[0]!.rule as { tiers: Array<{ from: number | null; to: number | null; points: number }> };
    rule.tiers[1]!.to = 0.99; // [0.95, 0.99) overlaps [0.98, ∞)
    const ms = messages(s);
    expect(ms.some((m) => m.includes('重叠') && m.includes('overlap') && m.includes('order_accuracy'))).toBe(true);
  });

  it('names the gap between tiers', () => {
    const s = base();
    const rule = s.kpis[0]!.rule as { tiers: Array<{ from: number | null; to: number | null; points: number }> };
    rule.tiers[1]!.to = 0.97; // nothing scores 97%–98%
    const ms = messages(s);
    expect(ms.some((m) => m.includes('97%') && m.includes('98%') && m.includes('gap'))).toBe(true);
  });

  it('requires bands to descend and end open', () => {
    const s = base();
    s.gradeBands = [
      { grade: 'A', min: 80, coefficient: 1.3 },
      { grade: 'B', min: 85, coefficient: 1.1 },
      { grade: 'E', min: 0, coefficient: 0.4 },
    ];
    const ms = messages(s);
    expect(ms.some((m) => m.includes('must be below'))).toBe(true);
    expect(ms.some((m) => m.includes('open-ended'))).toBe(true);
  });
});

describe('built-in schemes', () => {
  it('cover every role, validate and survive a JSON round trip', () => {
    for (const role of ROLES) expect(builtinScheme(DEFAULT_SCHEME_BY_ROLE[role]).role).toBe(role);
    for (const s of BUILTIN_SCHEMES) {
      expect(s.kpis.reduce((a, k) => a + k.weight, 0)).toBe(100);
      expect(schemeSchema.parse(JSON.parse(JSON.stringify(s)))).toEqual(s);
    }
  });
  it('merchandiser v1 is the seed table 30/30/20/20; v2 exists for the policy change', () => {
    const v1 = builtinScheme('merchandiser-v1');
    expect(v1.kpis.map((k) => [k.code, k.weight])).toEqual([
      ['order_accuracy', 30],
      ['customer_satisfaction', 30],
      ['followup_efficiency', 20],
      ['cost_control', 20],
    ]);
    expect(builtinScheme('merchandiser-v2').version).toBe(2);
  });
  it('customer service keeps the seed weights 35/20/10/5/5', () => {
    expect(cs.kpis.slice(0, 5).map((k) => k.weight)).toEqual([35, 20, 10, 5, 5]);
  });
});
