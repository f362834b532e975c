import type { DuckDBConnection } from '@duckdb/node-api';
import { RATER_RELATIONS, type SqlSource } from '@perflens/core';
import type { Warehouse } from '../db.ts';
import { KPI_SLOTS } from '../migrations/020_simulation.ts';
import { refreshLayoutMonthsOn, type LayoutChange, type LayoutRefreshReport } from '../simulation-incremental.ts';

/** Canonical tables sim_facts is derived from. */
const SOURCES = ['kpi_results', 'rater_scores', 'assessments', 'employees', 'metrics', 'periods', 'flat', 'all'] as const;

/** Bumped when the derived layout's columns change, so existing databases rebuild it. */
const LAYOUT_VERSION = 4;

export const BASE_CACHE_TABLES_SQL = "SELECT table_name AS name FROM duckdb_tables() WHERE schema_name = 'main' AND table_name LIKE 'sim_base_%'";

/** Newest batch writing a source plus row counts (count(*) is answered from metadata). */
const SIGNATURE_SQL = `
  SELECT concat_ws('|', ${LAYOUT_VERSION},
    (SELECT coalesce(max(id), 0) FROM import_batches WHERE table_name IN (${SOURCES.map((t) => `'${t}'`).join(', ')})),
    (SELECT count(*) FROM kpi_lines), (SELECT count(*) FROM rater_scores), (SELECT count(*) FROM assessments),
    (SELECT count(*) FROM employees), (SELECT count(*) FROM metrics), (SELECT count(*) FROM periods),
    -- Merging roles moves rows without changing a count; it removes roles.
    (SELECT count(*) FROM roles)) AS sig`;

const slotAgg = Array.from(
  { length: KPI_SLOTS },
  (_, i) => `max(k.actual) FILTER (WHERE s.slot = ${i}) AS a${i}, max(k.target) FILTER (WHERE s.slot = ${i}) AS t${i}`,
).join(',\n      ');
const slotCols = Array.from({ length: KPI_SLOTS }, (_, i) => `k.a${i} AS a${i}, k.t${i} AS t${i}`).join(', ');
const raterAgg = RATER_RELATIONS.map((r) => `avg(score) FILTER (WHERE relation = '${r}') AS r_${r}`).join(', ');
const raterCols = RATER_RELATIONS.map((r) => `r.r_${r} AS r_${r}`).join(', ');

/**
 * The employee index and what the layout copies per employee, kept as sim_employees so that the
 * per-period refresh (simulation-incremental.ts) can tell whether they still hold. The index is
 * unique and in id order whatever order the keys were handed out in (ties in the simulator's lists
 * break by it); it is not dense, and nothing needs it to be.
 */
export const EMPLOYEES_SQL = `
  SELECT k.key AS ekey, e.id AS employee_id, CAST(e.monthly_salary AS DOUBLE) AS salary, e.role,
         CAST(row_number() OVER (ORDER BY e.id) AS INTEGER) AS emp_idx
    FROM employees e JOIN employee_keys k ON k.id = e.id`;

/** Month periods in order: their ordinal is the layout's period key. */
export const PERIOD_ORDER_SQL = `SELECT CAST(row_number() OVER (ORDER BY start_date, id) - 1 AS SMALLINT) AS ord, id AS period_id, start_date FROM periods WHERE kind = 'month'`;

/** Restricts the layout's rows to some months (the per-period refresh): their ids and period keys. */
export interface LayoutMonths {
  ids: string[];
  keys: number[];
}

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

/**
 * sim_facts' rows, all of them or those of some months. The months are written out as constants,
 * not joined, so DuckDB skips the row groups of other months while scanning (the fact tables are
 * stored month by month).
 */
