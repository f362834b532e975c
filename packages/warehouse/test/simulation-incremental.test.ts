import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { Warehouse } from '../src/db.ts';
import { importFile, type ImportOptions } from '../src/import/index.ts';
import { BASE_CACHE_TABLES_SQL, ensureSimulationLayout, lastLayoutRefresh, rebuildLayoutOn } from '../src/queries/simulation-layout.ts';
import { carryBaseCaches } from '../src/queries/simulation-base.ts';
import { runSimulation } from '../src/queries/simulation-run.ts';
import { schemeSchema, type Scheme } from '@perflens/core';

/*
 * Issue 15: after import batches of facts, the simulator's layout is rewritten only for the months
 * they touched. After every step below, sim_facts and its companion tables must hold exactly what a
 * rebuild from scratch gives (computed in a transaction that is rolled back), and the refresh must
 * have taken the path the change calls for. The files are English-headed CSVs as another HR system
 * would export them, imported through the importer.
 */
const dir = mkdtempSync(join(tmpdir(), 'perflens-sim-incremental-'));
let wh: Warehouse;

const SALES_KPIS = ['new_customers', 'sales_amount'];
const MERCH_KPIS = ['defects', 'on_time'];
const emp = (i: number) => `E${String(i).padStart(2, '0')}`;
const roleOf = (i: number) => (i % 2 === 0 ? 'sales' : 'merchandiser');
const unitOf = (i: number) => (i % 2 === 0 ? 'D1' : 'D2');

let fileNo = 0;
async function importCsv(table: ImportOptions['table'], header: string, lines: string[], onDuplicate: 'reject' | 'replace' = 'reject'): Promise<void> {
  const file = join(dir, `batch-${++fileNo}.csv`);
  writeFileSync(file, [header, ...lines].join('\n'));
  const mapping = Object.fromEntries(header.split(',').map((h) => [h, h]));
  const r = await importFile(wh, file, { table, mapping, onDuplicate });
  if (!r.ok) throw new Error(JSON.stringify(r.errors.slice(0, 3)));
}

/** One month of everything for employees `ids`: KPI lines, assessments, supervisor scores, metrics; `salt` varies the numbers. */
async function importMonth(month: string, ids: number[], opts: { salt?: number; kpis?: (i: number) => string[]; onDuplicate?: 'reject' | 'replace'; complaints?: number[] } = {}): Promise<void> {
  const salt = opts.salt ?? 0;
  const v = (i: number, k: number) => ((i * 13 + k * 7 + month.charCodeAt(6) * 3 + salt * 17) % 40) + 60;
  const kpis = opts.kpis ?? ((i: number) => (roleOf(i) === 'sales' ? SALES_KPIS : MERCH_KPIS));
  const dup = opts.onDuplicate ?? 'reject';
  await importCsv('kpi_results', 'employee_id,period_id,kpi_code,target,actual,weight',
    ids.flatMap((i) => kpis(i).map((k, j) => `${emp(i)},${month},${k},100,${v(i, j)},50`)), dup);
  await importCsv('assessments', 'employee_id,period_id,score', ids.map((i) => `${emp(i)},${month},${v(i, 9)}`), dup);
  await importCsv('rater_scores', 'employee_id,period_id,rater_id,relation,score', ids.map((i) => `${emp(i)},${month},M1,supervisor,${v(i, 5)}`), dup);
  const complaints = opts.complaints ?? ids.filter((i) => (i + month.charCodeAt(6) + salt) % 3 === 0);
  await importCsv('metrics', 'employee_id,period_id,metric,value', [
    ...ids.map((i) => `${emp(i)},${month},order_total,${v(i, 3) * 1000}`),
    ...complaints.map((i) => `${emp(i)},${month},complaint_exposure,${1 + (i % 2)}`),
  ], dup);
}

/** The layout tables, with doubles rounded: sums over the same values may differ in the last bit. */
async function snapshotOn(conn: DuckDBConnection, table: string): Promise<string[]> {
  const cols = (await conn.runAndReadAll(`SELECT column_name AS c, data_type AS t FROM information_schema.columns WHERE table_name = '${table}' ORDER BY ordinal_position`)).getRowObjectsJson() as Array<{ c: string; t: string }>;
  const list = cols.map(({ c, t }) => (t === 'DOUBLE' ? `round(${c}, 9)` : c)).join(', ');
  const rows = (await conn.runAndReadAll(`SELECT ${list} FROM ${table}`)).getRows();
  return rows.map((r) => JSON.stringify(r, (_, x) => (typeof x === 'bigint' ? String(x) : x))).sort();
}

const TABLES = ['sim_facts', 'sim_periods', 'sim_kpi_slots', 'sim_employees'] as const;

