import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { Warehouse } from '../src/db.ts';
import { importFile, type ImportOptions } from '../src/import/index.ts';
import { lastAnalyticsRefresh, refreshAnalyticsOn } from '../src/analytics.ts';
import { ensureRankingCells } from '../src/queries/ranking-cells.ts';

/*
 * Issue 15: after a batch of facts only the periods it touched are rewritten in the derived
 * tables. After every batch below, each derived table must hold exactly what a rebuild from
 * scratch gives (computed in a transaction that is rolled back, i.e. on a copy of the state), and
 * the refresh must have taken the path the batch calls for. Stint and person numbers are surrogate
 * keys (the per-period path keeps existing ones and numbers new ones after the highest), so the
 * person tables are compared by what the numbers stand for.
 */
const dir = mkdtempSync(join(tmpdir(), 'perflens-analytics-incremental-'));
let wh: Warehouse;
beforeAll(async () => {
  wh = await Warehouse.open({ path: join(dir, 'inc.duckdb') });
});
afterAll(() => {
  wh.close();
  rmSync(dir, { recursive: true, force: true });
});

const DEPTS = ['销售部', '客服部', '跟单部'] as const;
const ROLES = ['销售', '客服', '跟单员'] as const;
const FLAT_HEADER = '工号,姓名,部门,岗位,考核期间,绩效得分,上级工号,上级姓名';
const FLAT_MAPPING = { employee_id: '工号', name: '姓名', department: '部门', role: '岗位', period: '考核期间', score: '绩效得分', manager_id: '上级工号', manager_name: '上级姓名' };

/** One flat-sheet row: employee i in department d (default by i) in period p, with a score from (i, p, salt). */
function flatRow(i: number, period: string, opts: { dept?: number; salt?: number; manager?: string } = {}): string {
  const d = opts.dept ?? i % 3;
  const score = 55 + ((i * 7 + period.length * 3 + period.charCodeAt(period.length - 1) * 5 + (opts.salt ?? 0) * 11) % 45);
  const mgr = i % 2 === 0 ? 'M1' : 'M2';
  return `E${String(i).padStart(2, '0')},员工${i},${DEPTS[d]},${ROLES[d]},${period},${score},${mgr},${opts.manager ?? (mgr === 'M1' ? '王经理' : '李经理')}`;
}

let fileNo = 0;
async function importCsv(lines: string[], options: ImportOptions): Promise<void> {
  const file = join(dir, `batch-${++fileNo}.csv`);
  writeFileSync(file, lines.join('\n'));
  const r = await importFile(wh, file, options);
  if (!r.ok) throw new Error(JSON.stringify(r.errors.slice(0, 3)));
}
const importFlat = (rows: string[], onDuplicate: 'reject' | 'replace' = 'reject') =>
  importCsv([FLAT_HEADER, ...rows], { table: 'flat', mapping: FLAT_MAPPING, onDuplicate });

const read = async (conn: DuckDBConnection, sql: string) => (await conn.runAndReadAll(sql)).getRowObjectsJson();

/** Every derived table's contents, in a comparable form. */
async function snapshotOn(conn: DuckDBConnection): Promise<Record<string, unknown>> {
  return {
    facts: await read(conn, 'SELECT * FROM assessment_facts ORDER BY ALL'),
    cube: await read(conn, 'SELECT * FROM assessment_cube ORDER BY ALL'),
    // DOUBLE sums: the same rows, added in whatever order the threads take them.
    raters: await read(conn, 'SELECT * EXCLUDE (sum_score, sum_sq), round(sum_score, 6) AS s, round(sum_sq, 6) AS q FROM rater_summary ORDER BY ALL'),
    stints: await read(conn, 'SELECT period_kind, employee_id, org_unit_id, role, shared FROM person_stints ORDER BY ALL'),
    // Surrogate keys: one stint number per stint, one person number per employee and back.
    keys: await read(conn, `SELECT count(*) = count(DISTINCT stint) AS stint_unique,
      (SELECT count(*) FROM (SELECT DISTINCT employee_id, person FROM person_stints)) = count(DISTINCT employee_id) AS person_per_employee,
      count(DISTINCT person) = count(DISTINCT employee_id) AS employee_per_person FROM person_stints`),
    cumulative: await read(conn, `SELECT c.* EXCLUDE (stint), s.employee_id, s.org_unit_id, s.role
      FROM person_cumulative c LEFT JOIN person_stints s ON s.stint = c.stint ORDER BY ALL`),
    rankingCells: await read(conn, 'SELECT * FROM ranking_cells ORDER BY ALL'),
  };
}