export function factsSelectSql(months?: LayoutMonths): string {
  const ids = months ? (months.ids.length ? months.ids.map(lit).join(', ') : 'NULL') : null;
  const keys = months ? (months.keys.length ? months.keys.map((k) => String(Math.trunc(k))).join(', ') : 'NULL') : null;
  const and = (cond: string) => (months ? ` AND ${cond}` : '');
  const where = (cond: string) => (months ? ` WHERE ${cond}` : '');
  // Keyed: joins, windows and grouping run on the integer keys of the KPI dictionaries
  // (migration 21) and month ordinals, not on employee and period id strings; at 200,000
  // employees the string partitions and joins were most of an ~85 s build.
  return `
   -- Computed here rather than read from sim_employees (the same rows): read from the table,
   -- DuckDB 1.5 planned the 200,000-employee build past its 4 GB memory limit (20 s inline).
   WITH er AS (${EMPLOYEES_SQL}),
   pk AS (SELECT k.key AS pkey, p.ord FROM period_keys k JOIN sim_periods p ON p.period_id = k.id${where(`p.period_id IN (${ids})`)}),
   slots AS (
     SELECT er.ekey, c.key AS kpi_key, s.slot
       FROM er JOIN sim_kpi_slots s ON s.role = er.role JOIN kpi_codes c ON c.code = s.kpi_code
   ),
   k AS (
     SELECT k.employee_key AS ekey, pk.ord,
      ${slotAgg}
       FROM kpi_lines k
       JOIN slots s ON s.ekey = k.employee_key AND s.kpi_key = k.kpi_key
       JOIN pk ON pk.pkey = k.period_key${where(`k.period_key IN (${keys})`)}
      GROUP BY k.employee_key, pk.ord
   ),
   r AS (SELECT employee_id, period_id, ${raterAgg} FROM rater_scores${where(`period_id IN (${ids})`)} GROUP BY employee_id, period_id),
   m AS (
     SELECT employee_id, period_id,
            sum(value) FILTER (WHERE metric = 'order_total') AS order_total,
            max(value) FILTER (WHERE metric = 'supervisor_ratio') AS supervisor_ratio,
            sum(value) FILTER (WHERE metric = 'complaint_exposure') AS complaints
       FROM metrics WHERE employee_id IS NOT NULL AND metric IN ('order_total', 'supervisor_ratio', 'complaint_exposure')${and(`period_id IN (${ids})`)}
      GROUP BY employee_id, period_id
   ),
   base AS (
     -- Only employees on file with KPI lines reach the layout, so the inner join to er drops nothing the KPI join keeps.
     SELECT p.ord, a.period_id, a.employee_id, er.ekey, er.emp_idx, a.org_unit_id, a.role, a.scheme_id,
            a.score, a.grade, a.coefficient, a.bonus,
            er.salary, m.order_total, m.supervisor_ratio, coalesce(m.complaints, 0) AS complaints
       FROM assessments a
       JOIN sim_periods p ON p.period_id = a.period_id
       JOIN er ON er.employee_id = a.employee_id
       LEFT JOIN m ON m.employee_id = a.employee_id AND m.period_id = a.period_id${where(`a.period_id IN (${ids})`)}
      -- One row per employee and month even if rows bypassed the importer's duplicate check
      -- (the later batch wins, as an import with 'replace' would have it): a one-month run
      -- relies on it to skip grouping per employee.
     QUALIFY row_number() OVER (PARTITION BY er.ekey, p.ord ORDER BY a.batch_id DESC NULLS LAST, a.source_row DESC NULLS LAST) = 1
   )
   SELECT b.ord AS period_ord, b.period_id, b.emp_idx,
          b.employee_id, b.org_unit_id, b.role, b.scheme_id,
          b.score AS rec_score, b.grade AS rec_grade, b.coefficient AS rec_coefficient, b.bonus AS rec_bonus,
          b.salary, b.order_total,
          -- Seed 001: the supervisor's assessment pays 60–140%; without a recorded ratio it is read
          -- off the supervisor's 0–100 score linearly (60 → 60%, 100 → 140%).
          coalesce(b.supervisor_ratio, least(1.4, greatest(0.6, 0.6 + ((r.r_supervisor - 60) / 40) * 0.8))) AS supervisor_ratio,
          -- Running sums over the quarter and year: filled in by complaintsSql.
          b.complaints AS complaints_m, CAST(0 AS DOUBLE) AS complaints_q, CAST(0 AS DOUBLE) AS complaints_y,
          ${raterCols}, ${slotCols}
     FROM base b
     JOIN k ON k.ekey = b.ekey AND k.ord = b.ord
     LEFT JOIN r ON r.employee_id = b.employee_id AND r.period_id = b.period_id
    ORDER BY b.ord, b.role, b.org_unit_id, b.employee_id`;
}

