import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The warehouse owns the DuckDB binding; core stays I/O-free and borrows it only in tests.
import { Warehouse } from '../../warehouse/src/db.ts';
import {
  builtinScheme,
  compileSchemeSql,
  dbl,
  evaluateScheme,
  GRADES,
  RATER_RELATIONS,
  type RaterRelation,
  roundHalfUpSql,
  reusableLines,
  sameRaters,
  roundHalfUp,
  type Scheme,
  SchemeCompileError,
  SchemeEvaluationError,
  type SchemeInput,
  type SchemeInputs,
  schemeSchema,
  type SqlSource,
  streakHits,
  streakConditionSql,
  type Tier,
} from '../src/index.ts';

let wh: Warehouse;
beforeAll(async () => {
  wh = await Warehouse.open({ path: ':memory:', poolSize: 1 });
});
afterAll(async () => {
  await wh?.close();
});

const SLOTS = 8;

/** Test layout: one row per case, KPI i of the scheme in slot i. */
function sourceFor(scheme: Scheme, table: string): SqlSource {
  return {
    from: table,
    kpi: (code) => {
      const i = scheme.kpis.findIndex((k) => k.code === code);
      return i < 0 ? null : { actual: `a${i}`, target: `t${i}` };
    },
    rater: (rel) => `r_${rel}`,
    event: (code) => (code === 'complaint_exposure' ? 'ev' : null),
    salary: 'salary',
    orderTotal: 'order_total',
    supervisorRatio: 'sup_ratio',
    passthrough: ['id'],
  };
}

interface Case {
  kpis: Array<{ actual: number | null; target: number | null }>;
  raters: Partial<Record<RaterRelation, number | null>>;
  events: number;
  salary: number | null;
  orderTotal: number | null;
  supervisorRatio: number | null;
}

const lit = (x: number | null) => (x === null ? 'NULL' : dbl(x));

async function runSql(scheme: Scheme, cases: Case[], via?: Scheme) {
  const table = `cases_${Math.random().toString(36).slice(2, 10)}`;
  const cols = [
    'id INTEGER',
    ...Array.from({ length: SLOTS }, (_, i) => `a${i} DOUBLE, t${i} DOUBLE`),
    ...RATER_RELATIONS.map((r) => `r_${r} DOUBLE`),
    'ev DOUBLE, salary DOUBLE, order_total DOUBLE, sup_ratio DOUBLE',
  ];
  const rows = cases.map((c, id) => {
    const v = [String(id)];
    for (let i = 0; i < SLOTS; i++) v.push(lit(c.kpis[i]?.actual ?? null), lit(c.kpis[i]?.target ?? null));
    for (const r of RATER_RELATIONS) v.push(lit(c.raters[r] ?? null));
    v.push(lit(c.events), lit(c.salary), lit(c.orderTotal), lit(c.supervisorRatio));
    return `(${v.join(', ')})`;
  });
  await wh.run(`CREATE TEMP TABLE ${table} (${cols.join(', ')}); INSERT INTO ${table} VALUES ${rows.join(', ')}`);
  try {
    if (via) {
      // Two steps as the simulator runs them: `via` keeps its weighted lines, `scheme` reuses
      // every identical one instead of recomputing it.
      const inputs = cols.slice(1).flatMap((c) => c.split(', ').map((x) => x.split(' ')[0]!));
      const first = compileSchemeSql(via, { ...sourceFor(via, table), passthrough: ['id', ...inputs] }, { keepLines: true });
      await wh.run(`CREATE TEMP TABLE ${table}_b AS ${first.sql}`);
      const map = reusableLines(via, scheme);
      const { sql } = compileSchemeSql(
        scheme,
        { ...sourceFor(scheme, `${table}_b`), passthrough: ['id'] },
        { reuse: { lines: map.map((j) => (j === null ? null : `w${j}`)), composite: sameRaters(via, scheme) ? 'composite' : null } },
      );
      const rows = await wh.query<{ id: number; score: number; grade: string; band_grade: string; coefficient: number; bonus: number | null; bonus_missing: boolean; vetoed: boolean }>(
        `SELECT * FROM (${sql}) ORDER BY id`,
      );
      await wh.run(`DROP TABLE ${table}_b`);
      return rows;
    }
    const { sql } = compileSchemeSql(scheme, sourceFor(scheme, table));
    return await wh.query<{ id: number; score: number; grade: string; band_grade: string; coefficient: number; bonus: number | null; bonus_missing: boolean; vetoed: boolean }>(
      `SELECT * FROM (${sql}) ORDER BY id`,
    );
  } finally {
    await wh.run(`DROP TABLE ${table}`);
  }
}

