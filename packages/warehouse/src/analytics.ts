import type { DuckDBConnection } from '@duckdb/node-api';
import type { Warehouse } from './db.ts';
import {
  dropIncrementalTemps,
  incrementalObstacleOn,
  RANKING_SOURCE_SQL,
  rankingCellsCurrentOn,
  refreshTouchedPeriodsOn,
  refreshTouchedRankingCellsOn,
  touchedPeriodsOn,
  type TouchedPeriod,
} from './analytics-incremental.ts';

/**
 * rater_summary's rows, for every period or (`where`, extra conditions) only some: one
 * definition for the full rebuild and the per-period refresh (analytics-incremental.ts).
 */
export function raterSummaryInsert(where = ''): string {
  return `INSERT INTO rater_summary
   SELECT r.rater_id, r.relation::relation_t, a.period_id, p.kind::period_kind_t, p.start_date, a.org_unit_id,
          TRY_CAST(a.role AS role_t), count(*), sum(r.score), sum(r.score * r.score), coalesce(e.name, rn.name)
     FROM rater_scores r
     JOIN assessments a ON a.employee_id = r.employee_id AND a.period_id = r.period_id
     JOIN periods p ON p.id = a.period_id
     LEFT JOIN employees e ON e.id = r.rater_id
     LEFT JOIN rater_names rn ON rn.rater_id = r.rater_id
    WHERE TRY_CAST(r.relation AS relation_t) IS NOT NULL${where ? ` AND ${where}` : ''}
    GROUP BY ALL
    -- Relation first: leniency analyses leave out self-ratings, whose rows then are skipped whole.
    ORDER BY 2, 4, 5, 6, 1`;
}

/** Import targets whose rows feed the derived tables (`all` is the demo load, `flat` the one-sheet import). */
export const ANALYTICS_SOURCES = ['assessments', 'rater_scores', 'periods', 'employees', 'org_units', 'flat', 'all'] as const;

/**
 * Cheap fingerprint of the canonical data the derived tables come from: the newest batch that
 * wrote to a source table and the row counts (count(*) without a filter is answered from table
 * metadata). A committed import changes the batch id even when it only replaced rows; a direct
 * INSERT (as in tests) changes a count.
 */
const SIGNATURE_SQL = `
  SELECT concat_ws('|',
    (SELECT coalesce(max(id), 0) FROM import_batches WHERE table_name IN (${ANALYTICS_SOURCES.map((t) => `'${t}'`).join(', ')})),
    (SELECT count(*) FROM assessments), (SELECT count(*) FROM rater_scores),
    (SELECT count(*) FROM periods), (SELECT count(*) FROM employees), (SELECT count(*) FROM org_units),
    (SELECT count(*) FROM roles), (SELECT count(*) FROM rater_names)) AS sig`;

const REBUILD_SQL = [
  'DELETE FROM assessment_facts',
  `INSERT INTO assessment_facts
   -- Grades outside A–E and unknown roles become NULL (ungraded / no role), as the analyses treat them.
   SELECT a.employee_id, e.name, a.period_id, p.kind::period_kind_t, p.start_date, a.org_unit_id, o.name,
          TRY_CAST(a.role AS role_t), a.score, TRY_CAST(a.grade AS grade_t), a.coefficient, a.bonus, a.grade_label
     FROM assessments a
     JOIN periods p ON p.id = a.period_id
     LEFT JOIN employees e ON e.id = a.employee_id
     LEFT JOIN org_units o ON o.id = a.org_unit_id
    ORDER BY p.kind, p.start_date, a.org_unit_id, a.employee_id`,
  'DELETE FROM assessment_cube',
  `INSERT INTO assessment_cube
   SELECT period_id, period_kind, period_start, org_unit_id, org_unit_name, role, grade, score, count(*)::INTEGER
     FROM assessment_facts
    GROUP BY ALL
    ORDER BY period_kind, period_start, org_unit_id`,
  'DELETE FROM rater_summary',
  raterSummaryInsert(),
  // Per-person running totals for the policy analyses (migration 041): built here, with the facts,
  // so the first policy request after an import or a restart reads them instead of grouping every
  // row by person (about 3.5 s of this refresh at 7.2M assessments, once per write).
  'DELETE FROM person_stints',
  `INSERT INTO person_stints
   SELECT (row_number() OVER (ORDER BY period_kind, employee_id, org_unit_id, role))::INTEGER,
          period_kind, (dense_rank() OVER (ORDER BY employee_id))::INTEGER, employee_id, org_unit_id, role,
          count(*) OVER (PARTITION BY period_kind, employee_id) > 1
     FROM (SELECT DISTINCT period_kind, employee_id, org_unit_id, CAST(role AS VARCHAR) AS role FROM assessment_facts)`,
  'DELETE FROM person_cumulative',
  `INSERT INTO person_cumulative
   SELECT f.period_kind, f.period_start, coalesce(lead(f.period_start) OVER w, DATE 'infinity'), s.stint,
          -- Integer micro-points: exact sums, identical whatever order the threads add them in.
          coalesce(sum(CAST(round(f.score * 1000000) AS BIGINT)) OVER w, 0)::BIGINT, (count(f.score) OVER w)::INTEGER,
          (count(*) FILTER (WHERE f.grade = 'A') OVER w)::INTEGER, (count(*) FILTER (WHERE f.grade = 'B') OVER w)::INTEGER,
          (count(*) FILTER (WHERE f.grade = 'C') OVER w)::INTEGER, (count(*) FILTER (WHERE f.grade = 'D') OVER w)::INTEGER,
          (count(*) FILTER (WHERE f.grade = 'E') OVER w)::INTEGER
     FROM assessment_facts f
     JOIN person_stints s ON s.period_kind = f.period_kind AND s.employee_id = f.employee_id AND s.org_unit_id = f.org_unit_id
                         AND s.role IS NOT DISTINCT FROM CAST(f.role AS VARCHAR)
   WINDOW w AS (PARTITION BY s.stint ORDER BY f.period_start ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
    -- By cycle and date, so the boundary lookups skip the row groups after the boundary.
    ORDER BY f.period_kind, f.period_start`,
];