/**
 * Complaints so far this quarter and this year, per employee-month, for every row or for the rows
 * of some years (a sum from January on changes from the first changed month to December). Only
 * months with complaints (87k of 5.2M rows at 200,000 employees) are windowed; each later month of
 * the same employee and quarter (year) takes the sum of the latest of them. Zeros add nothing to a
 * sum, so this equals a running sum over every month, which as a window partitioned per
 * employee-quarter took ~40 s of CPU. Rows it does not reach keep the 0 they were written with.
 */
export function complaintsSql(years?: number[]): string {
  const inYears = years ? ` WHERE year(start_date) IN (${years.length ? years.map((y) => String(Math.trunc(y))).join(', ') : 'NULL'})` : '';
  return `UPDATE sim_facts SET complaints_q = u.q, complaints_y = u.y
     FROM (
       WITH p AS (SELECT ord, year(start_date) AS yr, quarter(start_date) AS qr FROM sim_periods${inYears}),
       nz AS (SELECT f.emp_idx, f.period_ord AS ord, p.yr, p.qr, f.complaints_m AS c FROM sim_facts f JOIN p ON p.ord = f.period_ord WHERE f.complaints_m <> 0),
       cq AS (
         SELECT emp_idx, yr, qr, ord, sum(c) OVER w AS v, lead(ord, 1, 32767) OVER w AS next
           FROM nz WINDOW w AS (PARTITION BY emp_idx, yr, qr ORDER BY ord)
       ),
       cy AS (
         SELECT emp_idx, yr, ord, sum(c) OVER w AS v, lead(ord, 1, 32767) OVER w AS next
           FROM nz WINDOW w AS (PARTITION BY emp_idx, yr ORDER BY ord)
       )
       SELECT f.rowid AS rid, coalesce(cq.v, 0) AS q, cy.v AS y
         FROM sim_facts f
         JOIN p ON p.ord = f.period_ord
         JOIN cy ON cy.emp_idx = f.emp_idx AND cy.yr = p.yr AND f.period_ord >= cy.ord AND f.period_ord < cy.next
         LEFT JOIN cq ON cq.emp_idx = f.emp_idx AND cq.yr = p.yr AND cq.qr = p.qr AND f.period_ord >= cq.ord AND f.period_ord < cq.next
     ) u
    WHERE sim_facts.rowid = u.rid`;
}

/** Slots per role in code order; the role is the employee's (a KPI line carries none). */
export const SLOTS_SQL = `
   SELECT role, kpi_code, CAST(row_number() OVER (PARTITION BY role ORDER BY kpi_code) - 1 AS SMALLINT)
     FROM (SELECT DISTINCT e.role, k.kpi_code FROM kpi_results k JOIN employees e ON e.id = k.employee_id)
   QUALIFY row_number() OVER (PARTITION BY role ORDER BY kpi_code) <= ${KPI_SLOTS}`;

const REBUILD_SQL = [
  'DELETE FROM sim_periods',
  `INSERT INTO sim_periods ${PERIOD_ORDER_SQL}`,
  'DELETE FROM sim_kpi_slots',
  `INSERT INTO sim_kpi_slots ${SLOTS_SQL}`,
  // Replaced rather than refilled: the layout is derived, and its columns may change with
  // LAYOUT_VERSION without a migration (the migration 20 table is the initial shape).
  `CREATE OR REPLACE TABLE sim_employees AS ${EMPLOYEES_SQL}`,
  `CREATE OR REPLACE TABLE sim_facts AS ${factsSelectSql()}`,
  complaintsSql(),
];

/** The layout from scratch, on `conn` (inside the caller's transaction). */
export async function rebuildLayoutOn(conn: DuckDBConnection): Promise<void> {
  for (const sql of REBUILD_SQL) await conn.run(sql);
}

