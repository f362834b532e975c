import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  copyFileSync,
  createReadStream,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { z } from 'zod';
import type { Warehouse } from './db.ts';
import { MIGRATIONS } from './migrations/index.ts';

/**
 * Backups, restores and published snapshots.
 *
 * A copy is made with `ATTACH 'copy.duckdb'` and `COPY FROM DATABASE main TO copy` inside one
 * explicit transaction, rather than with `EXPORT DATABASE … (FORMAT parquet)`:
 * - Consistency: DuckDB runs every statement of a transaction against one MVCC snapshot, so the
 *   copy shows the database as of one commit however many imports commit meanwhile (and writers are
 *   never blocked: the transaction only writes to the copy). The per-table checksums are read in
 *   the same transaction, so they describe exactly what was copied, and the copy is then re-read
 *   from the file and checked against them.
 * - Fidelity: the copy is a DuckDB database with the same catalog (named ENUM types stay named —
 *   EXPORT DATABASE writes columns of `role_t` as anonymous ENUMs — and sequences continue from
 *   where they were), so a restore is a verified file copy and a rename, and a published snapshot
 *   is a file a read-only server opens as it is.
 * The cost is that a backup is tied to DuckDB's storage format; DuckDB reads files written by
 * older versions, and the manifest records the version that wrote it.
 */

/** The newest schema version this code knows (the last migration). */
export const LATEST_SCHEMA_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));

/**
 * Canonical tables a company's own data lands in (KPI lines live in `kpi_lines`; `kpi_results` is
 * a view over it). Derived tables and seeded reference rows (built-in roles, schemes) are not data.
 */
export const DATA_TABLES = [
  'org_units',
  'employees',
  'periods',
  'assessments',
  'kpi_lines',
  'rater_scores',
  'metrics',
  'policies',
  'import_batches',
  'scenarios',
  'calibrations',
] as const;

/** How the checksums are computed; a manifest naming another method cannot be verified here. */
export const CHECKSUM_METHOD = 'count+sum(hash(row))';

/**
 * DuckDB's answer once a fatal error (a failed checkpoint or WAL write, an internal assertion)
 * has invalidated the database instance: every later statement fails with
 * "FATAL Error: Failed: database has been invalidated because of a previous fatal error. The
 * database must be restarted prior to being used again." The instance must be closed and the file
 * opened again (committed work is in the file or its WAL).
 */
export function isDatabaseInvalidated(err: unknown): boolean {
  const message = err instanceof Error ? err.message : String(err);
  return /database has been invalidated|^\s*FATAL Error|^\s*INTERNAL Error/i.test(message);
}

/** A refusal or failure with a message for people (Chinese and English, no SQL); `code` says which. */
export class BackupError extends Error {
  constructor(
    readonly code: 'exists' | 'missing' | 'not-empty' | 'locked' | 'corrupt' | 'checksum' | 'schema' | 'invalid',
    message: string,
    cause?: unknown,
  ) {
    super(message, { cause });
    this.name = 'BackupError';
  }
}

export interface TableChecksum {
  rows: number;
  /** Sum over the rows of DuckDB's hash of the whole row: independent of row order. */
  checksum: string;
}

const tableChecksumSchema = z.object({ rows: z.number().int().min(0), checksum: z.string().regex(/^\d+$/) });

export const manifestSchema = z.object({
  kind: z.enum(['perflens-backup', 'perflens-snapshot']),
  formatVersion: z.literal(1),
  createdAt: z.string(),
  perflensVersion: z.string(),
  duckdbVersion: z.string(),
  schemaVersion: z.number().int().min(0),
  /** The database file, relative to the manifest's folder. */
  file: z.string().min(1),
  bytes: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  checksumMethod: z.literal(CHECKSUM_METHOD),
  tables: z.record(z.string(), tableChecksumSchema),
});
export type BackupManifest = z.infer<typeof manifestSchema>;

const BACKUP_FILE = 'perflens.duckdb';
const MANIFEST_FILE = 'manifest.json';

const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;
const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;
const tag = () => randomBytes(6).toString('hex');

async function rows<T>(conn: DuckDBConnection, sql: string): Promise<T[]> {
  return (await conn.runAndReadAll(sql)).getRowObjectsJson() as unknown as T[];
}