class Rollback extends Error {}

/** The derived tables as they are, and as a rebuild from scratch makes them (rolled back afterwards). */
async function currentAndRebuilt(): Promise<[Record<string, unknown>, Record<string, unknown>]> {
  const current = await wh.transaction((conn) => snapshotOn(conn));
  let rebuilt: Record<string, unknown> = {};
  await wh
    .transaction(async (conn) => {
      await refreshAnalyticsOn(conn);
      // As ranking-cells.ts rebuilds them.
      await conn.run('DELETE FROM ranking_cells');
      await conn.run(`INSERT INTO ranking_cells SELECT period_id, period_kind, period_start, org_unit_id, role, score, grade, count(*)::INTEGER
        FROM assessment_facts GROUP BY ALL`);
      rebuilt = await snapshotOn(conn);
      throw new Rollback();
    })
    .catch((err: unknown) => {
      if (!(err instanceof Rollback)) throw err;
    });
  return [current, rebuilt];
}

const rankingCellsFresh = async () =>
  (await wh.query<{ fresh: boolean }>(`SELECT coalesce((SELECT built_from FROM ranking_cells_state) = (SELECT signature || '@' || CAST(refreshed_at AS VARCHAR) FROM analytics_state), false) AS fresh`))[0]!.fresh;

/**
 * The derived tables equal a rebuild. After a per-period refresh the ranking cells must have been
 * kept current with the facts; after a full one they are rebuilt lazily (ensureRankingCells).
 */
async function expectSameAsRebuild(): Promise<void> {
  if (lastAnalyticsRefresh()?.mode === 'incremental') expect(await rankingCellsFresh()).toBe(true);
  else await ensureRankingCells(wh);
  const [current, rebuilt] = await currentAndRebuilt();
  expect((current.keys as Array<Record<string, boolean>>)[0]).toEqual({ stint_unique: true, person_per_employee: true, employee_per_person: true });
  for (const table of Object.keys(rebuilt)) expect(current[table], table).toEqual(rebuilt[table]);
}

const MONTHS = ['2024-01', '2024-02', '2024-03', '2024-04', '2024-05', '2024-06'];
const PEOPLE = Array.from({ length: 24 }, (_, i) => i);