let lastReport: LayoutRefreshReport | null = null;
/** How the last layout refresh in this process went (tests and the import benchmark read it). */
export function lastLayoutRefresh(): LayoutRefreshReport | null {
  return lastReport;
}

/**
 * What changed in sim_facts from one layout signature to the next, for each month-by-month
 * refresh since the last rebuild (the most recent MAX_STEPS): base-scheme caches of an older
 * layout carry over to the current one by scoring only the rows changed since
 * (simulation-base.ts). A rebuild clears them, and drops the caches.
 */
export interface LayoutDelta extends LayoutChange {
  from: string;
  to: string;
}
const MAX_STEPS = 32;
const deltas = new WeakMap<Warehouse, LayoutDelta[]>();

/** The layouts since which the rows changed are known, newest first, with those rows. */
export function layoutHistory(wh: Warehouse, to: string): LayoutDelta[] {
  const steps = deltas.get(wh) ?? [];
  if (!steps.length || steps[steps.length - 1]!.to !== to) return [];
  const out: LayoutDelta[] = [];
  let acc: LayoutDelta | null = null;
  for (let i = steps.length - 1; i >= 0; i--) {
    const s = steps[i]!;
    if (acc && acc.from !== s.to) break;
    acc = acc
      ? {
          from: s.from, to,
          months: [...new Set([...s.months, ...acc.months])],
          ords: [...new Set([...s.ords, ...acc.ords])].sort((a, b) => a - b),
          employees: [...new Set([...s.employees, ...acc.employees])],
        }
      : { ...s };
    out.push(acc);
  }
  return out;
}

/**
 * Brings sim_facts up to date: only the months that import batches touched when that gives the
 * same table (simulation-incremental.ts), otherwise from scratch.
 */
async function refreshOn(conn: DuckDBConnection): Promise<{ stored: string | null; current: string; change: LayoutChange | null }> {
  const t0 = performance.now();
  const [state] = (
    await conn.runAndReadAll(`SELECT (${SIGNATURE_SQL}) AS current, (SELECT signature FROM sim_state WHERE id = 1) AS stored`)
  ).getRowObjectsJson() as Array<{ current: string; stored: string | null }>;
  const steps: Record<string, number> = {};
  const change: LayoutChange = { months: [], ords: [], employees: [] };
  const reason = await refreshLayoutMonthsOn(conn, state!.stored, state!.current, steps, change);
  if (reason) {
    await rebuildLayoutOn(conn);
    // Base-scheme caches were scored from the old facts.
    const stale = (await conn.runAndReadAll(BASE_CACHE_TABLES_SQL)).getRowObjectsJson() as Array<{ name: string }>;
    for (const t of stale) if (/^sim_base_[0-9a-f]+$/.test(t.name)) await conn.run(`DROP TABLE IF EXISTS ${t.name}`);
  }
  await conn.run(
    `INSERT INTO sim_state VALUES (1, $sig, current_timestamp)
     ON CONFLICT (id) DO UPDATE SET signature = excluded.signature, refreshed_at = excluded.refreshed_at`,
    { sig: state!.current },
  );
  lastReport = { mode: reason ? 'full' : 'incremental', reason, months: change.months, ms: Math.round(performance.now() - t0), steps: reason ? {} : steps };
  return { stored: state!.stored, current: state!.current, change: reason ? null : change };
}

export async function refreshSimulationLayout(wh: Warehouse): Promise<void> {
  const r = await wh.transaction((conn) => refreshOn(conn));
  if (!r.change || r.stored === null) deltas.delete(wh);
  else {
    const steps = deltas.get(wh) ?? [];
    steps.push({ from: r.stored, to: r.current, ...r.change });
    if (steps.length > MAX_STEPS) steps.shift();
    deltas.set(wh, steps);
  }
}

/**
 * The signature check costs a few row counts; while an analyst edits, runs come every few
 * hundred ms, so a fresh check is reused for CHECK_TTL_MS. Writes through PerfLens refresh the
 * derived analytics tables in their own transaction anyway; at worst a run within 2 s of an
 * import still sees the previous layout.
 */
