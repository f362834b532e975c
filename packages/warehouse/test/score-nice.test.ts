import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Warehouse, scoreDistribution } from '../src/index.ts';

let wh: Warehouse;
beforeAll(async () => {
  wh = await Warehouse.open({ path: ':memory:' });
  await wh.run(`INSERT INTO org_units VALUES ('R', '总部', NULL, 'company', NULL, NULL)`);
  await wh.run(`INSERT INTO periods VALUES ('2024-01', 'month', DATE '2024-01-01', DATE '2024-01-31', NULL, NULL)`);
  // 21.6 … 88.4: width 2 would need 35 bins (> 30), so niceBins picks 2.5 → [20, 90] in 28 bins.
  await wh.run(`INSERT INTO assessments (employee_id, period_id, org_unit_id, role, score, grade) VALUES
    ('E1', '2024-01', 'R', 'sales', 21.6, 'E'), ('E2', '2024-01', 'R', 'sales', 25, 'E'),
    ('E3', '2024-01', 'R', 'sales', 60, 'D'), ('E4', '2024-01', 'R', 'sales', 88.4, 'B')`);
});
afterAll(() => wh.close());

describe('distribution.scores with nice bins', () => {
  it('uses round edges over the data range and counts every score once', async () => {
    const d = await scoreDistribution(wh, { nice: true });
    expect(d.bins).toHaveLength(28);
    expect(d.bins[0]).toEqual({ from: 20, to: 22.5, count: 1 });
    expect(d.bins[1]).toEqual({ from: 22.5, to: 25, count: 0 });
    expect(d.bins[2]).toEqual({ from: 25, to: 27.5, count: 1 }); // 25 sits on an edge: the bin starting there
    expect(d.bins[16]).toEqual({ from: 60, to: 62.5, count: 1 });
    expect(d.bins[27]).toEqual({ from: 87.5, to: 90, count: 1 });
    expect(d.bins.reduce((s, b) => s + b.count, 0)).toBe(4);
    expect(d.stats?.min).toBe(21.6);
  });
  it('leaves an explicit range alone', async () => {
    const d = await scoreDistribution(wh, { nice: true, min: 0, max: 100, bins: 10 });
    expect(d.bins.map((b) => b.count)).toEqual([0, 0, 2, 0, 0, 0, 1, 0, 1, 0]);
  });
});