/** Refreshes the layout, then compares every layout table with a rebuild from scratch (rolled back). */
async function refreshAndCompare(): Promise<NonNullable<ReturnType<typeof lastLayoutRefresh>>> {
  await ensureSimulationLayout(wh, { recheck: true });
  const report = lastLayoutRefresh()!;
  const mismatch: string[] = [];
  await wh
    .transaction(async (conn) => {
      const now: Record<string, string[]> = {};
      for (const t of TABLES) now[t] = await snapshotOn(conn, t);
      await rebuildLayoutOn(conn);
      for (const t of TABLES) {
        const fresh = await snapshotOn(conn, t);
        expect(fresh.length, `${t} rows`).toBeGreaterThan(0);
        if (JSON.stringify(fresh) !== JSON.stringify(now[t])) mismatch.push(t);
      }
      throw new Error('rollback');
    })
    .catch((e: Error) => {
      if (e.message !== 'rollback') throw e;
    });
  expect(mismatch).toEqual([]);
  return report;
}

beforeAll(async () => {
  wh = await Warehouse.open({ path: join(dir, 'sim.duckdb') });
  await wh.run(`INSERT INTO org_units (id, name, parent_id, kind) VALUES ('root', '公司', NULL, 'company'), ('D1', '销售部', 'root', 'department'), ('D2', '跟单部', 'root', 'department')`);
  for (let i = 1; i <= 12; i++)
    await wh.run(`INSERT INTO employees (id, name, org_unit_id, role, monthly_salary) VALUES ($id, $name, $unit, $role, $pay)`, {
      id: emp(i), name: `员工${i}`, unit: unitOf(i), role: roleOf(i), pay: 6000 + i * 250,
    });
  for (const m of ['2024-01', '2024-02', '2024-03', '2024-04']) await importMonth(m, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
});
afterAll(async () => {
  await wh.closeWhenIdle();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * A sales base scheme over the test's KPIs, paid from salary with a year-to-date complaint veto:
 * every input the per-month refresh changes reaches its scores.
 */
const SALES: Scheme = schemeSchema.parse({
  id: 'test-sales-v1', role: 'sales', version: 1, name: { zh: '测试', en: 'test' },
  kpis: SALES_KPIS.map((code) => ({ code, name: { zh: code, en: code }, section: 'result', weight: 50, rule: { type: 'ratio', direction: 'higher' } })),
  gradeBands: [{ grade: 'A', min: 95, coefficient: 1.3 }, { grade: 'B', min: 85, coefficient: 1.1 }, { grade: 'C', min: 75, coefficient: 1 }, { grade: 'D', min: 65, coefficient: 0.8 }, { grade: 'E', min: null, coefficient: 0.4 }],
  vetoes: [{ type: 'grade_cap', event: 'complaint_exposure', window: 'year', threshold: 2, capGrade: 'C', reason: { zh: '投诉', en: 'complaints' } }],
  bonus: [{ type: 'score_share', base: { kind: 'salary', share: 1 } }],
});
const SCENARIO: Scheme = { ...SALES, id: 'test-sales-v2', gradeBands: SALES.gradeBands.map((b) => (b.min === null ? b : { ...b, min: b.min + 3 })) };
const simulate = (base = SALES) => runSimulation(wh, { base, scenario: SCENARIO, baseline: 'base', page: 1, pageSize: 50, sortBy: 'score' } as never);
const cacheTables = async () => (await wh.query<{ name: string }>(BASE_CACHE_TABLES_SQL)).map((t) => t.name).sort();

describe('the per-month refresh of the simulation layout', () => {
  it('starts from a full build', async () => {
    const r = await refreshAndCompare();
    expect(r.mode).toBe('full');
    const [n] = await wh.query<{ n: number }>('SELECT count(*)::INTEGER AS n FROM sim_facts');
    expect(n!.n).toBe(48);
  });

  it('a new month, with complaints: only that month is written', async () => {
    await importMonth('2024-05', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], { complaints: [3, 4] });
    const r = await refreshAndCompare();
    expect([r.mode, r.reason, r.months]).toEqual(['incremental', null, ['2024-05']]);
    const [n] = await wh.query<{ n: number }>("SELECT count(*)::INTEGER AS n FROM sim_facts WHERE period_id = '2024-05'");
    expect(n!.n).toBe(12);
  });

  it('an earlier month replaced, with a complaint that carries into the later months of its quarter and year', async () => {
    const before = await wh.query<{ y: number }>("SELECT complaints_y AS y FROM sim_facts WHERE employee_id = 'E08' AND period_id = '2024-05'");
    await importMonth('2024-02', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], { salt: 5, onDuplicate: 'replace', complaints: [8] });
    const r = await refreshAndCompare();
    expect([r.mode, r.months]).toEqual(['incremental', ['2024-02']]);
    const after = await wh.query<{ y: number }>("SELECT complaints_y AS y FROM sim_facts WHERE employee_id = 'E08' AND period_id = '2024-05'");
    // E08's complaint in February (none before) is in May's year-to-date sum.
    expect(after[0]!.y - before[0]!.y).toBe(1);
  });

  it('a new hire whose id sorts after everyone, and a pay rise written into every month of that person', async () => {
    await wh.run(`INSERT INTO employees (id, name, org_unit_id, role, monthly_salary) VALUES ('E13', '员工13', 'D2', 'merchandiser', 7000)`);
    await wh.run(`UPDATE employees SET monthly_salary = 9999 WHERE id = 'E01'`);
    await importMonth('2024-06', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    const r = await refreshAndCompare();
    expect([r.mode, r.months]).toEqual(['incremental', ['2024-06']]);
    const pay = await wh.query<{ s: number; n: number }>("SELECT min(salary) AS s, count(*)::INTEGER AS n FROM sim_facts WHERE employee_id = 'E01'");
    expect(pay[0]).toEqual({ s: 9999, n: 6 });
  });

  it('rater scores of one month alone', async () => {
    await importCsv('rater_scores', 'employee_id,period_id,rater_id,relation,score', ['E02,2024-03,M2,supervisor,99', 'E04,2024-03,P1,peer,50']);
    const r = await refreshAndCompare();
    expect([r.mode, r.months]).toEqual(['incremental', ['2024-03']]);
  });

  it("a base scheme's cache moves to the new layout by scoring only the changed rows, and gives what scoring everything gives", async () => {
    await simulate();
    const [before] = await cacheTables();
    expect(before).toBeDefined();
    // A new month, a pay rise for E02 and a replaced February with a complaint for E04: rows of
    // every month change for E02, and E04's year-to-date sums from February on.
    await wh.run(`UPDATE employees SET monthly_salary = 12000 WHERE id = 'E02'`);
    await importMonth('2024-02', [4], { salt: 3, onDuplicate: 'replace', complaints: [4] });
    await importMonth('2024-07', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13], { complaints: [4] });
    await ensureSimulationLayout(wh, { recheck: true });
    expect(lastLayoutRefresh()).toMatchObject({ mode: 'incremental', months: ['2024-02', '2024-07'] });
    await carryBaseCaches(wh);
    const carried = await cacheTables();
    // One cache, for the new layout: the old one went.
    expect(carried).toHaveLength(1);
    expect(carried[0]).not.toBe(before);
    const fromCarried = await simulate();
    expect(await cacheTables()).toEqual(carried);
    const rows = await wh.query<Record<string, unknown>>(`SELECT * FROM ${carried[0]} ORDER BY period_ord, employee_id`);
    // The same scheme under another name has no cache to carry: scored from scratch.
    const fresh = await simulate({ ...SALES, name: { zh: '测试（副本）', en: 'test (copy)' } });
    expect(fromCarried).toEqual(fresh);
    const rebuilt = (await cacheTables()).find((t) => t !== carried[0])!;
    expect(await wh.query(`SELECT * FROM ${rebuilt} ORDER BY period_ord, employee_id`)).toEqual(rows);
    expect(rows.some((r) => r.employee_id === 'E02' && r.base_bonus !== null)).toBe(true);
  });

  it("a new employee whose id sorts among existing ones rebuilds (the employee index would move)", async () => {
    await wh.run(`INSERT INTO employees (id, name, org_unit_id, role, monthly_salary) VALUES ('E05b', '员工5b', 'D2', 'merchandiser', 7000)`);
    await importCsv('kpi_results', 'employee_id,period_id,kpi_code,target,actual,weight', ['E05b,2024-06,on_time,100,80,50']);
    await importCsv('assessments', 'employee_id,period_id,score', ['E05b,2024-06,80']);
    const r = await refreshAndCompare();
    expect([r.mode, r.reason]).toEqual(['full', "new employees' ids sort among existing ones"]);
  });

  it('a KPI the layout has no slot for rebuilds', async () => {
    await importMonth('2024-08', [1, 2, 3, 4], { kpis: (i) => (roleOf(i) === 'sales' ? [...SALES_KPIS, 'a_returns'] : MERCH_KPIS) });
    const r = await refreshAndCompare();
    expect([r.mode, r.reason]).toEqual(['full', 'a KPI the layout has no slot for']);
    const slots = await wh.query<{ kpi_code: string; slot: number }>("SELECT kpi_code, slot::INTEGER AS slot FROM sim_kpi_slots WHERE role = 'sales' ORDER BY slot");
    expect(slots.map((s) => s.kpi_code)).toEqual(['a_returns', ...SALES_KPIS]);
  });

  it('a month before the known ones rebuilds (every ordinal would move)', async () => {
    await importMonth('2023-12', [1, 2, 3]);
    const r = await refreshAndCompare();
    expect([r.mode, r.reason]).toEqual(['full', 'a new month comes before a known one']);
  });

  it('a write that bypassed the importers rebuilds, and the next month is per-month again', async () => {
    await wh.run("DELETE FROM metrics WHERE employee_id = 'E03' AND metric = 'complaint_exposure'");
    let r = await refreshAndCompare();
    expect([r.mode, r.reason]).toEqual(['full', 'the data changed outside an import']);
    await importMonth('2024-09', [2, 4, 6, 8], { complaints: [2] });
    r = await refreshAndCompare();
    expect([r.mode, r.months]).toEqual(['incremental', ['2024-09']]);
  });

  it('a change of role rebuilds', async () => {
    await wh.run(`UPDATE employees SET role = 'merchandiser' WHERE id = 'E02'`);
    await importMonth('2024-10', [1, 3]);
    const r = await refreshAndCompare();
    expect([r.mode, r.reason]).toEqual(['full', 'an employee left the file or changed role']);
  });
});
