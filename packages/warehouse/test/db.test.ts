import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { DatabaseLockedError, importFile, Warehouse } from '../src/index.ts';
import { MIGRATIONS } from '../src/migrations/index.ts';

const LATEST = Math.max(...MIGRATIONS.map((m) => m.version));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'perflens-db-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('Warehouse', () => {
  it('creates the canonical tables once and records the schema version', async () => {
    const path = join(dir, 'a.duckdb');
    const wh = await Warehouse.open({ path });
    expect(await wh.schemaVersion()).toBe(LATEST);
    const tables = (await wh.query<{ t: string }>('SELECT table_name AS t FROM information_schema.tables')).map((r) => r.t);
    for (const t of ['org_units', 'employees', 'periods', 'schemes', 'kpi_results', 'rater_scores', 'assessments', 'metrics', 'policies', 'import_batches'])
      expect(tables).toContain(t);
    wh.close();
    // Re-opening does not re-run migrations (they would fail on existing tables).
    const again = await Warehouse.open({ path });
    expect(await again.query('SELECT version FROM schema_migrations ORDER BY version')).toEqual(MIGRATIONS.map((m) => ({ version: m.version })));
    again.close();
  });

  it('moves KPI lines stored as text (schema 20) to integer keys, readable through the kpi_results view', async () => {
    const path = join(dir, 'old.duckdb');
    // A database as schema version 20 left it: kpi_results was a table with text keys.
    const inst = await DuckDBInstance.create(path);
    const conn = await inst.connect();
    await conn.run('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)');
    for (const m of MIGRATIONS.filter((x) => x.version <= 20)) {
      await conn.run(m.sql);
      await conn.run('INSERT INTO schema_migrations (version, name) VALUES ($v, $n)', { v: m.version, n: m.name });
    }
    await conn.run(`INSERT INTO org_units VALUES ('root', '公司', NULL, 'company', NULL, NULL)`);
    await conn.run(`INSERT INTO employees (id, name, org_unit_id, role) VALUES ('E2', '乙', 'root', 'sales'), ('E1', '甲', 'root', 'sales')`);
    await conn.run(`INSERT INTO periods VALUES ('2024-01', 'month', DATE '2024-01-01', DATE '2024-01-31', NULL, NULL)`);
    // Lines written straight into the old table may name an employee or period the canonical tables lack.
    const old = [
      ['E2', '2024-01', 'sales', 100, 120, 96.5, 60, 3, 2],
      ['E1', '2024-01', 'sales', null, null, 80, 60, 3, 3],
      ['E9', '2023-12', 'visits', 10, 8, 70, 40, null, null],
    ];
    for (const r of old) await conn.run('INSERT INTO kpi_results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)', r as never);
    conn.closeSync();
    inst.closeSync();

    const wh = await Warehouse.open({ path });
    expect(await wh.schemaVersion()).toBe(LATEST);
    const rows = await wh.query<Record<string, unknown>>('SELECT * FROM kpi_results ORDER BY employee_id');
    expect(rows.map((r) => Object.values(r))).toEqual([old[1], old[0], old[2]]);
    // Keys are dense from 1 in id order; every id of the canonical tables and of the old lines has one.
    expect(await wh.query('SELECT key, id FROM employee_keys ORDER BY key')).toEqual([{ key: 1, id: 'E1' }, { key: 2, id: 'E2' }, { key: 3, id: 'E9' }]);
    expect(await wh.query('SELECT key, id FROM period_keys ORDER BY key')).toEqual([{ key: 1, id: '2023-12' }, { key: 2, id: '2024-01' }]);
    expect(await wh.query('SELECT key, code FROM kpi_codes ORDER BY key')).toEqual([{ key: 1, code: 'sales' }, { key: 2, code: 'visits' }]);
    expect(await wh.query('SELECT count(*)::INTEGER AS n FROM kpi_lines')).toEqual([{ n: 3 }]);
    // E9 has a key but is no employee: an import naming it is still refused, by row.
    const csv = join(dir, 'k.csv');
    writeFileSync(csv, '工号,考核月份,指标,得分\nE1,2024-01,visits,50\nE9,2024-01,visits,60\n');
    const r = await importFile(wh, csv, { table: 'kpi_results', mapping: { employee_id: '工号', period_id: '考核月份', kpi_code: '指标', score: '得分' } });
    expect(r.ok ? [] : r.errors.map((e) => [e.row, e.code, e.value])).toEqual([[3, 'reference', 'E9']]);
    wh.close();
  });

  it('rolls a failed transaction back completely', async () => {
    const wh = await Warehouse.open({ path: join(dir, 'b.duckdb') });
    await wh.run("INSERT INTO periods VALUES ('2024-01', 'month', DATE '2024-01-01', DATE '2024-01-31', NULL, NULL)");
    await expect(
      wh.transaction(async (conn) => {
        await conn.run("INSERT INTO periods VALUES ('2024-02', 'month', DATE '2024-02-01', DATE '2024-02-29', NULL, NULL)");
        throw new Error('interrupted');
      }),
    ).rejects.toThrow('interrupted');
    expect(await wh.query('SELECT id FROM periods ORDER BY id')).toEqual([{ id: '2024-01' }]);
    wh.close();
  });

  it('binds parameters instead of splicing them into SQL', async () => {
    const wh = await Warehouse.open({ path: ':memory:' });
    const hostile = "x'); DROP TABLE periods; --";
    expect(await wh.query('SELECT $v AS v', { v: hostile })).toEqual([{ v: hostile }]);
    expect((await wh.query('SELECT count(*)::INTEGER AS n FROM periods'))[0]).toEqual({ n: 0 });
    wh.close();
  });

  it('keeps a memo until a unit of work that could write, and shares one read between callers', async () => {
    const wh = await Warehouse.open({ path: join(dir, 'm.duckdb') });
    let loads = 0;
    const load = async () => ++loads;
    expect(await Promise.all([wh.memo('k', load), wh.memo('k', load)])).toEqual([1, 1]);
    await wh.query('WITH x AS (SELECT 1) SELECT * FROM x'); // a read
    expect(await wh.memo('k', load)).toBe(1);
    await wh.run('CREATE TABLE t (x INTEGER)');
    expect(await wh.memo('k', load)).toBe(2);
    // A failed read is not kept: the next caller reads again.
    await expect(wh.memo('bad', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await wh.memo('bad', load)).toBe(3);
    wh.close();
  });

  it('serves queries concurrently from the pool', async () => {
    const wh = await Warehouse.open({ path: ':memory:', poolSize: 2 });
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => wh.query<{ i: number }>('SELECT $i::INTEGER AS i', { i })));
    expect(results.map((r) => r[0]!.i)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    wh.close();
  });

  it('reports a lock held by another process clearly', async () => {
    const path = join(dir, 'locked.duckdb');
    const wh = await Warehouse.open({ path });
    const script = `import { Warehouse } from ${JSON.stringify(join(import.meta.dirname, '../src/index.ts'))};
      try { await Warehouse.open({ path: ${JSON.stringify(path)} }); console.log('opened'); }
      catch (e) { console.log(e.name + ': ' + e.message); }`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(out).toContain('DatabaseLockedError');
    expect(out).toContain(`PID ${process.pid}`);
    expect(out).toContain('正被另一个进程占用');
    wh.close();
    expect(DatabaseLockedError.name).toBe('DatabaseLockedError');
  });
});
