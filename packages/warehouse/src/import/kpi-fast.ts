import type { DuckDBConnection } from '@duckdb/node-api';
import { fieldsOf, normaliseValue } from '@perflens/core';
import type { Warehouse } from '../db.ts';
import { registerKpiCodesOn, syncKeysOn } from '../kpi-lines.ts';
import { all, mappingErrors, nextBatchId, readHead, recordBatch, run, type FileHead } from './common.ts';
import type { ImportOptions, ImportSuccess } from './engine.ts';
import { blankRowsBelowHeader, sqlIdent, sqlString, type FileScan, type PreparedSource } from './read.ts';

/**
 * KPI lines are the bulk import (millions of rows a year), so a clean file takes a shorter road:
 * one streaming INSERT from the file into kpi_lines, looking keys up on the way. Types, required
 * fields and references are guards inside the statement that abort it; ranges and duplicate keys
 * are checked set-based on the inserted batch. A file that fails any of them is rolled back and
 * handed to the general path, which stages it, validates and lists every error by row and
 * column. The two paths accept exactly the same files; this one only skips the staging.
 *
 * What stays on the general path by design: values that need trimming or re-spelling (' E001',
 * an empty quoted number, a period spelt in a way the file's first rows do not show), and a
 * 'reject' import that repeats stored keys (the general path lists them).
 */

/** Rows read up front to learn a text file's period spellings and KPI codes. */
const SAMPLE_ROWS = 20_000;
/** Largest key space (bits) checked for duplicates with a bitmap; beyond it an exact distinct count. */
const BITMAP_MAX = 1 << 28;
const GUARD = 'perflens-fast-import:';

/** The file is left to the general path; `learn`: read the whole file's codes and spellings, then retry once. */
class Declined extends Error {
  constructor(readonly learn = false) {
    super('declined');
  }
}

/** A throw from the caller's afterWrite hook: it aborts the import instead of falling back. */
class Interrupted extends Error {
  constructor(readonly reason: unknown) {
    super('interrupted');
  }
}

let seq = 0;

/**
 * The import's result, or null with the file as read (converted from XLSX or GBK once) for the
 * general path to take over.
 */
export async function importKpiLinesFast(
  wh: Warehouse,
  path: string,
  options: ImportOptions,
  fileScan: Promise<FileScan>,
): Promise<{ result: ImportSuccess | null; prepared?: PreparedSource }> {
  const read: { prepared?: PreparedSource } = {};
  for (const learnAll of [false, true]) {
    try {
      // Anything but success throws, and the transaction is rolled back: nothing is left behind.
      return { result: await wh.transaction((conn) => attempt(conn, path, options, fileScan, learnAll, read)), prepared: read.prepared };
    } catch (err) {
      if (err instanceof Interrupted) throw err.reason;
      if (process.env.PERFLENS_IMPORT_TRACE) process.stderr.write(`direct route declined: ${String(err).slice(0, 300)}\n`);
      const message = String(err);
      const learn = err instanceof Declined ? err.learn : message.includes(`${GUARD}code`) || message.includes(`${GUARD}period`);
      // Anything else (a malformed line, say): the general path reads the file leniently and says where.
      if (!learn || learnAll) break;
    }
  }
  return { result: null, prepared: read.prepared };
}

