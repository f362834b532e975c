import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Warehouse,
  calibrationDepartments,
  calibrationFairness,
  calibrationRaters,
  filterSql,
  gradeDistribution,
  listEmployeeAssessments,
  orgUnitBoxPlots,
  raterLeniency,
  rankingForced,
  resolveCycle,
  scoreDistribution,
} from '../src/index.ts';

/**
 * A company that reviews once a year: HQ with two departments, six people, annual results for
 * 2023 and 2024 only. Later tests add monthly rows to one department.
 */
let dir: string;
let wh: Warehouse;

async function yearlyCompany(w: Warehouse): Promise<void> {
  await w.run(`INSERT INTO org_units (id, name, parent_id, kind) VALUES
    ('HQ', '总公司', NULL, 'company'), ('D1', '一部', 'HQ', 'department'), ('D2', '二部', 'HQ', 'department')`);
  await w.run(`INSERT INTO employees (id, name, org_unit_id, role) VALUES
    ('E1', '甲', 'D1', 'sales'), ('E2', '乙', 'D1', 'sales'), ('E3', '丙', 'D1', 'sales'),
    ('E4', '丁', 'D2', 'functional'), ('E5', '戊', 'D2', 'functional'), ('E6', '己', 'D2', 'functional')`);
  await w.run(`INSERT INTO periods (id, kind, start_date, end_date) VALUES
    ('2023', 'year', DATE '2023-01-01', DATE '2023-12-31'), ('2024', 'year', DATE '2024-01-01', DATE '2024-12-31'),
    ('2024-01', 'month', DATE '2024-01-01', DATE '2024-01-31'), ('2024-02', 'month', DATE '2024-02-01', DATE '2024-02-29')`);
  const rows: string[] = [];
  const scores = [95, 85, 75, 65, 55, 88];
  for (const [y, shift] of [['2023', 0], ['2024', 2]] as const)
    scores.forEach((s, i) => {
      const score = s + shift;
      const grade = score >= 91 ? 'A' : score >= 81 ? 'B' : score >= 71 ? 'C' : score >= 60 ? 'D' : 'E';
      const unit = i < 3 ? 'D1' : 'D2';
      rows.push(`('E${i + 1}', '${y}', '${unit}', '${i < 3 ? 'sales' : 'functional'}', ${score}, '${grade}')`);
    });
  await w.run(`INSERT INTO assessments (employee_id, period_id, org_unit_id, role, score, grade) VALUES ${rows.join(', ')}`);
  await w.run(`INSERT INTO rater_scores (employee_id, period_id, rater_id, relation, score) VALUES
    ('E1', '2024', 'E4', 'supervisor', 90), ('E2', '2024', 'E4', 'supervisor', 80), ('E3', '2024', 'E4', 'supervisor', 70)`);
}

