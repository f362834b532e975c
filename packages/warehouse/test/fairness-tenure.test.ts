import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serviceYears } from '@perflens/core';
import { Warehouse, calibrationFairness } from '../src/index.ts';

/*
 * Defect 2: tenure bands count whole years of service (anniversaries reached), not calendar-year
 * boundaries crossed. And the fairness minimum counts people, not person-months.
 */
let dir: string;
let wh: Warehouse;
// [id, hire date, gender]; assessed 2023-01 … 2023-03 (graded C, E01 A).
const PEOPLE: Array<[string, string, string]> = [
  ['E01', '2022-12-15', 'F'], // 0 whole years on 2023-01-01 (date_diff said 1)
  ['E02', '2022-01-01', 'M'], // exactly 1 year on 2023-01-01
  ['E03', '2021-06-30', 'M'], // 1 year (date_diff said 2)
  ['E04', '2020-01-02', 'F'], // 2 years on 2023-01-01 (one day short of 3), 3 from February (date_diff: 3 throughout)
];
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perflens-fair-'));
  wh = await Warehouse.open({ path: join(dir, 'f.duckdb') });
  await wh.run(`INSERT INTO org_units (id, name, parent_id, kind) VALUES ('HQ', '总公司', NULL, 'company')`);
  await wh.run(`INSERT INTO periods (id, kind, start_date, end_date) VALUES
    ('2023-01', 'month', DATE '2023-01-01', DATE '2023-01-31'), ('2023-02', 'month', DATE '2023-02-01', DATE '2023-02-28'),
    ('2023-03', 'month', DATE '2023-03-01', DATE '2023-03-31')`);
  for (const [id, hire, gender] of PEOPLE) {
    await wh.run(`INSERT INTO employees (id, name, org_unit_id, role, hire_date, gender, birth_year) VALUES ($id, $id, 'HQ', 'sales', CAST($hire AS DATE), $g, 1990)`, { id, hire, g: gender });
    for (const p of ['2023-01', '2023-02', '2023-03'])
      await wh.run(`INSERT INTO assessments (employee_id, period_id, org_unit_id, role, score, grade) VALUES ($id, $p, 'HQ', 'sales', 80, $grade)`, {
        id,
        p,
        grade: id === 'E01' ? 'A' : 'C',
      });
  }
}, 60_000);
afterAll(() => {
  wh.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('tenure bands: whole years of service', () => {
  it('serviceYears counts anniversaries', () => {
    expect(serviceYears('2022-12-15', '2023-01-01')).toBe(0);
    expect(serviceYears('2022-01-01', '2023-01-01')).toBe(1);
    expect(serviceYears('2020-01-02', '2023-01-01')).toBe(2);
    expect(serviceYears('2020-01-02', '2023-02-01')).toBe(3);
  });
  it('hired 2022-12-15 is in the <1 band on 2023-01-01, not 1-2', async () => {
    const r = await calibrationFairness(wh, { cycle: 'month', from: '2023-01', to: '2023-01', minN: 1 });
    expect(r.tenureBand.map((b) => [b.key, b.n])).toEqual([
      ['1-2', 3], // E02, E03, E04 (2 years)
      ['<1', 1], // E01
    ]);
  });
  it('the band follows the anniversary month by month', async () => {
    const r = await calibrationFairness(wh, { cycle: 'month', from: '2023-01', to: '2023-03', minN: 1 });
    // E01 <1 ×3; E02, E03 1-2 ×3 each; E04 1-2 in January, 3-4 in February and March.
    expect(r.tenureBand.map((b) => [b.key, b.n, b.people])).toEqual([
      ['1-2', 7, 3],
      ['3-4', 2, 1],
      ['<1', 3, 1],
    ]);
  });
});

describe('fairness group minimums count people, not rows', () => {
  it('two women rated in three months are 2 people (6 rows): below a minimum of 3', async () => {
    const r = await calibrationFairness(wh, { cycle: 'month', from: '2023-01', to: '2023-03', minN: 3 });
    const f = r.gender.find((g) => g.key === 'F')!;
    expect([f.n, f.people, f.lowN]).toEqual([6, 2, true]);
    const m = r.gender.find((g) => g.key === 'M')!;
    expect([m.n, m.people, m.lowN]).toEqual([6, 2, true]);
  });
});
