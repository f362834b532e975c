import type { DuckDBConnection } from '@duckdb/node-api';
import { raterSummaryInsert } from './analytics.ts';

/**
 * The per-period refresh of the derived analytics tables after an import batch (issue 15).
 *
 * A full rebuild rewrites 7.2M facts, 7M rater-summary rows and every person's running totals at
 * 200,000 employees × 36 months (≈ 25 s, the bulk of importing one month). An import batch only
 * changes the assessments and rater scores of the periods its rows name, so only those periods'
 * derived rows are deleted and inserted again; what depends across periods is handled here too:
 * - assessment_facts, assessment_cube, rater_summary: one row per (period, …); each row depends on
 *   that period's canonical rows only (and on dimension names, which the caller checks).
 * - person_stints: the set of (cycle, person, unit, role) a person was assessed in. A touched
 *   period can add a stint or remove the last rows of one; existing stints keep their numbers
 *   (`stint` and `person` are surrogate keys: the policy queries join and group on them and never
 *   read their values), new ones are numbered after the highest.
 * - person_cumulative: running totals per stint in period order, so every row from the earliest
 *   touched period of the cycle onward changes, and so does the last row before it (its
 *   next_start). Those rows are recomputed from the row before, which still holds the totals up to
 *   there: appending a month rewrites one row per person, replacing the first month all of them.
 *
 * The caller (analytics.ts) decides whether this path is valid: the derived tables were current
 * before the batch, the role ENUM did not change, and no dimension row the batch wrote is already
 * named by derived rows outside the touched periods. Otherwise it rebuilds from scratch.
 */

/** Temp tables of one refresh; they live on the transaction's connection and are dropped after. */
const TEMPS = ['ana_touched', 'ana_old_stints', 'ana_touched_stints', 'ana_new_stints', 'ana_gone_stints', 'ana_new_people', 'ana_prev'] as const;

export async function dropIncrementalTemps(conn: DuckDBConnection): Promise<void> {
  for (const t of TEMPS) await conn.run(`DROP TABLE IF EXISTS ${t}`);
}

/**
 * The periods batch `b` touched: those of its assessments and rater scores (rows it replaced had
 * the same keys, so the same periods) and the periods it created. Returns their ids.
 */
export interface TouchedPeriod {
  id: string;
  kind: string;
  start: string;
}

export async function touchedPeriodsOn(conn: DuckDBConnection, batchId: number): Promise<TouchedPeriod[]> {
  await dropIncrementalTemps(conn);
  await conn.run(
    `CREATE TEMP TABLE ana_touched AS
     SELECT p.id, CAST(p.kind AS period_kind_t) AS period_kind, p.start_date
       FROM periods p
      WHERE p.id IN (SELECT period_id FROM assessments WHERE batch_id = $b
                     UNION SELECT period_id FROM rater_scores WHERE batch_id = $b
                     UNION SELECT id FROM periods WHERE batch_id = $b)`,
    { b: batchId },
  );
  const rows = (await conn.runAndReadAll('SELECT id, CAST(period_kind AS VARCHAR) AS kind, CAST(start_date AS VARCHAR) AS start FROM ana_touched ORDER BY id')).getRowObjectsJson();
  return rows.map((r) => ({ id: String(r.id), kind: String(r.kind), start: String(r.start) }));
}

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

/**
 * Predicates on the touched periods written out as constants, not as a join with ana_touched: DuckDB
 * then filters while scanning and skips the row groups whose min/max exclude them (the tables are
 * stored period by period), instead of reading 7–22M rows into a semi-join.
 */
export function touchedSql(touched: TouchedPeriod[]) {
  const ids = touched.length ? touched.map((p) => lit(p.id)).join(', ') : 'NULL';
  const t0 = new Map<string, string>();
  for (const p of touched) if (!t0.has(p.kind) || p.start < t0.get(p.kind)!) t0.set(p.kind, p.start);
  return {
    /** col IN the touched ids. */
    inT: (col: string) => `${col} IN (${ids})`,
    /** Per cycle, from its earliest touched start: cond gets the start as a DATE literal. */
    fromT0: (kindCol: string, cond: (t0: string) => string) =>
      t0.size ? `(${[...t0].map(([k, d]) => `(${kindCol} = ${lit(k)} AND ${cond(`DATE ${lit(d)}`)})`).join(' OR ')})` : 'false',
  };
}

