import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureAnalytics, gradeDistribution, isReadOnly, raterLeniency, Warehouse } from '../src/index.ts';

let dir: string;
let wh: Warehouse;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perflens-analytics-'));
  wh = await Warehouse.open({ path: join(dir, 'a.duckdb') });
  await wh.run(`INSERT INTO org_units VALUES ('R', '总部', NULL, 'company', NULL, NULL), ('U1', '一部', 'R', 'department', NULL, NULL)`);
  await wh.run(`INSERT INTO periods VALUES ('2024-01', 'month', DATE '2024-01-01', DATE '2024-01-31', NULL, NULL)`);
  await wh.run(`INSERT INTO employees (id, name, org_unit_id, role) VALUES ('E1', '张三', 'U1', 'sales'), ('E2', '李四', 'U1', 'sales')`);
  await wh.run(`INSERT INTO assessments (employee_id, period_id, org_unit_id, role, score, grade) VALUES
    ('E1', '2024-01', 'U1', 'sales', 92, 'A'), ('E2', '2024-01', 'U1', 'sales', 75, 'C')`);
  await wh.run(`INSERT INTO rater_scores (employee_id, period_id, rater_id, relation, score) VALUES
    ('E1', '2024-01', 'M1', 'supervisor', 90), ('E1', '2024-01', 'M1', 'supervisor', 94), ('E2', '2024-01', 'M1', 'supervisor', 70)`);
});
afterEach(() => {
  wh.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('derived analytics tables', () => {
  it('are rebuilt when the canonical data changed, with names and period inlined', async () => {
    await ensureAnalytics(wh);
    expect(await wh.query('SELECT employee_id, employee_name, period_kind, period_start::VARCHAR AS s, org_unit_name FROM assessment_facts ORDER BY 1')).toEqual([
      { employee_id: 'E1', employee_name: '张三', period_kind: 'month', s: '2024-01-01', org_unit_name: '一部' },
      { employee_id: 'E2', employee_name: '李四', period_kind: 'month', s: '2024-01-01', org_unit_name: '一部' },
    ]);
    // n, Σx, Σx² per rater and rated period/unit: 90+94+70 = 254, 8100+8836+4900 = 21836
    expect(await wh.query('SELECT rater_id, n::INTEGER AS n, sum_score, sum_sq FROM rater_summary')).toEqual([
      { rater_id: 'M1', n: 3, sum_score: 254, sum_sq: 21836 },
    ]);
    await wh.run(`INSERT INTO assessments (employee_id, period_id, org_unit_id, role, score, grade) VALUES ('E3', '2024-01', 'U1', 'sales', 55, 'E')`);
    const d = await gradeDistribution(wh, {});
    expect(d.groups[0]!.counts).toEqual({ A: 1, B: 0, C: 1, D: 0, E: 1 });
  });

  it('are rebuilt once when many requests arrive together after a change', async () => {
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => gradeDistribution(wh, { groupBy: 'orgUnit' })));
    expect(results.map((r) => r.status)).toEqual(Array(8).fill('fulfilled'));
    expect(await wh.query('SELECT count(*)::INTEGER AS n FROM assessment_facts')).toEqual([{ n: 2 }]);
  });

  it('are not rebuilt when nothing changed', async () => {
    await ensureAnalytics(wh);
    const [before] = await wh.query<{ t: string }>('SELECT refreshed_at::VARCHAR AS t FROM analytics_state');
    await new Promise((r) => setTimeout(r, 20));
    await ensureAnalytics(wh);
    const [after] = await wh.query<{ t: string }>('SELECT refreshed_at::VARCHAR AS t FROM analytics_state');
    expect(after!.t).toBe(before!.t);
  });

  it('skip even the signature query while nothing that could write has run, and look again after a write', async () => {
    await ensureAnalytics(wh);
    const seen: string[] = [];
    const real = wh.query.bind(wh);
    wh.query = ((sql: string, params?: Record<string, unknown>) => {
      seen.push(sql);
      return real(sql, params as never);
    }) as typeof wh.query;
    const g = wh.writeGeneration;
    await ensureAnalytics(wh);
    await gradeDistribution(wh, {});
    expect(wh.writeGeneration).toBe(g); // reads do not count as writes
    expect(seen.some((q) => q.includes('analytics_state'))).toBe(false);
    await wh.withConnection((conn) => conn.run(`INSERT INTO assessments (employee_id, period_id, org_unit_id, role, score, grade) VALUES ('E3', '2024-01', 'U1', 'sales', 55, 'E')`));
    expect(wh.writeGeneration).toBe(g + 1);
    const d = await gradeDistribution(wh, {});
    expect(seen.some((q) => q.includes('analytics_state'))).toBe(true);
    expect(d.groups[0]!.counts).toEqual({ A: 1, B: 0, C: 1, D: 0, E: 1 });
  });

  it('carry the rater name, and order raters with equal shrunk leniency by id', async () => {
    // Z2 and Z1 give the same two scores (mean 80) to E1; M1 gives 90, 94, 70 (84.67). The spread
    // between raters is no larger than chance (τ² = 0 by the method of moments), so every shrunk
    // leniency is 0 and the order falls to the rater id.
    await wh.run(`INSERT INTO rater_scores (employee_id, period_id, rater_id, relation, score) VALUES
      ('E1', '2024-01', 'Z2', 'peer', 75), ('E1', '2024-01', 'Z2', 'peer', 85), ('E1', '2024-01', 'Z1', 'peer', 85), ('E1', '2024-01', 'Z1', 'peer', 75),
      ('E2', '2024-01', 'E1', 'peer', 80)`);
    const r = await raterLeniency(wh, {});
    expect(r.raters.map((x) => [x.raterId, x.raterName])).toEqual([
      ['E1', '张三'],
      ['M1', null],
      ['Z1', null],
      ['Z2', null],
    ]);
    expect(r.raters.every((x) => x.shrunk === 0 && x.level === 'neutral')).toBe(true);
    expect(r.raters[2]!.z).toBe(r.raters[3]!.z);
    // 8 scores: 90 94 70 75 85 85 75 80, mean 81.75
    expect(r.overall.n).toBe(8);
    expect(r.overall.mean).toBeCloseTo(81.75, 12);
    const p2 = await raterLeniency(wh, { page: 2, pageSize: 3 });
    expect([p2.total, p2.raters.map((x) => x.raterId), p2.overall.n]).toEqual([4, ['Z2'], 8]);
    expect((await raterLeniency(wh, { page: 3, pageSize: 3 })).raters).toEqual([]);
  });

  it('count a read that starts with WITH as a read, and a WITH that ends in a write as a write', async () => {
    expect(isReadOnly('WITH x AS (SELECT 1 AS v) SELECT v, updated_at FROM x')).toBe(true);
    expect(isReadOnly('  with recursive t(n) AS (SELECT 1) SELECT * FROM t')).toBe(true);
    expect(isReadOnly('WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x')).toBe(false);
    expect(isReadOnly('INSERT INTO t VALUES (1)')).toBe(false);
    expect(isReadOnly('SELECT 1')).toBe(true);
    await ensureAnalytics(wh);
    const g = wh.writeGeneration;
    await raterLeniency(wh, {}); // a WITH statement
    expect(wh.writeGeneration).toBe(g);
  });
});

