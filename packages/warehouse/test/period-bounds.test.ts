import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Warehouse,
  calibrationDepartments,
  calibrationFairness,
  calibrationRaters,
  gradeDistribution,
  listEmployeeAssessments,
  orgUnitBoxPlots,
  rankingForced,
  raterLeniency,
  scoreDistribution,
} from '../src/index.ts';
import { loadFixture } from './queries.fixture.ts';
import { loadCalibrationFixture } from './calibration.fixture.ts';

/*
 * Defect 4: a period bound names a whole period. `to: "2024"` on the monthly cycle used to mean
 * "periods starting on or before 2024-01-01" — January only. Every analysis must read it as the
 * whole year (and `to: "2024-Q1"` as the whole quarter): the same result as naming the last month.
 * Queries fixture: months 2024-01 … 2024-03; calibration fixture: 2024-01 and 2024-02.
 */
let dir: string;
let q: Warehouse;
let cal: Warehouse;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perflens-bounds-'));
  q = await Warehouse.open({ path: join(dir, 'q.duckdb') });
  await loadFixture(q);
  cal = await Warehouse.open({ path: join(dir, 'cal.duckdb') });
  await loadCalibrationFixture(cal);
}, 60_000);
afterAll(() => {
  q.close();
  cal.close();
  rmSync(dir, { recursive: true, force: true });
});

const M = { cycle: 'month' as const };

describe('`to` includes the whole period, in every analysis (queries fixture: Jan–Mar 2024)', () => {
  it('distribution.grades', async () => {
    const whole = await gradeDistribution(q, { ...M, to: '2024' });
    expect(whole).toEqual(await gradeDistribution(q, { ...M, to: '2024-03' }));
    expect(await gradeDistribution(q, { ...M, to: '2024-Q1' })).toEqual(whole);
    expect(whole.groups[0]!.total).toBeGreaterThan((await gradeDistribution(q, { ...M, to: '2024-01' })).groups[0]!.total);
  });
  it('distribution.scores', async () => {
    const whole = await scoreDistribution(q, { ...M, to: '2024' });
    expect(whole).toEqual(await scoreDistribution(q, { ...M, to: '2024-03' }));
    expect(whole.stats!.n).toBe(20 + 10 + 5);
  });
  it('distribution.byOrgUnit', async () => {
    const whole = await orgUnitBoxPlots(q, { ...M, to: '2024' });
    expect(whole).toEqual(await orgUnitBoxPlots(q, { ...M, to: '2024-03' }));
    expect(whole.units.reduce((a, u) => a + u.n, 0)).toBe(35);
  });
  it('employees.list', async () => {
    const whole = await listEmployeeAssessments(q, { ...M, to: '2024', pageSize: 200 });
    expect(whole.total).toBe(36); // 20 + 11 (one ungraded) + 5
    expect(whole).toEqual(await listEmployeeAssessments(q, { ...M, to: '2024-03', pageSize: 200 }));
  });
});

describe('`to` includes the whole period in calibration and ranking (calibration fixture: Jan–Feb 2024)', () => {
  it('calibration.departments', async () => {
    const whole = await calibrationDepartments(cal, { ...M, from: '2024-01', to: '2024' });
    expect(whole).toEqual(await calibrationDepartments(cal, { ...M, from: '2024-01', to: '2024-02' }));
    expect(whole).not.toEqual(await calibrationDepartments(cal, { ...M, from: '2024-01', to: '2024-01' }));
  });
  it('calibration.fairness', async () => {
    const whole = await calibrationFairness(cal, { ...M, from: '2024-01', to: '2024' });
    expect(whole).toEqual(await calibrationFairness(cal, { ...M, from: '2024-01', to: '2024-02' }));
    expect(whole.gender.reduce((a, g) => a + g.n, 0)).toBe(22 + 23);
  });
  it('distribution.raters', async () => {
    const whole = await raterLeniency(cal, { ...M, from: '2024-01', to: '2024', minN: 1 });
    expect(whole).toEqual(await raterLeniency(cal, { ...M, from: '2024-01', to: '2024-02', minN: 1 }));
    expect(whole.overall.n).toBe(22 + 23);
  });
  it('calibration.raters', async () => {
    const whole = await calibrationRaters(cal, { ...M, from: '2024-01', to: '2024' });
    expect(whole).toEqual(await calibrationRaters(cal, { ...M, from: '2024-01', to: '2024-02' }));
    expect(whole.company.n).toBe(22 + 23);
  });
  it('ranking.forced: a range ending in a year ranks every month of it; a year alone is the whole year', async () => {
    const input = { ...M, grouping: 'company' as const, minGroupSize: 5, people: { limit: 5000 } };
    const whole = await rankingForced(cal, { ...input, from: '2024-01', to: '2024' });
    const months = await rankingForced(cal, { ...input, from: '2024-01', to: '2024-02' });
    expect(whole.groups.map((g) => g.periodId)).toEqual(['2024-01', '2024-02']);
    expect(whole.groups).toEqual(months.groups);
    const year = await rankingForced(cal, { ...input, from: '2024' });
    expect(year.groups.map((g) => g.periodId)).toEqual(['2024-01', '2024-02']);
  });
});