function inputsOf(scheme: Scheme, c: Case): SchemeInputs {
  const kpis: SchemeInputs['kpis'] = {};
  scheme.kpis.forEach((k, i) => {
    kpis[k.code] = c.kpis[i] ?? { actual: null, target: null };
  });
  return { kpis, raters: c.raters, events: { complaint_exposure: c.events }, monthlySalary: c.salary, orderTotal: c.orderTotal, supervisorRatio: c.supervisorRatio };
}

/** TS reference; a bonus input missing makes TS throw, which the SQL reports as bonus_missing. */
function evaluateTs(scheme: Scheme, c: Case) {
  const inputs = inputsOf(scheme, c);
  try {
    const r = evaluateScheme(scheme, inputs, { explain: false });
    return { score: r.score, grade: r.grade, bandGrade: r.bandGrade, coefficient: r.coefficient, bonus: r.bonus?.amount ?? null, missing: false };
  } catch (e) {
    if (!(e instanceof SchemeEvaluationError)) throw e;
    const r = evaluateScheme({ ...scheme, bonus: [] }, inputs, { explain: false });
    return { score: r.score, grade: r.grade, bandGrade: r.bandGrade, coefficient: r.coefficient, bonus: null, missing: true };
  }
}

async function expectSame(scheme: Scheme, cases: Case[], via?: Scheme) {
  const rows = await runSql(scheme, cases, via);
  expect(rows).toHaveLength(cases.length);
  cases.forEach((c, i) => {
    const ts = evaluateTs(scheme, c);
    const sql = rows[i]!;
    const ctx = JSON.stringify({ case: c, ts, sql });
    expect(sql.score, ctx).toBe(ts.score);
    expect(sql.band_grade, ctx).toBe(ts.bandGrade);
    expect(sql.grade, ctx).toBe(ts.grade);
    expect(sql.coefficient, ctx).toBe(ts.coefficient);
    if (scheme.bonus.length === 0) expect(sql.bonus, ctx).toBeNull();
    else if (ts.missing) expect(sql.bonus_missing, ctx).toBe(true);
    else {
      expect(sql.bonus_missing, ctx).toBe(false);
      expect(sql.bonus, ctx).toBe(ts.bonus);
    }
  });
}

// ---------------------------------------------------------------- generators

/** Decimals as the data holds them: 0–3 places, so half steps (x.xx5) occur often. */
const decimal = (min: number, max: number, places: number) =>
  fc.integer({ min: Math.round(min * 10 ** places), max: Math.round(max * 10 ** places) }).map((n) => n / 10 ** places);

const weightsArb = (n: number) =>
  fc.uniqueArray(fc.integer({ min: 1, max: 99 }), { minLength: n - 1, maxLength: n - 1 }).map((cuts) => {
    const c = [0, ...cuts.sort((a, b) => a - b), 100];
    return Array.from({ length: n }, (_, i) => c[i + 1]! - c[i]!);
  });