describe('the per-period refresh of the derived tables', () => {
  it('starts from a full rebuild of the first batch', async () => {
    // Six months and two quarters. E05 moves from 跟单部 to 客服部 in April; E08 (of 跟单部) spends
    // only March in 销售部: a stint of one month, which the replaced March below removes.
    const rows = MONTHS.flatMap((m, k) =>
      PEOPLE.map((i) => flatRow(i, m, { dept: i === 5 && k >= 3 ? 1 : i === 8 && m === '2024-03' ? 0 : undefined })),
    );
    for (const q of ['2024-Q1', '2024-Q2']) rows.push(...PEOPLE.map((i) => flatRow(i, q)));
    await importFlat(rows);
    expect(lastAnalyticsRefresh()?.mode).toBe('full');
    await expectSameAsRebuild();
  });

  it('a new month: only that month is rewritten, with a new hire, a mover and a renamed manager', async () => {
    const rows = [...PEOPLE, 24].map((i) => flatRow(i, '2024-07', { dept: i === 6 ? 1 : undefined, manager: i % 2 === 0 ? '王总监' : undefined }));
    await importFlat(rows);
    expect(lastAnalyticsRefresh()).toMatchObject({ mode: 'incremental', periods: ['2024-07'] });
    await expectSameAsRebuild();
    // The manager's new name reached the months the batch did not touch.
    const [m1] = await wh.query<{ names: string[] }>(`SELECT list(DISTINCT rater_name) AS names FROM rater_summary WHERE rater_id = 'M1'`);
    expect(m1!.names).toEqual(['王总监']);
  });

  it('a replaced month: its rows are rewritten and a stint that only lived there disappears', async () => {
    const stintsOf = async (id: string) =>
      (await wh.query<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM person_stints WHERE employee_id = '${id}'`))[0]!.n;
    expect([await stintsOf('E08'), await stintsOf('E09')]).toEqual([3, 2]); // months in two units and the quarters; months and quarters
    // March again: E08 back in 跟单部, E09 in 客服部 that month, every score different.
    const rows = PEOPLE.map((i) => flatRow(i, '2024-03', { salt: 1, dept: i === 9 ? 1 : undefined }));
    await importFlat(rows, 'replace');
    expect(lastAnalyticsRefresh()).toMatchObject({ mode: 'incremental', periods: ['2024-03'] });
    expect([await stintsOf('E08'), await stintsOf('E09')]).toEqual([2, 3]);
    await expectSameAsRebuild();
  });

  it('a batch touching two months that are not adjacent, and a quarter', async () => {
    const header = '工号,考核期间,绩效得分';
    const rows = ['2024-02', '2024-05', '2024-Q2'].flatMap((p) => PEOPLE.map((i) => `E${String(i).padStart(2, '0')},${p},${60 + ((i * 13 + p.length) % 40)}`));
    await importCsv([header, ...rows], { table: 'assessments', mapping: { employee_id: '工号', period_id: '考核期间', score: '绩效得分' }, onDuplicate: 'replace' });
    expect(lastAnalyticsRefresh()).toMatchObject({ mode: 'incremental', periods: ['2024-02', '2024-05', '2024-Q2'] });
    await expectSameAsRebuild();
  });

  it('rater scores of one month', async () => {
    const header = '工号,考核期间,评分人,评价关系,分数';
    const rows = PEOPLE.map((i) => `E${String(i).padStart(2, '0')},2024-06,E00,peer,${70 + (i % 20)}`);
    await importCsv([header, ...rows], { table: 'rater_scores', mapping: { employee_id: '工号', period_id: '考核期间', rater_id: '评分人', relation: '评价关系', score: '分数' } });
    expect(lastAnalyticsRefresh()).toMatchObject({ mode: 'incremental', periods: ['2024-06'] });
    await expectSameAsRebuild();
  });

  it('an employees-only batch (a new org unit, a renamed person) rebuilds everything', async () => {
    const [unit] = await wh.query<{ id: string }>(`SELECT id FROM org_units WHERE name = '客服部'`);
    await importCsv(['工号,姓名,部门编号,岗位', `E10,员工十,${unit!.id},客服`, 'E11,改名的员工,' + unit!.id + ',客服'], {
      table: 'employees', mapping: { id: '工号', name: '姓名', org_unit_id: '部门编号', role: '岗位' }, onDuplicate: 'replace',
    });
    expect(lastAnalyticsRefresh()).toMatchObject({ mode: 'full', reason: 'no batch given' });
    await expectSameAsRebuild();
    const [renamed] = await wh.query<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM assessment_facts WHERE employee_name = '改名的员工'`);
    expect(renamed!.n).toBeGreaterThan(0);
  });

  it('the next month after that is per-period again', async () => {
    await importFlat(PEOPLE.map((i) => flatRow(i, '2024-08')));
    expect(lastAnalyticsRefresh()).toMatchObject({ mode: 'incremental', periods: ['2024-08'] });
    await expectSameAsRebuild();
  });

  it('a write that bypassed the refresh makes the next batch rebuild everything', async () => {
    await wh.run(`INSERT INTO assessments (employee_id, period_id, org_unit_id, role, score, grade)
      SELECT employee_id, '2024-01', org_unit_id, role, 50, 'E' FROM assessments WHERE employee_id = 'E24' AND period_id = '2024-07'`);
    await importFlat(PEOPLE.map((i) => flatRow(i, '2024-09')));
    expect(lastAnalyticsRefresh()).toMatchObject({ mode: 'full', reason: 'the derived tables were not current before the batch' });
    await expectSameAsRebuild();
  });

  it("a month's KPI file first creates the month; its assessments after it are per-period", async () => {
    await importCsv(['employee_id,period_id,kpi_code,target,actual,weight', ...PEOPLE.map((i) => `E${String(i).padStart(2, '0')},2024-10,on_time,100,${80 + (i % 20)},100`)], {
      table: 'kpi_results', mapping: { employee_id: 'employee_id', period_id: 'period_id', kpi_code: 'kpi_code', target: 'target', actual: 'actual', weight: 'weight' },
    });
    // The KPI lines created 2024-10, which the analytics signature counts: kept current.
    expect(lastAnalyticsRefresh()).toMatchObject({ mode: 'incremental', periods: ['2024-10'] });
    await expectSameAsRebuild();
    await importFlat(PEOPLE.map((i) => flatRow(i, '2024-10')));
    expect(lastAnalyticsRefresh()).toMatchObject({ mode: 'incremental', periods: ['2024-10'] });
    await expectSameAsRebuild();
  });

  it('a new job title (a new role) rebuilds everything', async () => {
    await importFlat([`E30,新人,销售部,区域经理,2024-09,80,M1,王总监`]);
    expect(lastAnalyticsRefresh()).toMatchObject({ mode: 'full', reason: 'the roles changed' });
    await expectSameAsRebuild();
  });
});