/** Derived tables with a role_t column (migrations 003, 004, 011). */
const ROLE_TABLES = ['assessment_facts', 'assessment_cube', 'rater_summary', 'ranking_cells'] as const;

/**
 * Recreates the role_t ENUM when the roles table no longer matches it (an import created a role,
 * two were merged). DuckDB cannot add a value to an ENUM, and a type cannot be dropped while a
 * column uses it, so the derived columns become text for a moment and then role_t again. Their
 * rows are rewritten by the refresh that follows, so only the ALTERs are paid for; they must
 * precede the refresh's DELETEs, or DuckDB refuses to commit a table both altered and changed.
 */
export async function syncRoleEnumOn(conn: DuckDBConnection): Promise<boolean> {
  const rows = (
    await conn.runAndReadAll(`SELECT
      (SELECT list(v ORDER BY v) FROM (SELECT unnest(enum_range(NULL::role_t))::VARCHAR AS v)) AS have,
      (SELECT list(code ORDER BY code) FROM roles) AS want`)
  ).getRowObjectsJson()[0] as { have: string[] | null; want: string[] | null };
  const have = rows.have ?? [];
  const want = rows.want ?? [];
  if (have.length === want.length && have.every((v, i) => v === want[i])) return false;
  const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
  for (const t of ROLE_TABLES) await conn.run(`ALTER TABLE ${t} ALTER role TYPE VARCHAR`);
  await conn.run('DROP TYPE role_t');
  await conn.run(`CREATE TYPE role_t AS ENUM (${want.map(lit).join(', ')})`);
  for (const t of ROLE_TABLES) await conn.run(`ALTER TABLE ${t} ALTER role TYPE role_t USING TRY_CAST(role AS role_t)`);
  // The ranking cells are rebuilt lazily from the facts; mark them stale.
  await conn.run('DELETE FROM ranking_cells_state');
  return true;
}

/**
 * What an import tells the refresh: its batch, and the state before it wrote (analyticsBaselineOn,
 * taken in the same transaction before its first write).
 */
export interface AnalyticsChange {
  batchId: number;
  baseline: AnalyticsBaseline;
}

export interface AnalyticsBaseline {
  /** The derived tables matched the canonical data before the batch wrote. */
  current: boolean;
  /** Fingerprint of rater_names (a flat sheet's manager names), to see whether the batch changed it. */
  raterNames: string;
}

/** How the last refresh in this process went (tests and the import benchmark read it). */
export interface AnalyticsRefreshReport {
  mode: 'full' | 'incremental';
  /** Incremental: the periods rewritten. */
  periods: string[];
  /** Full: why the per-period path was not taken. */
  reason: string | null;
  ms: number;
  /** Incremental: ms per statement (the import benchmark prints them). */
  steps: Record<string, number>;
}

let lastReport: AnalyticsRefreshReport | null = null;
export function lastAnalyticsRefresh(): AnalyticsRefreshReport | null {
  return lastReport;
}

const BASELINE_SQL = `SELECT coalesce((${SIGNATURE_SQL}) = (SELECT signature FROM analytics_state WHERE id = 1), false) AS current,
  (SELECT coalesce(sum(hash(rater_id, name)), 0)::VARCHAR FROM rater_names) AS rater_names`;

/** Call inside the import's transaction before its first write; pass the result to refreshAnalyticsOn. */
export async function analyticsBaselineOn(conn: DuckDBConnection): Promise<AnalyticsBaseline> {
  const row = (await conn.runAndReadAll(BASELINE_SQL)).getRowObjectsJson()[0]!;
  return { current: row.current === true, raterNames: String(row.rater_names) };
}