const CHECK_TTL_MS = 2000;
const lastCheck = new WeakMap<Warehouse, { at: number; sig: string }>();
const inFlight = new WeakMap<Warehouse, Promise<string>>();

/** Forget the cached signature (tests that write directly, then expect a rebuild). */
export function invalidateSimulationLayout(wh: Warehouse): void {
  lastCheck.delete(wh);
}

/**
 * Rebuilds sim_facts when the canonical data changed since the last build. Single flight: the
 * check and any rebuild are one shared promise, so runs arriving together after an import
 * (a rebuild takes most of a minute at 200,000 employees) wait for one rebuild, not start two.
 */
export function ensureSimulationLayout(wh: Warehouse, options: { recheck?: boolean } = {}): Promise<string> {
  const cached = lastCheck.get(wh);
  // `recheck`: right after a write (derived-refresh.ts), when a check of 2 s ago says nothing.
  if (cached && !options.recheck && performance.now() - cached.at < CHECK_TTL_MS) return Promise.resolve(cached.sig);
  let p = inFlight.get(wh);
  if (!p) {
    p = wh.detached(() => checkLayout(wh))
      .then((sig) => {
        lastCheck.set(wh, { at: performance.now(), sig });
        return sig;
      })
      .finally(() => inFlight.delete(wh));
    inFlight.set(wh, p);
  }
  return p;
}

async function checkLayout(wh: Warehouse): Promise<string> {
  const [state] = await wh.query<{ current: string; stored: string | null }>(
    `SELECT (${SIGNATURE_SQL}) AS current, (SELECT signature FROM sim_state WHERE id = 1) AS stored`,
  );
  if (state!.current !== state!.stored) await refreshSimulationLayout(wh);
  return state!.current;
}

/** KPI code → slot for one role, as built by the last refresh. */
const slotCache = new WeakMap<Warehouse, Map<string, Map<string, number>>>();

export async function kpiSlots(wh: Warehouse, role: string, signature?: string): Promise<Map<string, number>> {
  const key = `${signature ?? ''}|${role}`;
  const hit = signature !== undefined ? slotCache.get(wh)?.get(key) : undefined;
  if (hit) return hit;
  const rows = await wh.query<{ kpi_code: string; slot: number }>('SELECT kpi_code, slot FROM sim_kpi_slots WHERE role = $role', { role });
  const map = new Map(rows.map((r) => [r.kpi_code, r.slot]));
  if (signature !== undefined) {
    const m = slotCache.get(wh) ?? new Map<string, Map<string, number>>();
    m.set(key, map);
    slotCache.set(wh, m);
  }
  return map;
}

const periodCache = new WeakMap<Warehouse, { sig: string; ords: Map<string, number> }>();

/** Month period id → ordinal in sim_facts, cached per layout signature. */
export async function monthOrdinals(wh: Warehouse, signature: string): Promise<Map<string, number>> {
  const hit = periodCache.get(wh);
  if (hit && hit.sig === signature) return hit.ords;
  const rows = await wh.query<{ period_id: string; ord: number }>('SELECT period_id, CAST(ord AS INTEGER) AS ord FROM sim_periods ORDER BY ord');
  const ords = new Map(rows.map((r) => [r.period_id, r.ord]));
  periodCache.set(wh, { sig: signature, ords });
  return ords;
}

/**
 * The compiler's view of sim_facts. Every column name here is a constant of this file or a
 * slot number; scheme codes only select among them.
 */
export function simSource(from: string, slots: ReadonlyMap<string, number>, passthrough: readonly string[]): SqlSource {
  return {
    from,
    kpi: (code) => {
      const s = slots.get(code);
      return s === undefined ? null : { actual: `a${s}`, target: `t${s}` };
    },
    rater: (rel) => `r_${rel}`,
    event: (code, window) => (code === 'complaint_exposure' ? `complaints_${window === 'month' ? 'm' : window === 'quarter' ? 'q' : 'y'}` : null),
    salary: 'salary',
    orderTotal: 'order_total',
    supervisorRatio: 'supervisor_ratio',
    passthrough,
  };
}