/**
 * Why the per-period path cannot be taken for batch `b` beyond what the caller checked, or null:
 * too large a share of the rows changed (a rebuild is then as cheap), or an employee or org unit
 * the batch created is already named by derived rows outside the touched periods (rows stored
 * before their dimension row existed carry no name; a rebuild fills it in).
 */
export async function incrementalObstacleOn(conn: DuckDBConnection, batchId: number, touched: TouchedPeriod[]): Promise<string | null> {
  const { inT } = touchedSql(touched);
  const [size] = (
    await conn.runAndReadAll(
      `SELECT (SELECT count(*) FROM assessments WHERE ${inT('period_id')})::DOUBLE AS touched,
              (SELECT count(*) FROM assessments)::DOUBLE AS total,
              (SELECT count(*) FROM employees WHERE batch_id = $b)::DOUBLE AS emps,
              (SELECT count(*) FROM org_units WHERE batch_id = $b)::DOUBLE AS units`,
      { b: batchId },
    )
  ).getRowObjectsJson() as Array<{ touched: number; total: number; emps: number; units: number }>;
  if (size!.touched > 0.5 * size!.total) return 'more than half of the assessments changed';
  if (size!.emps + size!.units > 0) {
    const [named] = (
      await conn.runAndReadAll(
        `SELECT (SELECT count(*) FROM assessment_facts
                  WHERE NOT ${inT('period_id')}
                    AND (employee_id IN (SELECT id FROM employees WHERE batch_id = $b)
                         OR org_unit_id IN (SELECT id FROM org_units WHERE batch_id = $b)))
              + (SELECT count(*) FROM rater_summary
                  WHERE NOT ${inT('period_id')}
                    AND rater_id IN (SELECT id FROM employees WHERE batch_id = $b)) AS n`,
        { b: batchId },
      )
    ).getRowObjectsJson() as Array<{ n: number }>;
    if (Number(named!.n) > 0) return 'the batch created dimension rows that older derived rows name';
  }
  return null;
}

const FACTS_SELECT = `
   SELECT a.employee_id, e.name, a.period_id, p.kind::period_kind_t, p.start_date, a.org_unit_id, o.name,
          TRY_CAST(a.role AS role_t), a.score, TRY_CAST(a.grade AS grade_t), a.coefficient, a.bonus, a.grade_label
     FROM assessments a
     JOIN periods p ON p.id = a.period_id
     LEFT JOIN employees e ON e.id = a.employee_id
     LEFT JOIN org_units o ON o.id = a.org_unit_id`;

const STINT_MATCH = (s: string, f: string) =>
  `${s}.period_kind = ${f}.period_kind AND ${s}.employee_id = ${f}.employee_id AND ${s}.org_unit_id = ${f}.org_unit_id AND ${s}.role IS NOT DISTINCT FROM ${f}.role`;

/** The running-total columns of person_cumulative over window w, as the full rebuild computes them. */
const TOTALS = [
  ['score_micro', 'coalesce(sum(CAST(round(f.score * 1000000) AS BIGINT)) OVER w, 0)', 'BIGINT'],
  ['scored', 'count(f.score) OVER w', 'INTEGER'],
  ['grade_a', "count(*) FILTER (WHERE f.grade = 'A') OVER w", 'INTEGER'],
  ['grade_b', "count(*) FILTER (WHERE f.grade = 'B') OVER w", 'INTEGER'],
  ['grade_c', "count(*) FILTER (WHERE f.grade = 'C') OVER w", 'INTEGER'],
  ['grade_d', "count(*) FILTER (WHERE f.grade = 'D') OVER w", 'INTEGER'],
  ['grade_e', "count(*) FILTER (WHERE f.grade = 'E') OVER w", 'INTEGER'],
] as const;

/**
 * Rewrites the derived rows of the touched periods (touchedPeriodsOn). Returns each step's time in
 * ms, for the import benchmark.
 */
