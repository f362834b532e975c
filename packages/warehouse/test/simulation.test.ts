import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinScheme, type Scheme, SchemeCompileError, schemeSchema } from '@perflens/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { employeeFacts, ensureSimulationLayout, insertKpiLinesOn, invalidateSimulationLayout, getScheme, listSchemes, runSimulation, saveScenario, getScenarios, listScenarios, type SimulationQuery, Warehouse } from '../src/index.ts';

/**
 * Hand fixture: four functional employees, three months, one KPI "duties" (actual out of 100).
 *   C 公司 ─┬─ D1: E1, E2
 *           └─ D2: E3, E4
 * Base scheme: duties as a ratio (score = actual); scenario: duties as a tier table
 * ≥90 → 100, ≥70 → 80, ≥50 → 60, else 0. Both: default bands (≥91 A 1.3, ≥81 B 1.1, ≥71 C 1.0,
 * ≥60 D 0.8, else E 0.4) and bonus 1,000 × coefficient.
 */
const ACTUALS: Record<string, number[]> = { E1: [92, 93, 96], E2: [80, 82, 55], E3: [70, 70, 70], E4: [59, 50, 40] };
const UNIT: Record<string, string> = { E1: 'D1', E2: 'D1', E3: 'D2', E4: 'D2' };
const MONTHS = ['2024-01', '2024-02', '2024-03'];
const BASE_GRADE = (s: number) => (s >= 91 ? 'A' : s >= 81 ? 'B' : s >= 71 ? 'C' : s >= 60 ? 'D' : 'E');
const COEF: Record<string, number> = { A: 1.3, B: 1.1, C: 1, D: 0.8, E: 0.4 };

const common = {
  role: 'functional' as const,
  version: 1,
  name: { zh: '测试', en: 'test' },
  gradeBands: builtinScheme('functional-v1').gradeBands,
  bonus: [{ type: 'grade_coefficient' as const, base: { kind: 'fixed' as const, amount: 1000 } }],
  streaks: [{ code: 'two_low', name: { zh: '连续两月 C 及以下', en: 'two months at C or below' }, periods: 2, condition: { kind: 'grade_at_most' as const, grade: 'C' as const } }],
};
const duties = { code: 'duties', name: { zh: '职责', en: 'Duties' }, section: 'result' as const, weight: 100 };
const BASE: Scheme = schemeSchema.parse({ ...common, id: 'fixture-v1', kpis: [{ ...duties, rule: { type: 'ratio', direction: 'higher' } }] });
const TIERED: Scheme = schemeSchema.parse({
  ...common,
  id: 'fixture-v2',
  kpis: [
    {
      ...duties,
      rule: {
        type: 'tier',
        direction: 'higher',
        tiers: [
          { from: 90, to: null, points: 100 },
          { from: 70, to: 90, points: 80 },
          { from: 50, to: 70, points: 60 },
          { from: null, to: 50, points: 0 },
        ],
      },
    },
  ],
});

let dir: string;
let wh: Warehouse;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perflens-sim-'));
  wh = await Warehouse.open({ path: join(dir, 'sim.duckdb') });
  await wh.run(`INSERT INTO org_units (id, name, parent_id, kind) VALUES ('C', '公司', NULL, 'company'), ('D1', '一部', 'C', 'department'), ('D2', '二部', 'C', 'department')`);
  for (const [e, unit] of Object.entries(UNIT))
    await wh.run(`INSERT INTO employees (id, name, org_unit_id, role, monthly_salary) VALUES ($e, $name, $unit, 'functional', 1000)`, { e, name: `员工${e}`, unit });
  for (const [i, m] of MONTHS.entries()) {
    await wh.run(`INSERT INTO periods (id, kind, start_date, end_date) VALUES ($m, 'month', $s, last_day(CAST($s AS DATE)))`, { m, s: `${m}-01` });
    for (const [e, xs] of Object.entries(ACTUALS)) {
      const score = xs[i]!;
      const g = BASE_GRADE(score);
      await wh.transaction((c) => insertKpiLinesOn(c, `SELECT $e::VARCHAR, $m::VARCHAR, 'duties', 100.0, $a::DOUBLE, $a::DOUBLE, 100.0, NULL::INTEGER, NULL::INTEGER`, { e, m, a: score }));
      await wh.run(`INSERT INTO assessments (employee_id, period_id, org_unit_id, role, scheme_id, score, grade, coefficient, bonus) VALUES ($e, $m, $u, 'functional', 'fixture-v1', $s, $g, $c, $b)`, {
        e,
        m,
        u: UNIT[e]!,
        s: score,
        g,
        c: COEF[g]!,
        b: 1000 * COEF[g]!,
      });
    }
  }
  // A quarter row must not leak into the monthly layout.
  await wh.run(`INSERT INTO periods VALUES ('2024-Q1', 'quarter', DATE '2024-01-01', DATE '2024-03-31', NULL, NULL)`);
  await wh.run(`INSERT INTO assessments (employee_id, period_id, org_unit_id, role, score, grade) VALUES ('E1', '2024-Q1', 'D1', 'functional', 93.67, 'A')`);
});