const tiersArb = (direction: 'higher' | 'lower', scale: number) =>
  fc
    .tuple(fc.uniqueArray(decimal(0, 2 * scale, 2), { minLength: 1, maxLength: 4 }), fc.array(decimal(0, 120, 1), { minLength: 5, maxLength: 5 }))
    .map(([bounds, points]): Tier[] => {
      const b = [...bounds].sort((x, y) => x - y);
      const edges: Array<number | null> = [null, ...b, null];
      const tiers: Tier[] = [];
      for (let i = 0; i + 1 < edges.length; i++) tiers.push({ from: edges[i]!, to: edges[i + 1]!, points: points[i]! });
      // Order in JSON is free; shuffle-free reversal keeps "best first" tables covered too.
      return direction === 'higher' ? tiers.reverse() : tiers;
    });

const ruleArb = fc.oneof(
  fc.record({ direction: fc.constantFrom('higher' as const, 'lower' as const), measure: fc.constantFrom('actual' as const, 'achievement' as const) }).chain(({ direction, measure }) =>
    tiersArb(direction, measure === 'achievement' ? 1 : 50).map((tiers) => ({ type: 'tier' as const, direction, measure, tiers })),
  ),
  fc.record({ type: fc.constant('ratio' as const), direction: fc.constantFrom('higher' as const, 'lower' as const), cap: fc.option(decimal(80, 150, 0), { nil: undefined }) }),
  fc.record({
    type: fc.constant('deduction' as const),
    per: fc.constantFrom(0.5, 1, 2, 0.25, 1.5, 0.125, 3),
    every: fc.constantFrom(1, 2, 3, 5, 0.1),
    basis: fc.constantFrom('count' as const, 'shortfall' as const),
    full: fc.option(decimal(1, 40, 3), { nil: undefined }),
  }),
  fc.record({
    type: fc.constant('bonus' as const),
    base: decimal(0, 20, 2),
    per: fc.constantFrom(0.5, 1, 2, 0.25, 0.125),
    every: fc.constantFrom(1, 5, 0.5),
    cap: fc.option(decimal(1, 40, 3), { nil: undefined }),
  }),
  fc.constant({ type: 'rater' as const }),
);

const schemeArb: fc.Arbitrary<Scheme> = fc
  .integer({ min: 1, max: 6 })
  .chain((n) =>
    fc.record({
      weights: weightsArb(n),
      rules: fc.array(ruleArb, { minLength: n, maxLength: n }),
      raterWeights: fc.uniqueArray(fc.tuple(fc.constantFrom(...RATER_RELATIONS), fc.constantFrom(1, 2, 3, 0.5)), { minLength: 1, maxLength: 5, selector: (t) => t[0] }),
      bandCount: fc.integer({ min: 2, max: 5 }),
      mins: fc.uniqueArray(fc.integer({ min: 20, max: 100 }), { minLength: 4, maxLength: 4 }),
      coefs: fc.array(decimal(0, 2, 2), { minLength: 5, maxLength: 5 }),
      veto: fc.option(fc.record({ threshold: fc.integer({ min: 1, max: 3 }), cap: fc.integer({ min: 0, max: 4 }) }), { nil: null }),
      bonus: fc.subarray(['score_salary', 'score_fixed', 'coef_salary', 'coef_fixed', 'split', 'commission'] as const),
      share: decimal(0.1, 2, 2),
      fixed: decimal(0, 2000, 2),
      resultShare: fc.constantFrom(0.8, 0.7, 0.5, 1),
      splitKpi: fc.nat(n - 1),
      rounding: fc.constantFrom('none' as const, 'half_up_integer' as const),
    }),
  )
  .map((g) => {
    const grades = GRADES.slice(0, g.bandCount);
    const mins = [...g.mins].sort((a, b) => b - a);
    const kpis = g.rules.map((rule, i) => ({ code: `k${i}`, name: { zh: `指标${i}`, en: `KPI ${i}` }, section: 'result' as const, weight: g.weights[i]!, rule }));
    const input: SchemeInput = {
      id: 'prop-v1',
      role: 'merchandiser',
      version: 1,
      name: { zh: '随机方案', en: 'random scheme' },
      kpis,
      raters: { weights: Object.fromEntries(g.raterWeights) },
      gradeBands: grades.map((grade, i) => ({ grade, min: i === grades.length - 1 ? null : mins[i]!, coefficient: g.coefs[i]! })),
      gradeRounding: g.rounding,
      vetoes: g.veto
        ? [{ type: 'grade_cap', event: 'complaint_exposure', window: 'quarter', threshold: g.veto.threshold, capGrade: grades[Math.min(g.veto.cap, grades.length - 1)]!, reason: { zh: '否决', en: 'veto' } }]
        : [],
      bonus: g.bonus.map((b) => {
        switch (b) {
          case 'score_salary':
            return { type: 'score_share' as const, base: { kind: 'salary' as const, share: g.share } };
          case 'score_fixed':
            return { type: 'score_share' as const, base: { kind: 'fixed' as const, amount: g.fixed } };
          case 'coef_salary':
            return { type: 'grade_coefficient' as const, base: { kind: 'salary' as const, share: g.share } };
          case 'coef_fixed':
            return { type: 'grade_coefficient' as const, base: { kind: 'fixed' as const, amount: g.fixed } };
          case 'split':
            return { type: 'achievement_split' as const, base: { kind: 'fixed' as const, amount: g.fixed }, kpiCode: `k${g.splitKpi}`, resultShare: g.resultShare, supervisorShare: 1 - g.resultShare };
          case 'commission':
            return { type: 'commission' as const, rate: 0.003 };
        }
      }),
    };
    return schemeSchema.parse(input);
  });