async function attempt(
  conn: DuckDBConnection,
  path: string,
  options: ImportOptions,
  fileScan: Promise<FileScan>,
  learnAll: boolean,
  read: { prepared?: PreparedSource },
): Promise<ImportSuccess> {
  const mapping = options.mapping ?? {};
  const constants = options.constants ?? {};
  const started = new Date();
  const head = await readHead(conn, path, { fileName: options.fileName, sheet: options.sheet, workDir: options.workDir, rows: 0, prepared: read.prepared });
  read.prepared = head.prepared;
  // Rows wider than the header are reported by the staged route.
  if (mappingErrors('kpi_results', head.headers, mapping, constants).length || head.extraFrom !== null) throw new Declined();
  const fields = new Map(fieldsOf('kpi_results').map((f) => [f.name, f]));
  const { scan, col, num } = source(head, mapping);
  const periodField = fields.get('period_id')!;
  const after = async (step: string) => {
    try {
      await options.afterWrite?.(step);
    } catch (err) {
      throw new Interrupted(err);
    }
  };

  // Keys: every employee and period gets one; only those in the canonical tables are accepted.
  await syncKeysOn(conn);
  const id = `${process.pid}_${++seq}`;
  const types = { emp: `imp_fast_emp_${id}`, per: `imp_fast_per_${id}`, kpi: `imp_fast_kpi_${id}` };
  const seen = (c: string) => (learnAll || head.prepared.format === 'parquet' ? `SELECT DISTINCT ${c} AS v FROM ${scan} s` : `SELECT DISTINCT ${c} AS v FROM (SELECT * FROM ${scan} s LIMIT ${SAMPLE_ROWS}) s`);
  // A field given as a constant is the same literal on every row.
  const constant = (field: string): string | null => (mapping[field] || constants[field] === undefined ? null : sqlString(constants[field]!.trim()));
  try {
    // A period given as a constant may be spelt any way the general path accepts.
    const perConst = constant('period_id') === null ? null : normaliseValue(periodField, constants.period_id!.trim(), false);
    if (constant('period_id') !== null && perConst === null) throw new Declined();
    const codeConst = constant('kpi_code');
    await registerKpiCodesOn(conn, codeConst !== null ? `SELECT ${codeConst}` : seen(col('kpi_code')));

    /*
     * In a text file, keys are looked up by casting the text to an ENUM of the dictionary's ids:
     * unlike a hash join, a cast keeps the scan's order, which numbering the rows after the insert
     * relies on. Dictionary keys are dense from 1 in insertion order, so enum position + 1 is the key.
     */
    const dense = await all<{ t: string; ok: boolean }>(
      conn,
      `SELECT 'employee_keys' AS t, count(*) = coalesce(max(key), 0) AS ok FROM employee_keys
       UNION ALL SELECT 'kpi_codes', count(*) = coalesce(max(key), 0) FROM kpi_codes`,
    );
    if (dense.some((d) => !d.ok)) throw new Declined();
    // Parquet rows carry their own number, so order does not matter there and a hash join on
    // the dictionaries is cheaper than the cast (0.5 s of ~4 s for 10M lines); so is a join on
    // the period spellings than the cast and list look-up (INSERT 1.64 -> 1.49 s).
    const joinKeys = head.prepared.format === 'parquet';
    if (!joinKeys) {
      await run(conn, `CREATE TYPE ${types.emp} AS ENUM (SELECT id FROM employee_keys ORDER BY key)`);
      await run(conn, `CREATE TYPE ${types.kpi} AS ENUM (SELECT code FROM kpi_codes ORDER BY key)`);
    }
    // Periods: every canonical id plus each spelling seen (first rows, or all on the retry) that normalises to one.
    const periods = await all<{ id: string; key: number }>(conn, 'SELECT k.id, k.key FROM period_keys k SEMI JOIN periods p ON p.id = k.id ORDER BY k.key');
    const perKey = new Map(periods.map((p) => [p.id, p.key]));
    const spell: Array<[string, number]> = periods.map((p) => [p.id, p.key]);
    if (perConst === null)
      for (const { v } of await all<{ v: string | null }>(conn, seen(col('period_id')))) {
        const key = v === null || perKey.has(v) ? undefined : perKey.get(normaliseValue(periodField, v.trim(), false) ?? '');
        if (key !== undefined) spell.push([v!, key]);
      }
    if (spell.length) await run(conn, `CREATE TYPE ${types.per} AS ENUM (${spell.map(([v]) => sqlString(v)).join(', ')})`);

    const code = (type: string, c: string) => `enum_code(TRY_CAST(${c} AS ${type}))`;
    const joins: string[] = [];
    const byJoin = (table: string, alias: string, on: string, c: string) => {
      joins.push(`LEFT JOIN ${table} ${alias} ON ${alias}.${on} = ${c}`);
      return `${alias}.key`;
    };
    const empKey = constant('employee_id') !== null
      ? `(SELECT key FROM employee_keys WHERE id = ${constant('employee_id')})`
      : joinKeys ? byJoin('employee_keys', 'ek', 'id', col('employee_id')) : `${code(types.emp, col('employee_id'))} + 1`;
    const perSpellings = () => {
      joins.push(`LEFT JOIN (VALUES ${spell.map(([v, k]) => `(${sqlString(v)}, ${k})`).join(', ')}) pk(id, key) ON pk.id = ${col('period_id')}`);
      return 'pk.key';
    };
    const perExpr = perConst !== null
      ? `${perKey.get(perConst) ?? 'NULL'}`
      : !spell.length ? 'NULL'
      : joinKeys ? perSpellings()
      : `[${spell.map(([, k]) => k).join(', ')}][${code(types.per, col('period_id'))} + 1]`;
    const kpiExpr = codeConst !== null
      ? `(SELECT key FROM kpi_codes WHERE code = ${codeConst})`
      : joinKeys ? byJoin('kpi_codes', 'kc', 'code', col('kpi_code')) : `${code(types.kpi, col('kpi_code'))} + 1`;
    // coalesce evaluates the look-up once per row (a CASE would repeat it) and error() only on a miss.
    const guard = (expr: string, what: string) => `coalesce(${expr}, error('${GUARD}${what}'))`;
    // A value that is not a number fails the cast; ranges are checked on the stored batch below.
    const value = (name: string) =>
      mapping[name] ? `CAST(${num(name)} AS DOUBLE)` : constants[name] !== undefined ? `CAST(${sqlString(constants[name]!.trim())} AS DOUBLE)` : 'NULL::DOUBLE';
    const outOfRange = ['target', 'actual', 'score', 'weight'].flatMap((n) => {
      const f = fields.get(n)!;
      const ok = [f.min !== undefined ? `${n} >= ${f.min}` : null, f.max !== undefined ? `${n} <= ${f.max}` : null].filter(Boolean);
      return ok.length ? [`(${n} IS NOT NULL AND NOT (${ok.join(' AND ')}))`] : [];
    });
    const batchId = await nextBatchId(conn);
    const [before] = await all<{ n: number }>(conn, 'SELECT count(*)::DOUBLE AS n FROM kpi_lines');
    const [ins] = await all<{ Count: number }>(
      conn,
      `INSERT INTO kpi_lines (employee_key, period_key, kpi_key, target, actual, score, weight, batch_id, source_row)
       SELECT ${guard(empKey, 'employee')}, ${guard(perExpr, 'period')}, ${guard(kpiExpr, 'code')},
              ${value('target')}, ${value('actual')}, ${value('score')}, ${value('weight')}, ${batchId}, s.src_row
         FROM ${scan} s ${joins.join(' ')}`,
    );
    const inserted = Number(ins!.Count);
    // Insertion order is preserved (DuckDB's default), so the batch's rows follow the file's: the
    // n-th row inserted is the file's row n + 1 (after the header, and any title rows above it).
    if (head.prepared.format !== 'parquet')
      await run(conn, `UPDATE kpi_lines SET source_row = CAST(rowid - (SELECT min(rowid) FROM kpi_lines WHERE batch_id = ${batchId}) + ${2 + (head.prepared.rowOffset ?? 0)} AS INTEGER) WHERE batch_id = ${batchId}`);
    await after('kpi_results');

    // Ids keyed but unknown to employees (lines stored before the importer checked references)
    // are refused like any unknown id; there are usually none, and then nothing is probed.
    const orphans = 'SELECT key FROM employee_keys k WHERE NOT EXISTS (SELECT 1 FROM employees e WHERE e.id = k.id)';
    const [o] = await all<{ n: number }>(conn, `SELECT count(*)::INTEGER AS n FROM (${orphans})`);
    const refused = [...outOfRange, ...(o!.n > 0 ? [`employee_key IN (${orphans})`] : [])];
    const [r] = await all<Record<string, number | null>>(
      conn,
      `SELECT min(employee_key) AS e0, max(employee_key) AS e1, min(period_key) AS p0, max(period_key) AS p1, min(kpi_key) AS k0, max(kpi_key) AS k1
              , count(*) FILTER (WHERE ${refused.join(' OR ') || 'false'})::DOUBLE AS refused
         FROM kpi_lines WHERE batch_id = ${batchId}`,
    );
    if (r!.refused! > 0) throw new Declined();
    // Nothing inserted: the general path says whether the file is empty or holds a header only.
    if (inserted === 0) throw new Declined();

    // Duplicate keys within the file: a bitmap over the batch's key space when it is small enough.
    if (inserted > 0) {
      const [ne, np, nk] = [r!.e1! - r!.e0! + 1, r!.p1! - r!.p0! + 1, r!.k1! - r!.k0! + 1];
      const packed = `(CAST(employee_key - ${r!.e0} AS BIGINT) * ${np * nk} + (period_key - ${r!.p0}) * ${nk} + (kpi_key - ${r!.k0}))`;
      const distinct = ne * np * nk <= BITMAP_MAX ? `bit_count(bitstring_agg(${packed}, 0, ${ne * np * nk - 1}))` : `count(DISTINCT ${packed})`;
      const [d] = await all<{ n: number }>(conn, `SELECT (count(*) - ${distinct})::DOUBLE AS n FROM kpi_lines WHERE batch_id = ${batchId}`);
      if (d!.n > 0) throw new Declined();
    }

    // Keys already stored: rejected (the general path lists them) or replaced.
    let replaced = 0;
    if (before!.n > 0 && inserted > 0) {
      const older = `FROM kpi_lines l SEMI JOIN (SELECT employee_key, period_key, kpi_key FROM kpi_lines WHERE batch_id = ${batchId}) n
        USING (employee_key, period_key, kpi_key)
       WHERE l.batch_id IS DISTINCT FROM ${batchId} AND l.period_key BETWEEN ${r!.p0} AND ${r!.p1} AND l.employee_key BETWEEN ${r!.e0} AND ${r!.e1}`;
      const [o] = await all<{ n: number }>(conn, `SELECT count(*)::DOUBLE AS n ${older}`);
      if (o!.n > 0) {
        if ((options.onDuplicate ?? 'reject') === 'reject') throw new Declined();
        replaced = o!.n;
        await run(conn, `DELETE FROM kpi_lines WHERE rowid IN (SELECT l.rowid ${older})`);
        await after('delete');
      }
    }

    // DuckDB skipped blank lines, so rows after one are numbered too low: the general path renumbers them.
    const { sha256, blankRows } = await fileScan;
    if (blankRowsBelowHeader(blankRows, head.prepared).length) throw new Declined();
    await recordBatch(conn, {
      id: batchId, table: 'kpi_results', path, fileName: options.fileName, source: options.source,
      settings: { mapping, constants, onDuplicate: options.onDuplicate ?? 'reject' },
      sha: sha256, prepared: head.prepared, rowCount: inserted, inserted, replaced, started,
    });
    await after('batch');
    return { ok: true, batchId, rowCount: inserted, inserted, replaced, created: { orgUnits: 0, employees: 0, periods: 0, roles: 0 }, route: 'direct' };
  } finally {
    for (const t of Object.values(types)) await run(conn, `DROP TYPE IF EXISTS ${t}`).catch(() => undefined);
  }
}