afterAll(async () => {
  await wh?.close();
  rmSync(dir, { recursive: true, force: true });
});

const q = (over: Partial<SimulationQuery> = {}): SimulationQuery => ({ base: BASE, scenario: TIERED, baseline: 'base', page: 1, pageSize: 10, sortBy: 'score', ...over });

describe('simulation.run on the hand fixture', () => {
  it('migration matrix, distributions and share changed', async () => {
    const r = await runSimulation(wh, q());
    expect(r.rows).toBe(12);
    expect(r.employees).toBe(4);
    // base → scenario: A→A 3 (E1), C→C 1, B→C 1 (E2), E→D 1 (E2 m3), D→C 3 (E3), E→D 2 + E→E 1 (E4)
    expect(r.matrix).toEqual([
      { from: 'A', to: 'A', count: 3 },
      { from: 'B', to: 'C', count: 1 },
      { from: 'C', to: 'C', count: 1 },
      { from: 'D', to: 'C', count: 3 },
      { from: 'E', to: 'D', count: 3 },
      { from: 'E', to: 'E', count: 1 },
    ]);
    expect(r.distribution.baseline).toEqual({ A: 3, B: 1, C: 1, D: 3, E: 4 });
    expect(r.distribution.scenario).toEqual({ A: 3, B: 0, C: 5, D: 3, E: 1 });
    expect(r.changed).toBe(7);
    expect(r.shareChanged).toBeCloseTo(7 / 12, 12);
    expect(r.periods).toEqual({ from: '2024-01', to: '2024-03', count: 3 });
  });

  it('bonus cost by unit and total as exact decimals', async () => {
    const r = await runSimulation(wh, q());
    // base: 3×1300 + 1100 + 1000 + 3×800 + 4×400 = 10,000; scenario: 3×1300 + 5×1000 + 3×800 + 400 = 11,700
    expect(r.cost).toMatchObject({ baseline: '10000.00', scenario: '11700.00', delta: '1700.00', missingBaseline: 0, missingScenario: 0 });
    const byUnit = Object.fromEntries(r.cost.byUnit.map((u) => [u.orgUnitId, [u.baseline, u.scenario, u.delta, u.changed]]));
    expect(byUnit).toEqual({ D1: ['6400.00', '6700.00', '300.00', 2], D2: ['3600.00', '5000.00', '1400.00', 5] });
  });

  it("Spearman's rho with mid ranks matches SciPy", async () => {
    const r = await runSimulation(wh, q());
    // scipy.stats.spearmanr([92,93,96,80,82,55,70,70,70,59,50,40], [100,100,100,80,80,60,80,80,80,60,60,0])
    expect(r.spearman).toBeCloseTo(0.9565007145952776, 12);
  });

  it('streak flags gained and lost', async () => {
    const r = await runSimulation(wh, q());
    // two months in a row at C or below: base E3 (DDD), E4 (EEE); scenario adds E2 (C, C, D).
    expect(r.streaks).toEqual([{ code: 'two_low', name: common.streaks[0]!.name, baseline: 2, scenario: 3, gained: 1, lost: 0 }]);
  });

  it('most affected employees, paged, by mean |Δ score|', async () => {
    // mean Δ: E1 (8+7+4)/3 = 6.33, E2 (0−2+5)/3 = 1, E3 10, E4 (1+10−40)/3 = −9.67
    const p1 = await runSimulation(wh, q({ pageSize: 2 }));
    expect(p1.affected.total).toBe(4);
    expect(p1.affected.items.map((e) => e.employeeId)).toEqual(['E3', 'E4']);
    expect(p1.affected.items[1]!.deltaScore).toBeCloseTo(-29 / 3, 10);
    expect(p1.affected.items[0]).toMatchObject({ name: '员工E3', gradeChanges: 3, baselineGrade: 'D', scenarioGrade: 'C', deltaBonus: '600.00' });
    const p2 = await runSimulation(wh, q({ pageSize: 2, page: 2 }));
    expect(p2.affected.items.map((e) => e.employeeId)).toEqual(['E1', 'E2']);
  });

  it('when only the bands move, the people whose grade changed lead the list', async () => {
    // B from 81 to 83: only E2's 82 in February drops to C (bonus 1,100 → 1,000); no score moves.
    const bands = BASE.gradeBands.map((b) => (b.grade === 'B' ? { ...b, min: 83 } : b));
    const scenario: Scheme = { ...BASE, id: 'fixture-v3', gradeBands: bands };
    for (const over of [{}, { from: '2024-02', to: '2024-02' }, { sortBy: 'bonus' as const }]) {
      const r = await runSimulation(wh, q({ scenario, pageSize: 2, ...over }));
      expect(r.affected.items.map((e) => [e.employeeId, e.deltaScore, e.gradeChanges, e.deltaBonus]), JSON.stringify(over)).toEqual([
        ['E2', 0, 1, '-100.00'],
        ['E1', 0, 0, '0.00'],
      ]);
    }
  });

  it('recorded baseline equals the base scheme re-scored here', async () => {
    const rec = await runSimulation(wh, q({ baseline: 'recorded' }));
    const base = await runSimulation(wh, q());
    expect(rec.matrix).toEqual(base.matrix);
    expect(rec.cost).toEqual(base.cost);
  });

  it('filters by org subtree and by period', async () => {
    const d2 = await runSimulation(wh, q({ orgUnitId: 'D2' }));
    expect(d2.rows).toBe(6);
    expect(d2.cost.delta).toBe('1400.00');
    const feb = await runSimulation(wh, q({ from: '2024-02', to: '2024-02' }));
    expect(feb.rows).toBe(4);
    // February: E1 A→A, E2 B→C, E3 D→C, E4 E→D
    expect(feb.changed).toBe(3);
    await expect(runSimulation(wh, q({ from: '2024-Q1' }))).rejects.toThrow(/not a month period/);
  });

  it('one month takes its rows as the employees (no grouping) and gives the hand-computed figures', async () => {
    // February: base 93 82 70 50 → A B D E; tiered 100 80 80 60 → A C C D.
    const feb = await runSimulation(wh, q({ from: '2024-02', to: '2024-02' }));
    expect([feb.rows, feb.employees, feb.periods]).toEqual([4, 4, { from: '2024-02', to: '2024-02', count: 1 }]);
    // E3 and E4 tie on Δ score and grade changes: the larger bonus change (E4) comes first.
    expect(feb.affected.items.map((e) => [e.employeeId, e.name, e.periods, e.deltaScore, e.gradeChanges, e.baselineGrade, e.scenarioGrade, e.deltaBonus])).toEqual([
      ['E4', '员工E4', 1, 10, 1, 'E', 'D', '400.00'],
      ['E3', '员工E3', 1, 10, 1, 'D', 'C', '200.00'],
      ['E1', '员工E1', 1, 7, 0, 'A', 'A', '0.00'],
      ['E2', '员工E2', 1, -2, 1, 'B', 'C', '-100.00'],
    ]);
    // The two-month streak cannot fit in one month: zeros without masks.
    expect(feb.streaks.map((x) => [x.baseline, x.scenario, x.gained, x.lost])).toEqual([[0, 0, 0, 0]]);
    expect(feb.matrix).toEqual([
      { from: 'A', to: 'A', count: 1 },
      { from: 'B', to: 'C', count: 1 },
      { from: 'D', to: 'C', count: 1 },
      { from: 'E', to: 'D', count: 1 },
    ]);
    // mid ranks 4 3 2 1 vs 4 2.5 2.5 1: ρ = 4.5 / √(5 × 4.5)
    expect(feb.spearman).toBeCloseTo(4.5 / Math.sqrt(5 * 4.5), 12);
    expect([feb.cost.delta, feb.cost.byUnit.map((u) => [u.orgUnitId, u.rows, u.changed, u.delta])]).toEqual(['500.00', [['D1', 2, 1, '-100.00'], ['D2', 2, 2, '600.00']]]);
    const bonusPage = await runSimulation(wh, q({ from: '2024-02', to: '2024-02', sortBy: 'bonus', pageSize: 1, page: 2 }));
    expect(bonusPage.affected.items.map((e) => e.employeeId)).toEqual(['E3']);
  });

  it('keeps one row per employee and month when a duplicate bypassed the importer', async () => {
    await wh.run(`INSERT INTO assessments (employee_id, period_id, org_unit_id, role, scheme_id, score, grade, coefficient, bonus, batch_id)
                  SELECT employee_id, period_id, org_unit_id, role, scheme_id, score, grade, coefficient, bonus, 99 FROM assessments
                   WHERE employee_id = 'E1' AND period_id = '2024-02'`);
    invalidateSimulationLayout(wh);
    try {
      const feb = await runSimulation(wh, q({ from: '2024-02', to: '2024-02' }));
      expect([feb.rows, feb.employees, feb.affected.total]).toEqual([4, 4, 4]);
    } finally {
      await wh.run(`DELETE FROM assessments WHERE batch_id = 99`);
      invalidateSimulationLayout(wh);
    }
  });

  it('rejects a KPI code the role has no data for', async () => {
    const bad = { ...TIERED, kpis: [{ ...TIERED.kpis[0]!, code: 'attendance' }] };
    await expect(runSimulation(wh, q({ scenario: bad }))).rejects.toBeInstanceOf(SchemeCompileError);
  });

  it('rebuilds the layout when the canonical data changes', async () => {
    const E2_FEB = "employee_key = (SELECT key FROM employee_keys WHERE id = 'E2') AND period_key = (SELECT key FROM period_keys WHERE id = '2024-02')";
    await wh.run(`UPDATE kpi_lines SET actual = 95 WHERE ${E2_FEB}`);
    await wh.run(`INSERT INTO rater_scores VALUES ('E2', '2024-02', 'E1', 'peer', 80, NULL, NULL)`);
    invalidateSimulationLayout(wh); // direct writes: skip the 2 s check cache
    const r = await runSimulation(wh, q({ from: '2024-02', to: '2024-02' }));
    // E2 February now 95 → base A, scenario 100 → A: one change fewer.
    expect(r.changed).toBe(2);
    await wh.run(`UPDATE kpi_lines SET actual = 82 WHERE ${E2_FEB}`);
    await wh.run(`DELETE FROM rater_scores`);
    invalidateSimulationLayout(wh);
  });

  it('runs arriving together after a change share one rebuild', async () => {
    const E1_JAN = "employee_key = (SELECT key FROM employee_keys WHERE id = 'E1') AND period_key = (SELECT key FROM period_keys WHERE id = '2024-01')";
    await wh.run(`UPDATE kpi_lines SET actual = 91 WHERE ${E1_JAN}`);
    invalidateSimulationLayout(wh);
    const transaction = vi.spyOn(wh, 'transaction');
    try {
      const sigs = await Promise.all([ensureSimulationLayout(wh), ensureSimulationLayout(wh), ensureSimulationLayout(wh)]);
      expect(transaction).toHaveBeenCalledTimes(1);
      expect(new Set(sigs).size).toBe(1);
      // The next run finds the layout current: no second rebuild.
      invalidateSimulationLayout(wh);
      await ensureSimulationLayout(wh);
      expect(transaction).toHaveBeenCalledTimes(1);
    } finally {
      transaction.mockRestore();
      await wh.run(`UPDATE kpi_lines SET actual = 92 WHERE ${E1_JAN}`);
      invalidateSimulationLayout(wh);
    }
  });

  it('runs arriving together with a new base scheme build its cache once', async () => {
    await ensureSimulationLayout(wh);
    const base: Scheme = { ...BASE, id: 'fixture-v4', gradeBands: BASE.gradeBands.map((b) => (b.grade === 'A' ? { ...b, min: 95 } : b)) };
    const transaction = vi.spyOn(wh, 'transaction');
    try {
      const runs = await Promise.all([1, 2, 3].map(() => runSimulation(wh, q({ base }))));
      expect(transaction).toHaveBeenCalledTimes(1);
      expect(new Set(runs.map((r) => JSON.stringify(r.matrix))).size).toBe(1);
    } finally {
      transaction.mockRestore();
    }
  });

  it('employee facts rebuild the evaluator inputs', async () => {
    const [f] = await employeeFacts(wh, 'E4', '2024-03');
    expect(f!.inputs.kpis).toEqual({ duties: { actual: 40, target: 100 } });
    expect(f!.recorded).toEqual({ score: 40, grade: 'E', coefficient: 0.4, bonus: '400.00' });
  });
});