/** KPI values drawn near the scheme's own tier edges as well as at random. */
function caseArb(scheme: Scheme): fc.Arbitrary<Case> {
  const edges = scheme.kpis.flatMap((k) => (k.rule.type === 'tier' ? k.rule.tiers.flatMap((t) => [t.from, t.to]).filter((x): x is number => x !== null) : []));
  const value = fc.oneof(
    decimal(0, 3, 3),
    decimal(0, 120, 1),
    fc.integer({ min: 0, max: 30 }),
    ...(edges.length ? [fc.constantFrom(...edges)] : []),
    fc.constant(null),
  );
  const target = fc.oneof(decimal(0, 3, 2), fc.integer({ min: 0, max: 100 }), fc.constant(null), fc.constant(1));
  return fc.record({
    kpis: fc.array(fc.record({ actual: value, target }), { minLength: scheme.kpis.length, maxLength: scheme.kpis.length }),
    raters: fc.record(Object.fromEntries(RATER_RELATIONS.map((r) => [r, fc.option(decimal(0, 100, 1), { nil: null, freq: 4 })])) as Record<RaterRelation, fc.Arbitrary<number | null>>),
    events: fc.integer({ min: 0, max: 3 }),
    salary: fc.option(decimal(2000, 30000, 2), { nil: null, freq: 8 }),
    orderTotal: fc.option(decimal(0, 500000, 2), { nil: null, freq: 8 }),
    supervisorRatio: fc.option(decimal(0.3, 1.8, 3), { nil: null, freq: 8 }),
  });
}

// ---------------------------------------------------------------- tests

