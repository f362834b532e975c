import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { differenceInDifferences } from '@perflens/core';
import {
  deletePolicy,
  listPolicies,
  policyDistribution,
  policyAssessmentPanel,
  policyOutcomes,
  policyPanel,
  PolicyValidationError,
  savePolicy,
  Warehouse,
} from '../src/index.ts';

/*
 * A hand-made outcome panel, unrelated to the demo company, loaded with plain INSERTs:
 *   ROOT ─┬─ A (policy scope from 2024-04-01)   defects: 10 12 11 | 16 15 17   (pre mean 11, post 16)
 *         ├─ B                                   defects: 20 20 20 | 22 22 22   (20 → 22)
 *         └─ C                                   defects:  5  6  7 |  7  –  9   (2024-05 missing)
 * Pooled DiD with the saturated 2×2 model = difference of the cell means even when unbalanced:
 *   treated 16 − 11 = 5; control pre (20·3 + 5 + 6 + 7)/6 = 13, post (22·3 + 7 + 9)/5 = 16.4 → 3.4; DiD = 1.6.
 * Employees (score outcome): E1 sales in A, E2 functional in A, E3 sales in B, months 1–6.
 */
let dir: string;
let wh: Warehouse;
const MONTHS = ['2024-01', '2024-02', '2024-03', '2024-04', '2024-05', '2024-06'];
const DEFECTS: Record<string, Array<number | null>> = {
  A: [10, 12, 11, 16, 15, 17],
  B: [20, 20, 20, 22, 22, 22],
  C: [5, 6, 7, 7, null, 9],
};
const SCORES: Record<string, number[]> = { E1: [70, 72, 71, 80, 82, 81], E2: [60, 60, 61, 61, 62, 62], E3: [75, 75, 76, 77, 77, 78] };
const GRADE = (s: number) => (s >= 81 ? 'B' : s >= 71 ? 'C' : 'D');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perflens-policy-'));
  wh = await Warehouse.open({ path: join(dir, 'policy.duckdb') });
  await wh.run(`INSERT INTO org_units (id, name, parent_id) VALUES ('ROOT', '公司', NULL), ('A', '甲', 'ROOT'), ('B', '乙', 'ROOT'), ('C', '丙', 'ROOT')`);
  for (const [i, m] of MONTHS.entries()) {
    await wh.run(`INSERT INTO periods VALUES ($id, 'month', CAST($s AS DATE), last_day(CAST($s AS DATE)), NULL, NULL)`, { id: m, s: `${m}-01` });
    for (const [u, vs] of Object.entries(DEFECTS))
      if (vs[i] !== null) await wh.run(`INSERT INTO metrics VALUES ($u, NULL, $p, 'defects', $v, NULL, NULL)`, { u, p: m, v: vs[i]! });
  }
  await wh.run(`INSERT INTO employees (id, name, org_unit_id, role) VALUES ('E1', '甲一', 'A', 'sales'), ('E2', '甲二', 'A', 'functional'), ('E3', '乙一', 'B', 'sales')`);
  for (const [e, ss] of Object.entries(SCORES)) {
    const [unit, role] = e === 'E3' ? ['B', 'sales'] : e === 'E1' ? ['A', 'sales'] : ['A', 'functional'];
    for (const [i, s] of ss.entries())
      await wh.run(`INSERT INTO assessments (employee_id, period_id, org_unit_id, role, score, grade) VALUES ($e, $p, $u, $r, $s, $g)`, {
        e, p: MONTHS[i]!, u: unit!, r: role!, s, g: GRADE(s),
      });
  }
  await savePolicy(wh, 'create', { id: 'P-A', name: '甲试点', description: null, effectiveFrom: '2024-04-01', scopeOrgUnitIds: ['A'], scopeRoles: [], schemeBefore: null, schemeAfter: null });
  await savePolicy(wh, 'create', { id: 'P-SALES', name: '甲销售', description: null, effectiveFrom: '2024-04-01', scopeOrgUnitIds: ['A'], scopeRoles: ['sales'], schemeBefore: null, schemeAfter: null });
});
afterAll(() => {
  wh.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('policy CRUD', () => {
  it('lists, validates the scope and reports a date outside the data', async () => {
    expect((await listPolicies(wh)).map((p) => p.id)).toEqual(['P-A', 'P-SALES']);
    const err = await savePolicy(wh, 'create', { name: 'x', description: null, effectiveFrom: '2024-04-01', scopeOrgUnitIds: ['NOPE'], scopeRoles: [], schemeBefore: null, schemeAfter: null }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PolicyValidationError);
    expect((err as PolicyValidationError).field).toBe('scopeOrgUnitIds');
    expect((err as Error).message).toContain('NOPE');
    const late = await savePolicy(wh, 'create', { id: 'P-LATE', name: 'late', description: null, effectiveFrom: '2030-01-01', scopeOrgUnitIds: [], scopeRoles: [], schemeBefore: null, schemeAfter: null });
    expect(late.warnings[0]!.en).toContain('2024-01-01 to 2024-06-30');
    await savePolicy(wh, 'update', { ...late.policy, name: 'later' });
    expect((await listPolicies(wh, 'P-LATE'))[0]!.name).toBe('later');
    expect(await deletePolicy(wh, 'P-LATE')).toBe(true);
    expect(await deletePolicy(wh, 'P-LATE')).toBe(false);
    const [audit] = await wh.query<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM audit_log WHERE entity_id = 'P-LATE'`);
    expect(audit!.n).toBe(3);
  });

  it('offers the metric at org-unit level and the assessment outcomes', async () => {
    const ids = (await policyOutcomes(wh)).map((o) => o.id);
    expect(ids).toContain('metric:defects');
    expect(ids).toContain('score');
    expect(ids).not.toContain('emetric:defects');
  });
});

describe('policy panel from an imported outcome', () => {
  it('builds the org-unit panel with relative periods and treatment, skipping the missing cell', async () => {
    const rows = await policyPanel(wh, { policyId: 'P-A', cycle: 'month', outcome: 'metric:defects', unit: 'orgUnit' });
    expect(rows).toHaveLength(17);
    expect(rows.filter((r) => r.unit === 'A').map((r) => [r.rel, r.periodId, r.treated, r.value])).toEqual([
      [-3, '2024-01', true, 10], [-2, '2024-02', true, 12], [-1, '2024-03', true, 11],
      [0, '2024-04', true, 16], [1, '2024-05', true, 15], [2, '2024-06', true, 17],
    ]);
    expect(rows.some((r) => r.unit === 'ROOT')).toBe(false);
    expect(differenceInDifferences(rows)!.estimate).toBeCloseTo(1.6, 12);
  });

  it('honours the window and a chosen control group', async () => {
    const rows = await policyPanel(wh, { policyId: 'P-A', cycle: 'month', outcome: 'metric:defects', unit: 'orgUnit', before: 2, after: 1, controlOrgUnitIds: ['B'] });
    expect([...new Set(rows.map((r) => r.unit))].sort()).toEqual(['A', 'B']);
    expect([...new Set(rows.map((r) => r.rel))].sort()).toEqual([-1, -2, 0]);
    // A: (16) − (12 + 11)/2 = 4.5; B: 22 − 20 = 2 → 2.5
    expect(differenceInDifferences(rows)!.estimate).toBeCloseTo(2.5, 12);
  });

  it('compares a role-scoped policy like for like: the same role outside the scope is the control', async () => {
    // A's functional staff (E2) are neither treated nor a fair control for A's sales pilot.
    const org = await policyPanel(wh, { policyId: 'P-SALES', cycle: 'month', outcome: 'score', unit: 'orgUnit' });
    expect([...new Set(org.map((r) => `${r.unit}:${r.treated}`))].sort()).toEqual(['A|T:true', 'B|C:false']);
    const emp = await policyPanel(wh, { policyId: 'P-SALES', cycle: 'month', outcome: 'score', unit: 'employee' });
    expect([...new Set(emp.map((r) => `${r.unit}:${r.treated}`))].sort()).toEqual(['E1:true', 'E3:false']);
    expect(emp.every((r) => r.sameRoleControl === true)).toBe(true);
    // E1: 81 − 71 = 10; control E3: 77.33 − 75.33 = 2.
    expect(differenceInDifferences(emp)!.estimate).toBeCloseTo(8, 10);
  });

  it('falls back to the other roles when nobody of the scoped role is outside the scope', async () => {
    await savePolicy(wh, 'create', { id: 'P-ROLE', name: '全员销售', description: null, effectiveFrom: '2024-04-01', scopeOrgUnitIds: [], scopeRoles: ['sales'], schemeBefore: null, schemeAfter: null });
    try {
      const emp = await policyPanel(wh, { policyId: 'P-ROLE', cycle: 'month', outcome: 'score', unit: 'employee' });
      expect([...new Set(emp.map((r) => `${r.unit}:${r.treated}`))].sort()).toEqual(['E1:true', 'E2:false', 'E3:true']);
      expect(emp[0]!.sameRoleControl).toBe(false);
      // Treated E1 (+10) and E3 (+2) average +6; control E2: 61.67 − 60.33 = 4/3.
      expect(differenceInDifferences(emp)!.estimate).toBeCloseTo(6 - 4 / 3, 10);
      const d = await policyDistribution(wh, { policyId: 'P-ROLE', cycle: 'month' });
      // One person (E2, a D every month) on each side: one median grade per person and window.
      expect(d.grades.control).toEqual({ before: { A: 0, B: 0, C: 0, D: 1, E: 0 }, after: { A: 0, B: 0, C: 0, D: 1, E: 0 } });
    } finally {
      await deletePolicy(wh, 'P-ROLE');
    }
  });

  it('counts one value per person and window: the mean score and the median grade', async () => {
    const d = await policyDistribution(wh, { policyId: 'P-SALES', cycle: 'month' });
    // E1: 70 72 71 → mean 71 | 80 82 81 → 81 (one person per side, not three person-months).
    expect(d.scores.treated.sort((a, b) => a.value - b.value)).toEqual([{ value: 71, x: 0, y: 1 }, { value: 81, x: 1, y: 0 }]);
    // E1 before: D C C → median C; after: C B B → median B.
    expect(d.grades.treated).toEqual({ before: { A: 0, B: 0, C: 1, D: 0, E: 0 }, after: { A: 0, B: 1, C: 0, D: 0, E: 0 } });
    // Control: the same role outside the scope, E3 75 75 76 | 77 77 78 (all C); E2 (functional) is left out.
    expect(d.grades.control).toEqual({ before: { A: 0, B: 0, C: 1, D: 0, E: 0 }, after: { A: 0, B: 0, C: 1, D: 0, E: 0 } });
    expect(d.scores.control.map((c) => [c.value, c.x, c.y]).sort()).toEqual([[226 / 3, 0, 1], [232 / 3, 1, 0]]);
    expect(d.scores.control.find((c) => c.value === 61)).toBeUndefined();
  });

  it('a person with an even number of grades counts with the worse of the two middle ones', async () => {
    const d = await policyDistribution(wh, { policyId: 'P-A', cycle: 'month', before: 2, after: 1 });
    // E1 Feb 72 (C), Mar 71 (C) → C; E2 60 61 → D D → D; after: E1 80 (C), E2 61 (D).
    expect(d.grades.treated).toEqual({ before: { A: 0, B: 0, C: 1, D: 1, E: 0 }, after: { A: 0, B: 0, C: 1, D: 1, E: 0 } });
  });
});

describe('panel and distribution from one scan of the assessments', () => {
  it('gives the like-for-like org-unit panel and the same value counts for a role-scoped policy', async () => {
    const { panel, distribution } = await policyAssessmentPanel(wh, { policyId: 'P-SALES', cycle: 'month', outcome: 'score' });
    // Treated: A's sales (E1) only; control: B's sales (E3); A's functional E2 is neither.
    expect(panel.filter((r) => r.unit === 'A|T').map((r) => r.value)).toEqual([70, 72, 71, 80, 82, 81]);
    expect(panel.filter((r) => r.unit === 'B|C').map((r) => r.value)).toEqual([75, 75, 76, 77, 77, 78]);
    expect(panel).toHaveLength(12);
    expect(panel.every((r) => r.sameRoleControl === true && r.n === 1)).toBe(true);
    // (81 − 71) − (77.33 − 75.33) = 8
    expect(differenceInDifferences(panel)!.estimate).toBeCloseTo(8, 10);
    // The distribution is per person and window, as policyDistribution's.
    expect(distribution.grades.treated).toEqual({ before: { A: 0, B: 0, C: 1, D: 0, E: 0 }, after: { A: 0, B: 1, C: 0, D: 0, E: 0 } });
    expect(distribution.grades.control).toEqual({ before: { A: 0, B: 0, C: 1, D: 0, E: 0 }, after: { A: 0, B: 0, C: 1, D: 0, E: 0 } });
    expect(distribution.scores.control.map((c) => [c.value, c.x, c.y]).sort()).toEqual([[226 / 3, 0, 1], [232 / 3, 1, 0]]);
  });

  it('restricts both to the window (2 periods before, 1 after) and averages several people per cell', async () => {
    const { panel, distribution } = await policyAssessmentPanel(wh, { policyId: 'P-A', cycle: 'month', outcome: 'score', before: 2, after: 1 });
    // A = E1 and E2: Feb (72 + 60)/2 = 66, Mar (71 + 61)/2 = 66, Apr (80 + 61)/2 = 70.5; B = E3: 75, 76, 77.
    expect(panel.map((r) => [r.unit, r.rel, r.value, r.n])).toEqual([
      ['A|T', -2, 66, 2], ['A|T', -1, 66, 2], ['A|T', 0, 70.5, 2],
      ['B|C', -2, 75, 1], ['B|C', -1, 76, 1], ['B|C', 0, 77, 1],
    ]);
    // (70.5 − 66) − (77 − 75.5) = 3
    expect(differenceInDifferences(panel)!.estimate).toBeCloseTo(3, 10);
    const t = [...distribution.scores.treated].sort((a, b) => a.value - b.value);
    // Person means inside the window: E1 71.5 | 80, E2 60.5 | 61.
    expect(t).toEqual([
      { value: 60.5, x: 0, y: 1 }, { value: 61, x: 1, y: 0 }, { value: 71.5, x: 0, y: 1 }, { value: 80, x: 1, y: 0 },
    ]);
    expect(distribution.grades.treated).toEqual({ before: { A: 0, B: 0, C: 1, D: 1, E: 0 }, after: { A: 0, B: 0, C: 1, D: 1, E: 0 } });
    expect(distribution.grades.control).toEqual({ before: { A: 0, B: 0, C: 1, D: 0, E: 0 }, after: { A: 0, B: 0, C: 1, D: 0, E: 0 } });
  });

  it('a grade share is 100 × the fraction of records with that grade', async () => {
    const { panel } = await policyAssessmentPanel(wh, { policyId: 'P-A', cycle: 'month', outcome: 'grade:D' });
    // A: E2 is a D every month; E1 only in January (70) → 100, 50, 50, 50, 50, 50. B (E3) never.
    expect(panel.filter((r) => r.unit === 'A|T').map((r) => r.value)).toEqual([100, 50, 50, 50, 50, 50]);
    expect(panel.filter((r) => r.unit === 'B|C').every((r) => r.value === 0)).toBe(true);
    await expect(policyAssessmentPanel(wh, { policyId: 'P-A', cycle: 'month', outcome: 'metric:defects' })).rejects.toThrow(/not read from assessments/);
  });
});

describe('staggered roll-out: every row carries the cohort of its first policy of the chain', () => {
  it('a pilot in A (2024-04) and the roll-out of the same scheme to B (2024-06): cohorts 0 and 2, C never treated', async () => {
    await savePolicy(wh, 'create', { id: 'P-PILOT', name: '甲试点 v2', description: null, effectiveFrom: '2024-04-01', scopeOrgUnitIds: ['A'], scopeRoles: [], schemeBefore: null, schemeAfter: 'x-v2' });
    await savePolicy(wh, 'create', { id: 'P-ROLL', name: '乙推广 v2', description: null, effectiveFrom: '2024-06-01', scopeOrgUnitIds: ['B'], scopeRoles: [], schemeBefore: null, schemeAfter: 'x-v2' });
    try {
      const cohortOf = (rows: Array<{ unit: string; cohort?: number | null }>) => Object.fromEntries(rows.map((r) => [r.unit, r.cohort ?? null]));
      const metric = await policyPanel(wh, { policyId: 'P-PILOT', cycle: 'month', outcome: 'metric:defects', unit: 'orgUnit' });
      expect(cohortOf(metric)).toEqual({ A: 0, B: 2, C: null });
      const fused = await policyAssessmentPanel(wh, { policyId: 'P-PILOT', cycle: 'month', outcome: 'score' });
      expect(cohortOf(fused.panel)).toEqual({ 'A|T': 0, 'B|C': 2 });
      const emp = await policyPanel(wh, { policyId: 'P-PILOT', cycle: 'month', outcome: 'score', unit: 'employee' });
      expect(cohortOf(emp)).toEqual({ E1: 0, E2: 0, E3: 2 });
      // Without a chain nobody has a cohort.
      const plain = await policyPanel(wh, { policyId: 'P-A', cycle: 'month', outcome: 'metric:defects', unit: 'orgUnit' });
      expect(plain.every((r) => r.cohort == null)).toBe(true);
    } finally {
      await deletePolicy(wh, 'P-PILOT');
      await deletePolicy(wh, 'P-ROLL');
    }
  });
});