/**
 * Parquet column types read as numbers directly, as the general path reads them: integers,
 * DOUBLE and DECIMAL (DuckDB divides the unscaled integer by 10^scale, correctly rounded, which
 * is what parsing its digits gives). FLOAT is read through its text on both paths.
 */
const EXACT_NUMBER = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|DOUBLE|DECIMAL\(\d+,\s*\d+\))$/;

/**
 * The file as a relation with src_row, a mapped field's column (key fields as text), and a
 * numeric field's column. Text files are sniffed (auto_detect) only so DuckDB knows their size:
 * with the fixed-schema reader it plans for ~40 rows and builds its hash tables on the file
 * instead of on the key dictionaries.
 */
function source(head: FileHead, mapping: Record<string, string>): { scan: string; col: (field: string) => string; num: (field: string) => string } {
  const { prepared, headers, types } = head;
  if (prepared.format === 'parquet') {
    const type = (field: string) => types[headers.indexOf(mapping[field]!)]!;
    const col = (field: string) => (type(field) === 'VARCHAR' ? `s.${sqlIdent(mapping[field]!)}` : `CAST(s.${sqlIdent(mapping[field]!)} AS VARCHAR)`);
    return {
      scan: `(SELECT (file_row_number + 2)::INTEGER AS src_row, * FROM read_parquet(${sqlString(prepared.path)}, file_row_number=true))`,
      col,
      // A typed number is read as it is: formatting 10M doubles as text to parse them back cost
      // a quarter of a Parquet import.
      num: (field) => (EXACT_NUMBER.test(type(field)) ? `s.${sqlIdent(mapping[field]!)}` : col(field)),
    };
  }
  const col = (field: string) => `s.c${headers.indexOf(mapping[field]!)}`;
  return {
    // No src_row: numbering rows in the scan (row_number() OVER ()) serialises it and more than
    // doubles the import; rows are numbered after the insert instead. No null_padding: a short
    // row fails the scan and goes to the general path, which reports its missing fields.
    scan: `(SELECT NULL::INTEGER AS src_row, * FROM read_csv(${sqlString(prepared.path)}, header=false, skip=${1 + (prepared.title?.lines ?? 0)}, auto_detect=true,
             all_varchar=true, delim=${sqlString(prepared.delimiter ?? ',')}, quote='"', escape='"', null_padding=false, names=[${headers.map((_h, i) => `'c${i}'`).join(', ')}]))`,
    col,
    num: col,
  };
}