/** Row count and order-independent checksum of every table of `db` (its main schema). */
export async function tableChecksums(conn: DuckDBConnection, db: string): Promise<Record<string, TableChecksum>> {
  const tables = await rows<{ name: string }>(
    conn,
    `SELECT table_name AS name FROM duckdb_tables() WHERE database_name = ${literal(db)} AND schema_name = 'main' AND NOT temporary ORDER BY table_name`,
  );
  const out: Record<string, TableChecksum> = {};
  for (const { name } of tables) {
    // The alias is the whole row as a STRUCT; one no PerfLens table has as a column name.
    const [r] = await rows<{ n: string; s: string }>(
      conn,
      `SELECT count(*)::VARCHAR AS n, coalesce(sum(hash(perflens_row__)), 0)::VARCHAR AS s FROM ${ident(db)}.main.${ident(name)} AS perflens_row__`,
    );
    out[name] = { rows: Number(r!.n), checksum: r!.s };
  }
  return out;
}

async function schemaVersionOf(conn: DuckDBConnection, db: string): Promise<number> {
  const [has] = await rows<{ n: number }>(
    conn,
    `SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE database_name = ${literal(db)} AND schema_name = 'main' AND table_name = 'schema_migrations'`,
  );
  if (!has?.n) return 0;
  const [r] = await rows<{ v: number | null }>(conn, `SELECT max(version)::INTEGER AS v FROM ${ident(db)}.main.schema_migrations`);
  return r?.v ?? 0;
}

/** Tables whose checksums differ between what was expected and what a file holds, for the message. */
function differences(expected: Record<string, TableChecksum>, actual: Record<string, TableChecksum>): string[] {
  const names = new Set([...Object.keys(expected), ...Object.keys(actual)]);
  const out: string[] = [];
  for (const n of [...names].sort()) {
    const a = expected[n];
    const b = actual[n];
    if (!a || !b || a.rows !== b.rows || a.checksum !== b.checksum) out.push(`${n} (${a ? a.rows : '-'} → ${b ? b.rows : '-'} rows)`);
  }
  return out;
}

/**
 * Opens `file` on its own in-memory DuckDB instance (so it never shares a catalog with a
 * server's warehouse), runs `fn` with the file attached as `db`, and detaches it. A read-write
 * attach checkpoints a leftover WAL into the file when it is detached.
 */