export async function refreshTouchedPeriodsOn(conn: DuckDBConnection, touched: TouchedPeriod[], opts: { raterNamesChanged: boolean }): Promise<Record<string, number>> {
  const { inT, fromT0 } = touchedSql(touched);
  const steps: Record<string, number> = {};
  const step = async (name: string, sql: string) => {
    const t = performance.now();
    await conn.run(sql);
    steps[name] = (steps[name] ?? 0) + Math.round(performance.now() - t);
  };
  // The stints the touched periods held before: one of them may lose its last rows.
  await step('old stints', `CREATE TEMP TABLE ana_old_stints AS
    SELECT DISTINCT period_kind, employee_id, org_unit_id, CAST(role AS VARCHAR) AS role FROM assessment_facts WHERE ${inT('period_id')}`);

  // Facts, cube and rater summary: per period, so delete and insert the touched ones.
  await step('facts delete', `DELETE FROM assessment_facts WHERE ${inT('period_id')}`);
  await step('facts insert', `INSERT INTO assessment_facts ${FACTS_SELECT}
    WHERE ${inT('a.period_id')}
    ORDER BY p.kind, p.start_date, a.org_unit_id, a.employee_id`);
  await step('cube delete', `DELETE FROM assessment_cube WHERE ${inT('period_id')}`);
  await step('cube insert', `INSERT INTO assessment_cube
    SELECT period_id, period_kind, period_start, org_unit_id, org_unit_name, role, grade, score, count(*)::INTEGER
      FROM assessment_facts WHERE ${inT('period_id')}
     GROUP BY ALL
     ORDER BY period_kind, period_start, org_unit_id`);
  await step('raters delete', `DELETE FROM rater_summary WHERE ${inT('period_id')}`);
  await step('raters insert', raterSummaryInsert(`${inT('r.period_id')} AND ${inT('a.period_id')}`));
  // A flat sheet's manager names (rater_names) name raters in every period, not only the touched ones.
  if (opts.raterNamesChanged)
    await step('rater names', `UPDATE rater_summary s SET rater_name = x.name
      FROM (SELECT rn.rater_id, coalesce(e.name, rn.name) AS name FROM rater_names rn LEFT JOIN employees e ON e.id = rn.rater_id) x
     WHERE s.rater_id = x.rater_id AND s.rater_name IS DISTINCT FROM x.name`);

  // Stints: added where a touched period holds one not seen before; removed where its only rows were there.
  await step('new stints', `CREATE TEMP TABLE ana_touched_stints AS
    SELECT DISTINCT period_kind, employee_id, org_unit_id, CAST(role AS VARCHAR) AS role FROM assessment_facts WHERE ${inT('period_id')}`);
  await step('new stints', `CREATE TEMP TABLE ana_new_stints AS
    SELECT * FROM ana_touched_stints EXCEPT SELECT period_kind, employee_id, org_unit_id, role FROM person_stints`);
  // Only a stint the touched periods held before and hold no longer can be gone (none after a new month).
  await step('gone stints', `CREATE TEMP TABLE ana_gone_stints AS
    SELECT * FROM (SELECT * FROM ana_old_stints EXCEPT SELECT * FROM ana_touched_stints) o
     WHERE NOT EXISTS (SELECT 1 FROM assessment_facts f WHERE f.period_kind = o.period_kind AND f.employee_id = o.employee_id
                          AND f.org_unit_id = o.org_unit_id AND CAST(f.role AS VARCHAR) IS NOT DISTINCT FROM o.role)`);
  const [changes] = (
    await conn.runAndReadAll('SELECT (SELECT count(*) FROM ana_new_stints)::INTEGER AS added, (SELECT count(*) FROM ana_gone_stints)::INTEGER AS gone')
  ).getRowObjectsJson() as Array<{ added: number; gone: number }>;
  if (changes!.gone > 0) await step('stints delete', `DELETE FROM person_stints s USING ana_gone_stints g WHERE ${STINT_MATCH('s', 'g')}`);
  if (changes!.added > 0) {
    // A person keeps their number; someone new gets the next one.
    await step('new people', `CREATE TEMP TABLE ana_new_people AS
      SELECT employee_id, (SELECT coalesce(max(person), 0) FROM person_stints) + row_number() OVER (ORDER BY employee_id) AS person
        FROM (SELECT DISTINCT employee_id FROM ana_new_stints WHERE employee_id NOT IN (SELECT employee_id FROM person_stints))`);
    await step('stints insert', `INSERT INTO person_stints
      SELECT ((SELECT coalesce(max(stint), 0) FROM person_stints) + row_number() OVER (ORDER BY n.period_kind, n.employee_id, n.org_unit_id, n.role))::INTEGER,
             n.period_kind, coalesce(k.person, np.person)::INTEGER, n.employee_id, n.org_unit_id, n.role, false
        FROM ana_new_stints n
        LEFT JOIN (SELECT employee_id, min(person) AS person FROM person_stints GROUP BY 1) k ON k.employee_id = n.employee_id
        LEFT JOIN ana_new_people np ON np.employee_id = n.employee_id`);
  }
  if (changes!.added + changes!.gone > 0)
    // `shared`: the person has another stint in that cycle; only people whose stints changed can flip.
    await step('stints shared', `UPDATE person_stints s SET shared = x.n > 1
      FROM (SELECT period_kind, employee_id, count(*) AS n FROM person_stints
             WHERE employee_id IN (SELECT employee_id FROM ana_new_stints UNION SELECT employee_id FROM ana_gone_stints)
             GROUP BY ALL) x
     WHERE s.period_kind = x.period_kind AND s.employee_id = x.employee_id AND s.shared <> (x.n > 1)`);

  // Running totals: per cycle, every row from the earliest touched start on, and the row before it
  // (the last one with period_start < t0 ≤ next_start), kept aside as the base of the new totals.
  await step('cumulative before', `CREATE TEMP TABLE ana_prev AS
    SELECT * FROM person_cumulative c WHERE ${fromT0('c.period_kind', (t0) => `c.period_start < ${t0} AND c.next_start >= ${t0}`)}`);
  await step('cumulative delete', `DELETE FROM person_cumulative c
    WHERE ${fromT0('c.period_kind', (t0) => `(c.period_start >= ${t0} OR c.next_start >= ${t0})`)}`);
  await step('cumulative insert', `INSERT INTO person_cumulative
    SELECT f.period_kind, f.period_start, coalesce(lead(f.period_start) OVER w, DATE 'infinity'), s.stint,
           ${TOTALS.map(([col, expr, type]) => `(coalesce(pr.${col}, 0) + ${expr})::${type}`).join(',\n           ')}
      FROM assessment_facts f
      JOIN person_stints s ON s.period_kind = f.period_kind AND s.employee_id = f.employee_id AND s.org_unit_id = f.org_unit_id
                          AND s.role IS NOT DISTINCT FROM CAST(f.role AS VARCHAR)
      LEFT JOIN ana_prev pr ON pr.stint = s.stint
     WHERE ${fromT0('f.period_kind', (t0) => `f.period_start >= ${t0}`)}
    WINDOW w AS (PARTITION BY s.stint ORDER BY f.period_start ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
     ORDER BY f.period_kind, f.period_start`);
  // The rows before: same totals, pointing at their stint's next assessed period (now stored).
  await step('cumulative before insert', `INSERT INTO person_cumulative
    SELECT pr.period_kind, pr.period_start, coalesce(nx.next_start, DATE 'infinity'), pr.stint, ${TOTALS.map(([col]) => `pr.${col}`).join(', ')}
      FROM ana_prev pr
      LEFT JOIN (SELECT c.stint, min(c.period_start) AS next_start FROM person_cumulative c
                  WHERE ${fromT0('c.period_kind', (t0) => `c.period_start >= ${t0}`)} GROUP BY 1) nx ON nx.stint = pr.stint`);
  return steps;
}