/**
 * Brings the derived tables up to date on `conn`; call inside the transaction that changed the data.
 * Without `change` (ensureAnalytics after a migration or a write that bypassed the importers, the
 * demo load, a role merge) everything is rebuilt. With it, only the periods the batch touched are rewritten
 * (analytics-incremental.ts) when that gives the same tables: the derived tables were current before
 * the batch, no dimension they copy (role ENUM, names of units, people, periods) changed under older
 * rows, and less than half the rows changed. Imports of org units, employees and periods come without
 * `change`: they rename what every period's rows carry.
 */
export async function refreshAnalyticsOn(conn: DuckDBConnection, change?: AnalyticsChange): Promise<AnalyticsRefreshReport> {
  const t0 = performance.now();
  let reason: string | null = change ? null : 'no batch given';
  let touched: TouchedPeriod[] = [];
  let steps: Record<string, number> = {};
  if (change && !change.baseline.current) reason = 'the derived tables were not current before the batch';
  // Checked before the ENUM sync, which marks the cells stale when the roles change.
  const cellsCurrent = change && !reason ? await rankingCellsCurrentOn(conn) : false;
  // The ENUM is recreated before any DELETE (see syncRoleEnumOn); a new role can name older rows.
  if ((await syncRoleEnumOn(conn)) && !reason) reason = 'the roles changed';
  try {
    if (change && !reason) {
      touched = await touchedPeriodsOn(conn, change.batchId);
      reason = await incrementalObstacleOn(conn, change.batchId, touched);
    }
    if (change && !reason) {
      const after = (await conn.runAndReadAll(BASELINE_SQL)).getRowObjectsJson()[0]!;
      steps = await refreshTouchedPeriodsOn(conn, touched, { raterNamesChanged: String(after.rater_names) !== change.baseline.raterNames });
      if (cellsCurrent) {
        const t = performance.now();
        await refreshTouchedRankingCellsOn(conn, touched);
        steps['ranking cells'] = Math.round(performance.now() - t);
      }
    } else {
      touched = [];
      for (const sql of REBUILD_SQL) await conn.run(sql);
    }
  } finally {
    await dropIncrementalTemps(conn).catch(() => undefined);
  }
  const sig = (await conn.runAndReadAll(SIGNATURE_SQL)).getRowObjectsJson()[0]!.sig as string;
  await conn.run(
    `INSERT INTO analytics_state VALUES (1, $sig, current_timestamp)
     ON CONFLICT (id) DO UPDATE SET signature = excluded.signature, refreshed_at = excluded.refreshed_at`,
    { sig },
  );
  // The cells were rewritten with the facts: they reflect this refresh.
  if (!reason && cellsCurrent) await conn.run(`UPDATE ranking_cells_state SET built_from = (${RANKING_SOURCE_SQL}) WHERE id = 1`);
  lastReport = { mode: reason ? 'full' : 'incremental', periods: touched.map((p) => p.id), reason, ms: Math.round(performance.now() - t0), steps };
  return lastReport;
}

export async function refreshAnalytics(wh: Warehouse): Promise<void> {
  await wh.transaction(async (conn) => {
    await refreshAnalyticsOn(conn);
  });
}

const inFlight = new WeakMap<Warehouse, Promise<void>>();

/**
 * Makes sure the derived tables match the canonical data before an analysis reads them.
 * Writers refresh eagerly inside their own transaction, so this normally costs one metadata
 * query; it rebuilds only after a write that bypassed that (single-flight per warehouse).
 */
export function ensureAnalytics(wh: Warehouse): Promise<void> {
  // The check itself is part of the single flight: two requests racing past it would both
  // rebuild, and their transactions would conflict on analytics_state.
  let p = inFlight.get(wh);
  if (!p) {
    p = wh.detached(() => checkAndRefresh(wh)).finally(() => inFlight.delete(wh));
    inFlight.set(wh, p);
  }
  return p;
}

/** The write generation at which the derived tables were last seen current, per warehouse. */
const verifiedAt = new WeakMap<Warehouse, number>();

async function checkAndRefresh(wh: Warehouse): Promise<void> {
  // No unit of work that could write has finished since the last check: nothing to compare.
  const generation = wh.writeGeneration;
  if (verifiedAt.get(wh) === generation) return;
  const refreshed = await checkSignature(wh);
  // A refresh is itself a write; when it is the only one since the check began, its result is current.
  verifiedAt.set(wh, refreshed && wh.writeGeneration === generation + 1 ? generation + 1 : generation);
}

async function checkSignature(wh: Warehouse): Promise<boolean> {
  const [state] = await wh.query<{ current: string; stored: string | null }>(
    `SELECT (${SIGNATURE_SQL}) AS current, (SELECT signature FROM analytics_state WHERE id = 1) AS stored`,
  );
  if (state && state.current === state.stored) return false;
  await refreshAnalytics(wh);
  return true;
}