/** Monthly results for D2 only (the other department keeps reviewing yearly). */
async function addMonthlyD2(w: Warehouse): Promise<void> {
  await w.run(`INSERT INTO assessments (employee_id, period_id, org_unit_id, role, score, grade) VALUES
    ('E4', '2024-01', 'D2', 'functional', 80, 'C'), ('E5', '2024-01', 'D2', 'functional', 90, 'B'), ('E6', '2024-02', 'D2', 'functional', 70, 'D')`);
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perflens-cycle-'));
  wh = await Warehouse.open({ path: join(dir, 'cycle.duckdb') });
  await yearlyCompany(wh);
});
afterEach(() => {
  wh.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the cycle defaults to the one the data has', () => {
  it('only yearly assessments: distribution.grades without a cycle counts them and says year', async () => {
    const r = await gradeDistribution(wh, {});
    expect(r.cycle).toBe('year');
    expect(r.groups.map((g) => [g.key, g.total])).toEqual([['all', 12]]);
    expect(r.groups[0]!.counts).toEqual({ A: 2, B: 4, C: 2, D: 2, E: 2 });
    const byPeriod = await gradeDistribution(wh, { groupBy: 'period' });
    expect(byPeriod.groups.map((g) => [g.key, g.total])).toEqual([['2023', 6], ['2024', 6]]);
  });

  it('every analysis over the shared filters resolves the cycle and echoes it', async () => {
    expect((await scoreDistribution(wh, {})).cycle).toBe('year');
    expect((await scoreDistribution(wh, {})).stats!.n).toBe(12);
    const boxes = await orgUnitBoxPlots(wh, {});
    expect([boxes.cycle, boxes.units.map((b) => [b.orgUnitId, b.n])]).toEqual(['year', [['D1', 6], ['D2', 6]]]);
    const raters = await raterLeniency(wh, { minN: 1 });
    expect([raters.cycle, raters.total]).toEqual(['year', 1]);
    const list = await listEmployeeAssessments(wh, {});
    expect([list.cycle, list.total]).toEqual(['year', 12]);
    const cr = await calibrationRaters(wh, { minN: 1 });
    expect([cr.cycle, cr.raters.map((r) => r.rater)]).toEqual(['year', ['E4']]);
    const dep = await calibrationDepartments(wh, {});
    expect([dep.cycle, dep.units.map((u) => [u.orgUnitId, u.n])]).toEqual(['year', [['D1', 6], ['D2', 6]]]);
    const fair = await calibrationFairness(wh, {});
    expect(fair.cycle).toBe('year');
    const rank = await rankingForced(wh, { from: '2024', grouping: 'company', minGroupSize: 1 });
    expect([rank.cycle, rank.totals.n]).toEqual(['year', 6]);
  });

  it('with monthly data the finest cycle wins; an explicit cycle still wins over it', async () => {
    await addMonthlyD2(wh);
    const auto = await gradeDistribution(wh, {});
    expect([auto.cycle, auto.groups[0]!.total]).toEqual(['month', 3]);
    const year = await gradeDistribution(wh, { cycle: 'year' });
    expect([year.cycle, year.groups[0]!.total]).toEqual(['year', 12]);
    expect((await rankingForced(wh, { from: '2024-01', grouping: 'company', minGroupSize: 1 })).cycle).toBe('month');
    expect((await rankingForced(wh, { from: '2024', cycle: 'year', grouping: 'company', minGroupSize: 1 })).cycle).toBe('year');
  });

  it('is resolved within the other filters: org subtree, role, period range', async () => {
    await addMonthlyD2(wh);
    expect(await resolveCycle(wh, {})).toBe('month');
    expect(await resolveCycle(wh, { orgUnitId: 'D1' })).toBe('year');
    expect(await resolveCycle(wh, { orgUnitId: 'HQ' })).toBe('month');
    expect(await resolveCycle(wh, { role: 'sales' })).toBe('year');
    expect(await resolveCycle(wh, { role: 'functional' })).toBe('month');
    expect(await resolveCycle(wh, { to: '2023' })).toBe('year');
    expect(await resolveCycle(wh, { from: '2024-02', to: '2024-12' })).toBe('month');
    const d1 = await gradeDistribution(wh, { orgUnitId: 'D1' });
    expect([d1.cycle, d1.groups[0]!.total]).toEqual(['year', 6]);
  });

  it('falls back to month when nothing matches, and sees new data after a write', async () => {
    expect(await resolveCycle(wh, { from: '2030' })).toBe('month');
    expect(await resolveCycle(wh, { role: 'merchandiser' })).toBe('month');
    expect(await resolveCycle(wh, {})).toBe('year');
    // The answer is cached until the next write; the monthly rows must change it.
    await addMonthlyD2(wh);
    expect(await resolveCycle(wh, {})).toBe('month');
  });

  it('filterSql refuses filters without a cycle', () => {
    expect(() => filterSql({} as never)).toThrow(/resolved cycle/);
    expect(filterSql({ cycle: 'year' }).params).toEqual({ cycle: 'year' });
  });
});