describe('compiled SQL equals the TS evaluator', () => {
  it('on random schemes and KPI data (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(
        schemeArb.chain((s) => fc.tuple(fc.constant(s), fc.array(caseArb(s), { minLength: 1, maxLength: 25 }))),
        async ([scheme, cases]) => {
          await expectSame(scheme, cases);
        },
      ),
      { numRuns: 80 },
    );
  }, 120_000);

  it('reusing the unchanged lines of a base scheme gives the same as scoring afresh (fast-check)', async () => {
    // Edit: the last two KPIs trade a point of weight (when they can), bands one point stricter.
    const edited = (s: Scheme): Scheme => {
      const n = s.kpis.length;
      const kpis = s.kpis.map((k, i) => (n >= 2 && s.kpis[n - 2]!.weight > 1 && i === n - 2 ? { ...k, weight: k.weight - 1 } : n >= 2 && s.kpis[n - 2]!.weight > 1 && i === n - 1 ? { ...k, weight: k.weight + 1 } : k));
      return schemeSchema.parse({ ...s, kpis, gradeBands: s.gradeBands.map((b) => ({ ...b, min: b.min === null ? null : b.min + 1 })) });
    };
    await fc.assert(
      fc.asyncProperty(
        schemeArb.chain((s) => fc.tuple(fc.constant(s), fc.array(caseArb(s), { minLength: 1, maxLength: 20 }))),
        async ([base, cases]) => {
          await expectSame(edited(base), cases, base);
        },
      ),
      { numRuns: 40 },
    );
  }, 120_000);

  it('rounds half-up on the written decimal exactly like roundHalfUp', async () => {
    const xs = [1.005, 2.675, 1.015, 0.125, 80.345, 100.5, -1.005, 4000.005, 1234.565, 0.045, 5.0000001, 12.344999999, 0, 0.29, 10520.394999999999, -0.004];
    // Thousands of random doubles and half steps with their binary neighbours, in one query.
    const rnd = fc.sample(fc.oneof(fc.double({ min: -1e7, max: 1e7, noNaN: true, noDefaultInfinity: true }), fc.integer({ min: -1e8, max: 1e8 }).map((k) => Number(`${k}.5e-2`))), { numRuns: 5000, seed: 7 });
    const all = [...xs, ...rnd];
    const rows = await wh.query<{ i: number; r: number }>(
      `SELECT i, ${roundHalfUpSql('x')} AS r FROM (VALUES ${all.map((x, i) => `(${i}, ${dbl(x)})`).join(', ')}) v(i, x) ORDER BY i`,
    );
    // 1.005 is 1.00499999999999989… in binary; half-up on the written decimal gives 1.01.
    expect(rows.map((r) => r.r)).toEqual(all.map((x) => roundHalfUp(x, 2)));
    expect(rows[0]!.r).toBe(1.01);
    expect(rows[1]!.r).toBe(2.68);
    expect(rows[14]!.r).toBe(10520.39);
  });

  it('passes NULL, NaN and infinities through the rounding unchanged', async () => {
    const [r] = await wh.query<{ n: number | null; nan: boolean; inf: boolean; ninf: boolean }>(
      `SELECT ${roundHalfUpSql('CAST(NULL AS DOUBLE)')} AS n, isnan(${roundHalfUpSql("CAST('nan' AS DOUBLE)")}) AS nan,
              ${roundHalfUpSql("CAST('inf' AS DOUBLE)")} = CAST('inf' AS DOUBLE) AS inf, ${roundHalfUpSql("CAST('-inf' AS DOUBLE)")} = CAST('-inf' AS DOUBLE) AS ninf`,
    );
    expect(r).toEqual({ n: null, nan: true, inf: true, ninf: true });
  });
});

// Seed cases computed by hand (as in scheme.test.ts), now through the SQL.
const none: Case = { kpis: [], raters: {}, events: 0, salary: null, orderTotal: null, supervisorRatio: null };