describe('schemes and scenarios on file', () => {
  it('lists built-ins when the schemes table is empty and gets one by id', async () => {
    const list = await listSchemes(wh);
    expect(list.map((s) => s.id)).toContain('cs_ecommerce-v1');
    expect((await getScheme(wh, 'sales-v1'))?.kpis.length).toBe(6);
    expect(await getScheme(wh, 'nope-v1')).toBeNull();
  });

  it('saves, lists and reloads scenarios with their settings', async () => {
    await saveScenario(wh, { id: 's1', name: '更严的档位', baseSchemeId: 'fixture-v1', scheme: TIERED, settings: { baseline: 'base' }, createdBy: null });
    await saveScenario(wh, { id: 's2', name: 'second', baseSchemeId: 'fixture-v1', scheme: BASE, settings: {}, createdBy: null });
    expect((await listScenarios(wh)).map((s) => s.id).sort()).toEqual(['s1', 's2']);
    const [a, b] = await getScenarios(wh, ['s2', 's1']);
    expect([a!.id, b!.id]).toEqual(['s2', 's1']);
    expect(b!.scheme).toEqual(TIERED);
    expect(b!.settings).toEqual({ baseline: 'base' });
  });
});

describe('simulation layout: complaint running sums and the employee index', () => {
  it('sums complaints so far this quarter and year over the months in the layout, and indexes employees in id order', async () => {
    const w2 = await Warehouse.open({ path: join(dir, 'layout.duckdb') });
    try {
      const months = ['2023-11', '2023-12', '2024-01', '2024-02', '2024-03', '2024-04', '2024-05'];
      await w2.run(`INSERT INTO org_units (id, name, parent_id, kind) VALUES ('C', '公司', NULL, 'company')`);
      await w2.run(`INSERT INTO employees (id, name, org_unit_id, role, monthly_salary) VALUES ('A', '甲', 'C', 'functional', 1000), ('B', '乙', 'C', 'functional', 1000)`);
      for (const m of months) await w2.run(`INSERT INTO periods (id, kind, start_date, end_date) VALUES ($m, 'month', $s, last_day(CAST($s AS DATE)))`, { m, s: `${m}-01` });
      // B's lines first, so B holds the smaller dictionary key; the index must still follow the ids.
      for (const e of ['B', 'A'])
        for (const m of months) {
          if (e === 'A' && m === '2024-02') continue; // no KPI lines: February is not in A's layout
          await w2.transaction((c) => insertKpiLinesOn(c, `SELECT $e::VARCHAR, $m::VARCHAR, 'duties', 100.0, 80.0, 80.0, 100.0, NULL::INTEGER, NULL::INTEGER`, { e, m }));
          await w2.run(`INSERT INTO assessments (employee_id, period_id, org_unit_id, role, score, grade) VALUES ($e, $m, 'C', 'functional', 80, 'B')`, { e, m });
        }
      await w2.run(`INSERT INTO assessments (employee_id, period_id, org_unit_id, role, score, grade) VALUES ('A', '2024-02', 'C', 'functional', 80, 'B')`);
      const complaints: Record<string, number> = { '2023-11': 1, '2023-12': 2, '2024-02': 3, '2024-03': 1, '2024-04': 2 };
      for (const [m, v] of Object.entries(complaints))
        await w2.run(`INSERT INTO metrics (org_unit_id, employee_id, period_id, metric, value) VALUES ('C', 'A', $m, 'complaint_exposure', $v)`, { m, v });
      await ensureSimulationLayout(w2);
      const rows = await w2.query<{ e: string; m: string; cm: number; cq: number; cy: number }>(
        `SELECT employee_id AS e, period_id AS m, complaints_m AS cm, complaints_q AS cq, complaints_y AS cy FROM sim_facts WHERE employee_id = 'A' ORDER BY period_ord`,
      );
      // By hand. Quarter: Q4 1, 1+2; Q1 0, (February not in the layout) 0+1; Q2 2, 2+0. Year: 2023 1, 3; 2024 0, 1, 3, 3.
      expect(rows.map((r) => [r.m, r.cm, r.cq, r.cy])).toEqual([
        ['2023-11', 1, 1, 1],
        ['2023-12', 2, 3, 3],
        ['2024-01', 0, 0, 0],
        ['2024-03', 1, 1, 1],
        ['2024-04', 2, 2, 3],
        ['2024-05', 0, 2, 3],
      ]);
      const b = await w2.query<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM sim_facts WHERE employee_id = 'B' AND (complaints_q <> 0 OR complaints_y <> 0)`);
      expect(b).toEqual([{ n: 0 }]);
      const keys = await w2.query(`SELECT id, key FROM employee_keys ORDER BY id`);
      expect(keys).toEqual([{ id: 'A', key: 2 }, { id: 'B', key: 1 }]);
      const idx = await w2.query<{ e: string; i: number }>(`SELECT DISTINCT employee_id AS e, emp_idx AS i FROM sim_facts ORDER BY e`);
      expect(idx.length).toBe(2);
      expect(idx[0]!.i).toBeLessThan(idx[1]!.i);
    } finally {
      w2.close();
    }
  });
});
