import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseLockedError, Warehouse } from '../src/index.ts';
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