describe('hand-computed seed cases through the compiled SQL', () => {
  it('customer-service month: 35+16+10+4+5+9+… per the seed table', async () => {
    const cs = builtinScheme('cs_ecommerce-v1');
    // conversion 78% → 100×35% = 35; payment 90% → 80×20% = 16; order value 1.13 → 100×10% = 10;
    // reply 98% → 80×5% = 4; response 28s → 100×5% = 5; 22 lessons → 8 + 4 = 12, capped 10;
    // attitude (3×90 + 80 + 85)/5 = 87 → 87×5% = 4.35; attendance 1 late → 10 − 2 = 8.
    // total 35 + 16 + 10 + 4 + 5 + 10 + 4.35 + 8 = 92.35 → 92 → A (≥ 91 by the default bands).
    // bonus: 750 × 92.35/100 = 692.625 → 692.63; commission 150,000 × 3‰ = 450 → 1,142.63.
    const c: Case = {
      ...none,
      kpis: [
        { actual: 0.78, target: 0.75 },
        { actual: 0.9, target: 0.92 },
        { actual: 1.13, target: 1.12 },
        { actual: 0.98, target: 0.99 },
        { actual: 28, target: 30 },
        { actual: 22, target: 10 },
        { actual: null, target: null },
        { actual: 1, target: 0 },
      ],
      raters: { supervisor: 90, peer: 80, self: 85 },
      orderTotal: 150000,
    };
    const [row] = await runSql(cs, [c]);
    expect(row!.score).toBe(92.35);
    expect(row!.grade).toBe('A');
    expect(row!.bonus).toBe(1142.63);
  });

  it('merchandiser: score 80 with salary 5,000 → 4,000', async () => {
    const m = builtinScheme('merchandiser-v1');
    // Find actuals that give exactly 80: we feed the score via a one-KPI rater scheme of the same bands/bonus.
    const s = schemeSchema.parse({ ...m, kpis: [{ code: 'all', name: { zh: '综合', en: 'all' }, section: 'result', weight: 100, rule: { type: 'ratio', direction: 'higher' } }], raters: undefined });
    const [row] = await runSql(s, [{ ...none, kpis: [{ actual: 80, target: 100 }], salary: 5000 }]);
    expect(row!.score).toBe(80);
    expect(row!.bonus).toBe(4000);
  });

  it('sales: achievement 120/100, base 1,000, 80/20 split, supervisor 70% → 1,100', async () => {
    const sales = builtinScheme('sales-v1');
    const c: Case = {
      ...none,
      kpis: [{ actual: 120, target: 100 }, { actual: 10, target: 10 }, { actual: 20, target: 20 }, { actual: 0.96, target: 0.95 }, { actual: null, target: null }, { actual: 0, target: 0 }],
      raters: { supervisor: 80, peer: 80, self: 80 },
      supervisorRatio: 0.7,
    };
    // 1.2 × 1000 × 0.8 + 0.7 × 1000 × 0.2 = 960 + 140 = 1,100
    const [row] = await runSql(sales, [c]);
    expect(row!.bonus).toBe(1100);
    // score: 120×50% = 60 + 10 + 5 + 10 + 80×15% = 12 + 10 = 107 → A
    expect(row!.score).toBe(107);
  });

  it('grade bands with coefficients and the quarterly complaint veto', async () => {
    const m2 = builtinScheme('merchandiser-v2');
    const s = schemeSchema.parse({ ...m2, kpis: [{ code: 'all', name: { zh: '综合', en: 'all' }, section: 'result', weight: 100, rule: { type: 'ratio', direction: 'higher' } }] });
    // Default bands: ≥91 A 1.3, ≥81 B 1.1, ≥71 C 1.0, ≥60 D 0.8, else E 0.4, on the unrounded
    // score (gradeRounding 'none'): 90.5 is B, 80.5 is C, 59.49 is E.
    const scores = [95, 90.5, 90.49, 81, 80.5, 70.5, 60, 59.49];
    const rows = await runSql(
      s,
      scores.map((x) => ({ ...none, kpis: [{ actual: x, target: 100 }], salary: 1000 })),
    );
    expect(rows.map((r) => r.grade)).toEqual(['A', 'B', 'B', 'B', 'C', 'D', 'D', 'E']);
    expect(rows.map((r) => r.coefficient)).toEqual([1.3, 1.1, 1.1, 1.1, 1, 0.8, 0.8, 0.4]);
    // A scheme that says so grades the score rounded half-up: 90.5 → 91 is A, 59.49 → 59 is E.
    const rounded = await runSql(
      schemeSchema.parse({ ...s, gradeRounding: 'half_up_integer' }),
      scores.map((x) => ({ ...none, kpis: [{ actual: x, target: 100 }], salary: 1000 })),
    );
    expect(rounded.map((r) => r.grade)).toEqual(['A', 'A', 'B', 'B', 'B', 'C', 'D', 'E']);
    // Two exposures in the quarter cap an A at C (coefficient 1.0); one does not; a D stays D.
    const vetoRows = await runSql(s, [
      { ...none, kpis: [{ actual: 95, target: 100 }], events: 2, salary: 1000 },
      { ...none, kpis: [{ actual: 95, target: 100 }], events: 1, salary: 1000 },
      { ...none, kpis: [{ actual: 65, target: 100 }], events: 3, salary: 1000 },
    ]);
    expect(vetoRows.map((r) => [r.band_grade, r.grade, r.coefficient, r.vetoed])).toEqual([
      ['A', 'C', 1, true],
      ['A', 'A', 1.3, false],
      ['D', 'D', 0.8, false],
    ]);
  });
});