async function withAttached<T>(file: string, readOnly: boolean, fn: (conn: DuckDBConnection, db: string) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '2', autoinstall_known_extensions: 'false' });
  const conn = await instance.connect();
  const db = `perflens_file_${tag()}`;
  try {
    try {
      await conn.run(`ATTACH ${literal(file)} AS ${db}${readOnly ? ' (READ_ONLY)' : ''}`);
    } catch (err) {
      const message = String((err as Error).message ?? err);
      if (/lock/i.test(message))
        throw new BackupError(
          'locked',
          `The database file ${file} is in use by another process: stop it first. / 数据库文件 ${file} 正被另一个进程使用，请先停止该进程。`,
          err,
        );
      throw new BackupError('corrupt', `${file} cannot be opened as a DuckDB database. / 无法以 DuckDB 数据库打开 ${file}。`, err);
    }
    try {
      return await fn(conn, db);
    } finally {
      await conn.run(`DETACH ${db}`).catch(() => undefined);
    }
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/**
 * DuckDB 1.5.6 fails to replay some WAL records when it opens a file as its main database (an
 * `ALTER TABLE … ADD COLUMN` on a table with a function default, as migration DDL is: "Failure while
 * replaying WAL file …: Calling DatabaseManager::GetDefaultDatabase with no default database set"),
 * so a process that stopped before its next checkpoint leaves a file that will not open. Attached
 * to another instance the same WAL replays, and detaching checkpoints it into the file.
 */
export const WAL_REPLAY_FAILURE = /Failure while replaying WAL file/;

export async function replayWalAttached(file: string): Promise<void> {
  await withAttached(file, false, async () => undefined);
}

/** Checksums and schema version of a DuckDB file, read without changing it. */
export async function fileChecksums(file: string): Promise<{ schemaVersion: number; tables: Record<string, TableChecksum>; duckdbVersion: string }> {
  return withAttached(file, true, async (conn, db) => ({
    schemaVersion: await schemaVersionOf(conn, db),
    tables: await tableChecksums(conn, db),
    duckdbVersion: (await rows<{ v: string }>(conn, 'SELECT version() AS v'))[0]?.v ?? 'unknown',
  }));
}

/**
 * Copies the warehouse's database into the new file `file` as of one snapshot and checks the
 * copy: returns the checksums read from the source in the copying transaction, after re-reading
 * the written file and finding the same.
 */
export async function copyDatabase(wh: Warehouse, file: string): Promise<{ schemaVersion: number; tables: Record<string, TableChecksum> }> {
  const copied = await wh.withConnection(async (conn) => {
    const [{ db: source } = { db: '' }] = await rows<{ db: string }>(conn, 'SELECT current_database() AS db');
    const target = `perflens_copy_${tag()}`;
    await conn.run(`ATTACH ${literal(file)} AS ${target}`);
    try {
      await conn.run('BEGIN TRANSACTION');
      try {
        await conn.run(`COPY FROM DATABASE ${ident(source)} TO ${target}`);
        // Same transaction, same snapshot: the checksums of exactly what was copied.
        const tables = await tableChecksums(conn, source);
        const schemaVersion = await schemaVersionOf(conn, source);
        await conn.run('COMMIT');
        return { tables, schemaVersion };
      } catch (err) {
        await conn.run('ROLLBACK').catch(() => undefined);
        throw err;
      }
    } finally {
      // Detaching flushes the copy into its file (and removes its WAL).
      await conn.run(`DETACH ${target}`).catch(() => undefined);
    }
  });
  const written = await fileChecksums(file);
  const diff = differences(copied.tables, written.tables);
  if (diff.length > 0)
    throw new BackupError('checksum', `The copy does not match the database: ${diff.join(', ')}. / 副本与数据库不一致：${diff.join('、')}。`);
  return copied;
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Flushes a file (or a folder's entries, after a rename) to disk. */
function fsyncPath(path: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on a folder; the rename itself is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Writes a file whole or not at all: a reader sees the old content or the new, never half. */
export function writeFileAtomic(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.${tag()}.tmp`;
  writeFileSync(tmp, text);
  fsyncPath(tmp);
  renameSync(tmp, path);
  fsyncPath(dirname(path));
}

function removeDatabaseFile(file: string): void {
  rmSync(file, { force: true });
  rmSync(`${file}.wal`, { force: true });
}

async function duckdbVersion(wh: Warehouse): Promise<string> {
  const [r] = await wh.query<{ v: string }>('SELECT version() AS v');
  return r?.v ?? 'unknown';
}

async function manifestFor(
  wh: Warehouse,
  kind: BackupManifest['kind'],
  file: string,
  fileName: string,
  copy: { schemaVersion: number; tables: Record<string, TableChecksum> },
  perflensVersion: string,
): Promise<BackupManifest> {
  return {
    kind,
    formatVersion: 1,
    createdAt: new Date().toISOString(),
    perflensVersion,
    duckdbVersion: await duckdbVersion(wh),
    schemaVersion: copy.schemaVersion,
    file: fileName,
    bytes: statSync(file).size,
    sha256: await sha256File(file),
    checksumMethod: CHECKSUM_METHOD,
    tables: copy.tables,
  };
}

/**
 * `perflens backup DIR`: a consistent, verified copy of the database in DIR (`perflens.duckdb`)
 * with `manifest.json`. The manifest is written last, so a folder with one holds a whole backup.
 * DIR must be new or hold no backup yet.
 */
export async function backupTo(wh: Warehouse, dirArg: string, opts: { perflensVersion: string }): Promise<BackupManifest & { dir: string }> {
  const dir = resolve(dirArg);
  if (existsSync(dir) && !statSync(dir).isDirectory())
    throw new BackupError('invalid', `${dir} is a file, not a folder. / ${dir} 是文件，不是文件夹。`);
  if (existsSync(join(dir, MANIFEST_FILE)) || existsSync(join(dir, BACKUP_FILE)))
    throw new BackupError('exists', `${dir} already holds a backup: choose a new folder. / ${dir} 中已有备份，请换一个新文件夹。`);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${BACKUP_FILE}.${process.pid}.${tag()}.tmp`);
  try {
    const copy = await copyDatabase(wh, tmp);
    const final = join(dir, BACKUP_FILE);
    renameSync(tmp, final);
    fsyncPath(dir);
    const manifest = await manifestFor(wh, 'perflens-backup', final, BACKUP_FILE, copy, opts.perflensVersion);
    writeFileAtomic(join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
    return { ...manifest, dir };
  } catch (err) {
    removeDatabaseFile(tmp);
    throw err;
  }
}

export function readManifest(path: string): BackupManifest {
  if (!existsSync(path)) throw new BackupError('missing', `No manifest at ${path}: not a PerfLens backup. / ${path} 不存在：这不是 PerfLens 备份。`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new BackupError('invalid', `${path} is not valid JSON. / ${path} 不是有效的 JSON。`, err);
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success)
    throw new BackupError('invalid', `${path} is not a PerfLens manifest this version can read. / ${path} 不是本版本可读取的 PerfLens 清单。`, parsed.error);
  return parsed.data;
}

/** The manifest's database file, which must sit inside the manifest's folder. */
function manifestFile(manifestPath: string, manifest: BackupManifest): string {
  const folder = dirname(resolve(manifestPath));
  const file = resolve(folder, manifest.file);
  if (!file.startsWith(folder + sep)) throw new BackupError('invalid', `${manifestPath} names a file outside its folder. / ${manifestPath} 指向其文件夹之外的文件。`);
  return file;
}

/** Checks a database file against its manifest: size and SHA-256 of the bytes, then every table's checksum. */
export async function verifyAgainstManifest(file: string, manifest: BackupManifest): Promise<void> {
  if (manifest.schemaVersion > LATEST_SCHEMA_VERSION)
    throw new BackupError(
      'schema',
      `The backup has schema version ${manifest.schemaVersion}, newer than this PerfLens knows (${LATEST_SCHEMA_VERSION}): restore it with the version that made it (${manifest.perflensVersion}). / ` +
        `备份的数据结构版本 ${manifest.schemaVersion} 高于本程序支持的 ${LATEST_SCHEMA_VERSION}：请使用生成它的版本（${manifest.perflensVersion}）恢复。`,
    );
  if (!existsSync(file)) throw new BackupError('missing', `${file} is missing. / 缺少文件 ${file}。`);
  if (statSync(file).size !== manifest.bytes || (await sha256File(file)) !== manifest.sha256)
    throw new BackupError('corrupt', `${file} is not the file its manifest describes (size or SHA-256 differ). / ${file} 与清单不符（大小或 SHA-256 不同）。`);
  const actual = await fileChecksums(file);
  const diff = differences(manifest.tables, actual.tables);
  if (diff.length > 0 || actual.schemaVersion !== manifest.schemaVersion) {
    // The bytes are the ones written, so a difference here comes from DuckDB's hash() itself.
    const other =
      actual.duckdbVersion !== manifest.duckdbVersion
        ? ` The backup was checksummed by DuckDB ${manifest.duckdbVersion}, this is ${actual.duckdbVersion}: restore with the PerfLens version that made it (${manifest.perflensVersion}). / 备份由 DuckDB ${manifest.duckdbVersion} 计算校验和，当前为 ${actual.duckdbVersion}：请用生成它的 PerfLens 版本（${manifest.perflensVersion}）恢复。`
        : '';
    throw new BackupError(
      'checksum',
      `The backup's tables do not match its manifest: ${diff.join(', ') || 'schema version'}. Nothing was restored. / 备份中的数据表与清单不符：${diff.join('、') || '数据结构版本'}。未恢复任何数据。${other}`,
    );
  }
}

/**
 * Whether a database file holds a company's data (rows in any data table; for a file that is not
 * a PerfLens database, rows in any table). Opened read-write on its own instance, so a leftover
 * WAL is checkpointed into the file and cannot be replayed over a restored one.
 */
export async function databaseHoldsData(file: string): Promise<boolean> {
  return withAttached(file, false, async (conn, db) => {
    const tables = new Set(
      (await rows<{ name: string }>(conn, `SELECT table_name AS name FROM duckdb_tables() WHERE database_name = ${literal(db)} AND schema_name = 'main'`)).map(
        (t) => t.name,
      ),
    );
    const check = tables.has('schema_migrations') ? DATA_TABLES.filter((t) => tables.has(t)) : [...tables];
    if (check.length === 0) return false;
    const [r] = await rows<{ any: boolean }>(conn, `SELECT ${check.map((t) => `EXISTS (SELECT 1 FROM ${db}.main.${ident(t)})`).join(' OR ')} AS any`);
    return r?.any === true;
  });
}

export interface RestoreResult {
  target: string;
  schemaVersion: number;
  tables: number;
  rows: number;
  createdAt: string;
}

/**
 * `perflens restore DIR`: verifies the backup in DIR, copies it next to `target`, verifies the
 * copy again (it is what will be used) and renames it over `target`, so the target is either
 * untouched or the whole verified backup. Refuses a target that holds data unless `force`. The
 * caller makes sure no server runs on `target`; a process holding the file is refused here too.
 */
export async function restoreFrom(dirArg: string, targetArg: string, opts: { force?: boolean } = {}): Promise<RestoreResult> {
  const dir = resolve(dirArg);
  const target = resolve(targetArg);
  const manifestPath = join(dir, MANIFEST_FILE);
  const manifest = readManifest(manifestPath);
  const source = manifestFile(manifestPath, manifest);
  if (!existsSync(source)) throw new BackupError('missing', `${source} is missing. / 缺少文件 ${source}。`);
  if (existsSync(target)) {
    let holds: boolean;
    try {
      holds = await databaseHoldsData(target);
    } catch (err) {
      // A damaged target is exactly what a restore is for, when asked to overwrite it.
      if (!(err instanceof BackupError && err.code === 'corrupt' && opts.force)) throw err;
      holds = true;
    }
    if (holds && !opts.force)
      throw new BackupError(
        'not-empty',
        `${target} already holds data: restore into a new file (set PERFLENS_DB), or pass --force to replace it. / ${target} 中已有数据：请恢复到新文件（设置 PERFLENS_DB），或加 --force 覆盖。`,
      );
  }
  mkdirSync(dirname(target), { recursive: true });
  const tmp = join(dirname(target), `.${basename(target)}.restore-${process.pid}-${tag()}.tmp`);
  try {
    copyFileSync(source, tmp);
    fsyncPath(tmp);
    // The copy is what will be used, so the copy is what is verified (bytes, then every table).
    await verifyAgainstManifest(tmp, manifest);
    // The target's WAL belongs to the file being replaced: replayed over the restored one it would corrupt it.
    rmSync(`${target}.wal`, { force: true });
    renameSync(tmp, target);
    fsyncPath(dirname(target));
  } catch (err) {
    removeDatabaseFile(tmp);
    throw err;
  }
  const tables = Object.values(manifest.tables);
  return { target, schemaVersion: manifest.schemaVersion, tables: tables.length, rows: tables.reduce((a, t) => a + t.rows, 0), createdAt: manifest.createdAt };
}

// ---------------------------------------------------------------------------------------------
// Published snapshots (`perflens publish DIR`, served by `perflens serve --read-only`)

const currentSchema = z.object({
  /** Snapshot id: the file name without `.duckdb`. */
  id: z.string().regex(/^[0-9A-Za-z-]+$/),
  snapshot: z.string(),
  manifest: z.string(),
  publishedAt: z.string(),
  schemaVersion: z.number().int(),
});
export type CurrentSnapshot = z.infer<typeof currentSchema>;

export const CURRENT_FILE = 'current.json';

/** What DIR/current.json points at, resolved; null while nothing has been published. */
export function readCurrentSnapshot(dirArg: string): (CurrentSnapshot & { file: string; manifestPath: string }) | null {
  const dir = resolve(dirArg);
  const path = join(dir, CURRENT_FILE);
  if (!existsSync(path)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new BackupError('invalid', `${path} is not valid JSON. / ${path} 不是有效的 JSON。`, err);
  }
  const parsed = currentSchema.safeParse(raw);
  if (!parsed.success) throw new BackupError('invalid', `${path} is not a PerfLens current.json. / ${path} 不是 PerfLens 的 current.json。`, parsed.error);
  const file = resolve(dir, parsed.data.snapshot);
  const manifestPath = resolve(dir, parsed.data.manifest);
  if (!file.startsWith(dir + sep) || !manifestPath.startsWith(dir + sep))
    throw new BackupError('invalid', `${path} names a file outside ${dir}. / ${path} 指向 ${dir} 之外的文件。`);
  return { ...parsed.data, file, manifestPath };
}

/**
 * Checks an opened snapshot before it is served: its schema must be the one this code reads (a
 * read-only server runs no migrations), and its tables must hold the rows its manifest lists.
 */
export async function checkSnapshot(wh: Warehouse, manifest: BackupManifest): Promise<void> {
  const version = await wh.schemaVersion();
  if (version !== LATEST_SCHEMA_VERSION)
    throw new BackupError(
      'schema',
      version < LATEST_SCHEMA_VERSION
        ? `The snapshot has schema version ${version}; this PerfLens needs ${LATEST_SCHEMA_VERSION}. Publish again from a writer running this version. / 快照的数据结构版本为 ${version}，本程序需要 ${LATEST_SCHEMA_VERSION}：请用运行本版本的写入服务器重新发布。`
        : `The snapshot has schema version ${version}, newer than this PerfLens knows (${LATEST_SCHEMA_VERSION}): upgrade this server. / 快照的数据结构版本 ${version} 高于本程序支持的 ${LATEST_SCHEMA_VERSION}：请升级本服务器。`,
    );
  const counts = await wh.query<{ name: string }>(`SELECT table_name AS name FROM duckdb_tables() WHERE schema_name = 'main' AND database_name = current_database()`);
  const names = new Set(counts.map((c) => c.name));
  const wrong: string[] = [];
  for (const [name, t] of Object.entries(manifest.tables)) {
    if (!names.has(name)) {
      wrong.push(name);
      continue;
    }
    const [r] = await wh.query<{ n: string }>(`SELECT count(*)::VARCHAR AS n FROM main.${ident(name)}`);
    if (Number(r?.n) !== t.rows) wrong.push(name);
  }
  if (wrong.length > 0)
    throw new BackupError('checksum', `The snapshot does not match its manifest: ${wrong.join(', ')}. / 快照与清单不符：${wrong.join('、')}。`);
}

export interface PublishResult {
  id: string;
  dir: string;
  file: string;
  manifest: BackupManifest;
  removed: string[];
}

/**
 * `perflens publish DIR`: a consistent copy of the database as DIR/snapshots/<id>.duckdb with its
 * manifest, made ready by `prepare` (derived tables and caches a read-only server cannot build),
 * checksummed, and then pointed at by DIR/current.json, replaced by rename so a watching server
 * reads the old pointer or the new one, never half of one. Keeps the newest `keep` snapshots.
 */
export async function publishTo(
  wh: Warehouse,
  dirArg: string,
  opts: { perflensVersion: string; keep?: number; prepare?: (file: string) => Promise<void> },
): Promise<PublishResult> {
  const dir = resolve(dirArg);
  const snapshots = join(dir, 'snapshots');
  mkdirSync(snapshots, { recursive: true });
  // Sortable by time; the random tail keeps two publishes in one millisecond apart.
  const id = `${new Date().toISOString().replace(/[-:.]/g, '')}-${randomBytes(3).toString('hex')}`;
  const tmp = join(snapshots, `.${id}.duckdb.tmp`);
  const file = join(snapshots, `${id}.duckdb`);
  let ready: Awaited<ReturnType<typeof fileChecksums>>;
  try {
    await copyDatabase(wh, tmp);
    if (opts.prepare) await opts.prepare(tmp);
    // Checksummed after `prepare`: the manifest describes the file as served.
    ready = await fileChecksums(tmp);
    renameSync(tmp, file);
  } catch (err) {
    removeDatabaseFile(tmp);
    throw err;
  }
  const manifest = await manifestFor(wh, 'perflens-snapshot', file, `${id}.duckdb`, ready, opts.perflensVersion);
  const manifestPath = join(snapshots, `${id}.json`);
  writeFileAtomic(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
  const current: CurrentSnapshot = {
    id,
    snapshot: relative(dir, file),
    manifest: relative(dir, manifestPath),
    publishedAt: manifest.createdAt,
    schemaVersion: manifest.schemaVersion,
  };
  writeFileAtomic(join(dir, CURRENT_FILE), JSON.stringify(current, null, 2) + '\n');
  return { id, dir, file, manifest, removed: pruneSnapshots(dir, id, opts.keep ?? 3) };
}

/**
 * Removes all but the newest `keep` snapshots (never the current one). A read-only server still
 * finishing requests on a removed file keeps reading it: the file lives on until it is closed.
 */
function pruneSnapshots(dir: string, currentId: string, keep: number): string[] {
  const snapshots = join(dir, 'snapshots');
  const ids = readdirSync(snapshots)
    .filter((f) => /^[0-9A-Za-z-]+\.duckdb$/.test(f))
    .map((f) => f.slice(0, -'.duckdb'.length))
    .sort()
    .reverse();
  const removed: string[] = [];
  for (const old of ids.slice(Math.max(1, keep))) {
    if (old === currentId) continue;
    removeDatabaseFile(join(snapshots, `${old}.duckdb`));
    rmSync(join(snapshots, `${old}.json`), { force: true });
    removed.push(old);
  }
  return removed;
}