/** analytics_state as ranking_cells_state records it (queries/ranking-cells.ts SOURCE_SQL). */
export const RANKING_SOURCE_SQL = `SELECT signature || '@' || CAST(refreshed_at AS VARCHAR) FROM analytics_state WHERE id = 1`;

/** The forced ranking's cells (migration 011) reflect the analytics tables as they are now. */
export async function rankingCellsCurrentOn(conn: DuckDBConnection): Promise<boolean> {
  const [row] = (
    await conn.runAndReadAll(`SELECT coalesce((SELECT built_from FROM ranking_cells_state WHERE id = 1) = (${RANKING_SOURCE_SQL}), false) AS fresh`)
  ).getRowObjectsJson();
  return row?.fresh === true;
}

/**
 * The ranking cells of the touched periods, rewritten with the facts when they were current before
 * (ranking-cells.ts would otherwise rebuild all of them, about a second at 7.2M assessments, on the
 * first ranking request or in the background refresh). The caller marks them current afterwards.
 */
export async function refreshTouchedRankingCellsOn(conn: DuckDBConnection, touched: TouchedPeriod[]): Promise<void> {
  const { inT } = touchedSql(touched);
  await conn.run(`DELETE FROM ranking_cells WHERE ${inT('period_id')}`);
  await conn.run(`INSERT INTO ranking_cells
    SELECT period_id, period_kind, period_start, org_unit_id, role, score, grade, count(*)::INTEGER
      FROM assessment_facts WHERE ${inT('period_id')} GROUP BY ALL
     ORDER BY period_kind, period_start, org_unit_id, role, score`);
}