describe('compile-time rejections carry the validator messages', () => {
  const base = builtinScheme('merchandiser-v1');
  const src = (s: Scheme): SqlSource => ({ ...sourceFor(s, 't'), kpi: (code) => (base.kpis.some((k) => k.code === code) ? { actual: 'a', target: 't' } : null) });

  it('weights that do not sum to 100', () => {
    const bad = { ...base, kpis: base.kpis.map((k, i) => (i === 0 ? { ...k, weight: 40 } : k)) };
    expect(() => compileSchemeSql(bad, src(base))).toThrowError(SchemeCompileError);
    try {
      compileSchemeSql(bad, src(base));
    } catch (e) {
      const issue = (e as SchemeCompileError).issues[0]!;
      expect(issue.zh).toContain('权重合计为 110');
      expect(issue.en).toContain('sum to 110, not 100');
      expect(issue.path).toEqual(['kpis']);
    }
  });

  it('unknown KPI codes for the role, naming the code and the fix', () => {
    const bad = { ...base, kpis: base.kpis.map((k, i) => (i === 1 ? { ...k, code: 'made_up' } : k)) };
    try {
      compileSchemeSql(bad, src(base));
      expect.unreachable();
    } catch (e) {
      const issue = (e as SchemeCompileError).issues[0]!;
      expect(issue.path).toEqual(['kpis', 1, 'code']);
      expect(issue.zh).toContain('made_up');
      expect(issue.en).toContain('does not occur in the merchandiser history');
    }
  });

  it('overlapping tiers', () => {
    const bad = structuredClone(base) as Scheme;
    const k = bad.kpis.find((x) => x.rule.type === 'tier')!;
    if (k.rule.type === 'tier') k.rule.tiers[0] = { ...k.rule.tiers[0]!, from: (k.rule.tiers[0]!.from ?? 0) - 0.5 };
    expect(() => compileSchemeSql(bad, src(base))).toThrowError(/overlap|重叠|gap|空缺/);
  });
});

describe('streak rules', () => {
  const streak = builtinScheme('merchandiser-v1').streaks.find((s) => s.code === 'dismissal_review')!;
  it('needs N consecutive months; a gap breaks the run', () => {
    const rows = [
      { ord: 1, score: 50, grade: 'E' as const },
      { ord: 2, score: 50, grade: 'E' as const },
      { ord: 4, score: 50, grade: 'E' as const }, // month 3 missing: run restarts
      { ord: 5, score: 50, grade: 'E' as const },
      { ord: 6, score: 50, grade: 'E' as const },
      { ord: 7, score: 50, grade: 'E' as const },
      { ord: 8, score: 75, grade: 'C' as const },
    ];
    expect(streakHits(streak, rows)).toEqual([6, 7]);
  });
  it('condition SQL lists the grade and all worse ones', () => {
    expect(streakConditionSql({ ...streak, condition: { kind: 'grade_at_most', grade: 'D' } }, 's', 'g')).toBe("(g IN ('D', 'E'))");
  });
});
