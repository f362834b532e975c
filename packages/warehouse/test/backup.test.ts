import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemo } from '../../demo/src/index.ts';
import { Warehouse } from '../src/index.ts';
import {
  backupTo,
  BackupError,
  checkSnapshot,
  databaseHoldsData,
  isDatabaseInvalidated,
  LATEST_SCHEMA_VERSION,
  publishTo,
  readCurrentSnapshot,
  readManifest,
  restoreFrom,
  tableChecksums,
  type TableChecksum,
} from '../src/backup.ts';

let dir: string;
let wh: Warehouse;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perflens-backup-'));
  wh = await Warehouse.open({ path: join(dir, 'source.duckdb') });
  await loadDemo(wh, { employees: 60 });
}, 120_000);
afterAll(() => {
  wh?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function checksumsOf(w: Warehouse): Promise<Record<string, TableChecksum>> {
  return w.withConnection(async (conn) => {
    const db = (await conn.runAndReadAll('SELECT current_database() AS db')).getRowObjectsJson()[0]!.db as string;
    return tableChecksums(conn, db);
  });
}

const code = async (p: Promise<unknown>) => {
  try {
    await p;
    return 'resolved';
  } catch (err) {
    return err instanceof BackupError ? err.code : `not a BackupError: ${String(err)}`;
  }
};

describe('backup and restore', () => {
  it('backs up one snapshot while a writer commits, and restores it with every table checksum equal', async () => {
    const base = await checksumsOf(wh);
    // The writer adds a policy and an org unit in one transaction, again and again: a consistent
    // copy holds as many of the one as of the other.
    let stop = false;
    let commits = 0;
    const writer = (async () => {
      for (let k = 0; !stop; k++) {
        await wh.transaction(async (conn) => {
          await conn.run(`INSERT INTO policies (id, name, effective_from) VALUES ('BK-${k}', 'backup test', DATE '2024-07-01')`);
          await conn.run(`INSERT INTO org_units (id, name, parent_id, kind) VALUES ('BKU-${k}', '备份测试 ${k}', NULL, 'department')`);
        });
        commits++;
      }
    })();
    while (commits < 3) await new Promise((r) => setTimeout(r, 5));
    const before = commits;
    const manifest = await backupTo(wh, join(dir, 'b1'), { perflensVersion: 'test' });
    const during = commits - before;
    stop = true;
    await writer;
    expect(during).toBeGreaterThan(0);

    const added = manifest.tables.policies!.rows - base.policies!.rows;
    expect(added).toBeGreaterThan(0);
    expect(manifest.tables.org_units!.rows - base.org_units!.rows).toBe(added);
    expect(manifest.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    expect(manifest.tables.assessments!.rows).toBeGreaterThan(0);
    const { dir: _written, ...onDisk } = manifest;
    expect(readManifest(join(dir, 'b1', 'manifest.json'))).toEqual(onDisk);

    const target = join(dir, 'restored.duckdb');
    const result = await restoreFrom(join(dir, 'b1'), target);
    expect(result.tables).toBe(Object.keys(manifest.tables).length);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
    const restored = await Warehouse.open({ path: target });
    try {
      expect(await checksumsOf(restored)).toEqual(manifest.tables);
      // The source as it was at the snapshot: the rows written after it removed again.
      await wh.run(`DELETE FROM policies WHERE id LIKE 'BK-%' AND TRY_CAST(substr(id, 4) AS INTEGER) >= ${added}`);
      await wh.run(`DELETE FROM org_units WHERE id LIKE 'BKU-%' AND TRY_CAST(substr(id, 5) AS INTEGER) >= ${added}`);
      expect(await checksumsOf(wh)).toEqual(manifest.tables);
      // Sequences continue where the snapshot left them: a new batch id is not one already used.
      const [s] = await restored.query<{ next: number; max: number }>(
        `SELECT nextval('import_batch_seq')::INTEGER AS next, (SELECT coalesce(max(id), 0) FROM import_batches)::INTEGER AS max`,
      );
      expect(s!.next).toBeGreaterThan(s!.max);
    } finally {
      restored.close();
    }
  }, 120_000);

  it('refuses a folder that holds a backup, a target with data (unless forced), and a damaged backup; nothing is half-restored', async () => {
    const b = join(dir, 'b2');
    const manifest = await backupTo(wh, b, { perflensVersion: 'test' });
    expect(await code(backupTo(wh, b, { perflensVersion: 'test' }))).toBe('exists');

    // A target holding data is kept unless --force.
    const target = join(dir, 'holds.duckdb');
    const other = await Warehouse.open({ path: target });
    await other.run(`INSERT INTO policies (id, name, effective_from) VALUES ('KEEP', 'kept', DATE '2024-01-01')`);
    other.close();
    expect(await databaseHoldsData(target)).toBe(true);
    expect(await code(restoreFrom(b, target))).toBe('not-empty');
    const kept = await Warehouse.open({ path: target });
    expect((await kept.query(`SELECT id FROM policies`)).map((r) => r.id)).toEqual(['KEEP']);
    kept.close();

    // A freshly created (migrated, empty) database is no obstacle.
    const empty = join(dir, 'empty.duckdb');
    (await Warehouse.open({ path: empty })).close();
    expect(await databaseHoldsData(empty)).toBe(false);
    expect(await code(restoreFrom(b, empty))).toBe('resolved');

    // A manifest whose checksum was altered: refused after the copy was checked, target untouched.
    const tampered = join(dir, 'b3');
    await backupTo(wh, tampered, { perflensVersion: 'test' });
    const m = JSON.parse(readFileSync(join(tampered, 'manifest.json'), 'utf8'));
    m.tables.employees.checksum = '12345';
    writeFileSync(join(tampered, 'manifest.json'), JSON.stringify(m));
    expect(await code(restoreFrom(tampered, target, { force: true }))).toBe('checksum');
    const still = await Warehouse.open({ path: target });
    expect((await still.query(`SELECT id FROM policies`)).map((r) => r.id)).toEqual(['KEEP']);
    still.close();

    // A damaged database file: refused by its SHA-256, and no new file appears.
    const damaged = join(dir, 'b4');
    await backupTo(wh, damaged, { perflensVersion: 'test' });
    const bytes = readFileSync(join(damaged, 'perflens.duckdb'));
    bytes[bytes.length - 100]! ^= 0xff;
    writeFileSync(join(damaged, 'perflens.duckdb'), bytes);
    expect(await code(restoreFrom(damaged, join(dir, 'never.duckdb')))).toBe('corrupt');
    expect(existsSync(join(dir, 'never.duckdb'))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);

    // Forced: the data is replaced by the backup's.
    await restoreFrom(b, target, { force: true });
    const replaced = await Warehouse.open({ path: target });
    try {
      expect(await checksumsOf(replaced)).toEqual(manifest.tables);
    } finally {
      replaced.close();
    }
    expect(await code(restoreFrom(join(dir, 'nothing-here'), join(dir, 'x.duckdb')))).toBe('missing');
  }, 120_000);
});

describe('published snapshots', () => {
  it('publishes a snapshot a read-only warehouse opens; a second publish moves current.json; old ones are pruned', async () => {
    const pub = join(dir, 'pub');
    const first = await publishTo(wh, pub, { perflensVersion: 'test', keep: 2 });
    const current = readCurrentSnapshot(pub)!;
    expect(current.id).toBe(first.id);
    const ro = await Warehouse.open({ path: current.file, readOnly: true });
    try {
      await checkSnapshot(ro, readManifest(current.manifestPath));
      expect(await ro.schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
      await expect(ro.run(`INSERT INTO policies (id, name, effective_from) VALUES ('RO', 'x', DATE '2024-01-01')`)).rejects.toThrow(/read-only/);
    } finally {
      ro.close();
    }
    await wh.run(`INSERT INTO policies (id, name, effective_from) VALUES ('PUB-2', 'second', DATE '2024-01-01')`);
    const second = await publishTo(wh, pub, { perflensVersion: 'test', keep: 2 });
    expect(readCurrentSnapshot(pub)!.id).toBe(second.id);
    expect(second.manifest.tables.policies!.rows).toBe(first.manifest.tables.policies!.rows + 1);
    const third = await publishTo(wh, pub, { perflensVersion: 'test', keep: 2 });
    expect(third.removed).toEqual([first.id]);
    expect(readdirSync(join(pub, 'snapshots')).sort()).toEqual([`${second.id}.duckdb`, `${second.id}.json`, `${third.id}.duckdb`, `${third.id}.json`].sort());
  }, 120_000);

  it('refuses a snapshot whose schema is older than this code', async () => {
    const pub = join(dir, 'pub-old');
    await publishTo(wh, pub, { perflensVersion: 'test' });
    const current = readCurrentSnapshot(pub)!;
    const rw = await Warehouse.open({ path: current.file });
    await rw.run(`DELETE FROM schema_migrations WHERE version = ${LATEST_SCHEMA_VERSION}`);
    rw.close();
    const ro = await Warehouse.open({ path: current.file, readOnly: true });
    try {
      const err = await checkSnapshot(ro, readManifest(current.manifestPath)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BackupError);
      expect((err as BackupError).code).toBe('schema');
      expect((err as Error).message).toContain(`this PerfLens needs ${LATEST_SCHEMA_VERSION}`);
    } finally {
      ro.close();
    }
  }, 60_000);
});

describe('an invalidated database', () => {
  it('is recognised from DuckDB’s own messages, and reopening the file recovers every committed row', async () => {
    const path = join(dir, 'fatal.duckdb');
    const w = await Warehouse.open({ path });
    await w.run(`INSERT INTO policies (id, name, effective_from) VALUES ('F1', 'before', DATE '2024-01-01')`);
    await w.checkpoint();
    await w.run(`INSERT INTO policies (id, name, effective_from) VALUES ('F2', 'in the WAL', DATE '2024-01-01')`);
    // DuckDB's own test switch: the checkpoint fails as a disk error would, and invalidates the instance.
    await w.run(`SET debug_checkpoint_abort = 'before_header'`);
    const first = await w.checkpoint().catch((e: unknown) => e);
    expect(String(first)).toMatch(/^Error: FATAL Error/);
    expect(isDatabaseInvalidated(first)).toBe(true);
    const later = await w.query('SELECT 1').catch((e: unknown) => e);
    expect(String(later)).toContain('database has been invalidated');
    expect(isDatabaseInvalidated(later)).toBe(true);
    expect(isDatabaseInvalidated(new Error('Constraint Error: Duplicate key'))).toBe(false);
    w.close();
    const again = await Warehouse.open({ path });
    try {
      expect((await again.query(`SELECT id FROM policies ORDER BY id`)).map((r) => r.id)).toEqual(['F1', 'F2']);
    } finally {
      again.close();
    }
  }, 60_000);
});
