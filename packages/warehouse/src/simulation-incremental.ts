import type { DuckDBConnection } from '@duckdb/node-api';
import { KPI_SLOTS } from './migrations/020_simulation.ts';
import { complaintsSql, EMPLOYEES_SQL, factsSelectSql, PERIOD_ORDER_SQL } from './queries/simulation-layout.ts';

/**
 * The per-month refresh of the simulator's layout (sim_facts) after import batches (issue 15).
 *
 * A rebuild pivots every KPI line of the history (36M at 200,000 employees × 36 months with KPI
 * lines). Import batches of facts only change the months their rows name, so only those months'
 * rows are deleted and written again, the same way the rebuild writes them (factsSelectSql). What
 * the layout carries across months is checked first, and anything that would move it means a
 * rebuild instead:
 * - month ordinals (sim_periods): kept when new months come after the known ones;
 * - KPI slots per role (sim_kpi_slots): kept when the batches bring no (role, KPI) pair that
 *   would take a slot;
 * - the employee index and each employee's role (sim_employees): kept when new employees' ids sort
 *   after everyone's on file (a new hire's usually do) and nobody changed role; a changed monthly
 *   salary is written into that person's rows;
 * - complaints so far this quarter and year: recomputed for the years of the touched months.
 *
 * The batches are those after the one the stored layout signature names (simulation-layout.ts);
 * any write that bypassed the importers, a batch of dimensions, or a batch undone leaves the
 * signature in a state this does not explain, and the caller rebuilds.
 */

/** Import tables whose batches only add or replace facts of the months they name. */
const FACT_TABLES = ['kpi_results', 'rater_scores', 'assessments', 'metrics', 'flat'];

/** Temp tables of one refresh; they live on the transaction's connection and are dropped after. */
const TEMPS = ['sim_inc_employees', 'sim_inc_periods', 'sim_inc_months'] as const;

async function dropTemps(conn: DuckDBConnection): Promise<void> {
  for (const t of TEMPS) await conn.run(`DROP TABLE IF EXISTS ${t}`);
}

/** The parts of a layout signature (SIGNATURE_SQL): version, newest batch, then row counts, roles last. */
interface Signature {
  version: string;
  batch: number;
  roles: string;
}

function parse(sig: string): Signature {
  const parts = sig.split('|');
  return { version: parts[0] ?? '', batch: Number(parts[1] ?? NaN), roles: parts[parts.length - 1] ?? '' };
}

export interface LayoutRefreshReport {
  mode: 'full' | 'incremental';
  /** Full: why the per-month path was not taken. */
  reason: string | null;
  /** Incremental: the months rewritten. */
  months: string[];
  ms: number;
  /** ms per step (the import benchmark prints them). */
  steps: Record<string, number>;
}

const rows = async <T>(conn: DuckDBConnection, sql: string, params?: Record<string, unknown>): Promise<T[]> =>
  (await conn.runAndReadAll(sql, params as never)).getRowObjectsJson() as T[];

/**
 * Refreshes sim_facts month by month on `conn` (inside the caller's transaction) when the change
 * from the `stored` signature to `current` allows it. Returns the reason it does not (having
 * written nothing), or null when it has refreshed.
 */
/**
 * Which rows of sim_facts the per-month refresh changed, so that a base scheme's scores
 * (simulation-base.ts) need computing again for those rows only.
 */
export interface LayoutChange {
  /** The months rewritten. */
  months: string[];
  /** Ordinals whose rows changed: those months, and the later months of their years (year-to-date sums). */
  ords: number[];
  /** Employees whose salary changed (every month of theirs). */
  employees: string[];
}

export async function refreshLayoutMonthsOn(
  conn: DuckDBConnection,
  stored: string | null,
  current: string,
  steps: Record<string, number>,
  change: LayoutChange,
): Promise<string | null> {
  if (stored === null) return 'no layout yet';
  const before = parse(stored);
  const now = parse(current);
  if (before.version !== now.version) return 'the layout changed shape';
  if (!(now.batch > before.batch)) return 'the data changed outside an import';
  if (before.roles !== now.roles) return 'the roles changed';
  const step = async (name: string, sql: string, params?: Record<string, unknown>) => {
    const t = performance.now();
    await conn.run(sql, params as never);
    steps[name] = (steps[name] ?? 0) + Math.round(performance.now() - t);
  };
  const b = { b: before.batch };

  const [tables] = await rows<{ other: number }>(
    conn,
    `SELECT count(*) FILTER (WHERE table_name NOT IN (${FACT_TABLES.map((t) => `'${t}'`).join(', ')}))::INTEGER AS other
       FROM import_batches WHERE id > $b`,
    b,
  );
  if (tables!.other > 0) return 'a batch changed more than facts';

  try {
    // Employees: the index must keep its numbers and nobody may change role.
    await step('employees', `CREATE TEMP TABLE sim_inc_employees AS ${EMPLOYEES_SQL}`);
    const [emp] = await rows<{ gone: number; role: number; moved: number }>(
      conn,
      `SELECT count(*) FILTER (WHERE n.employee_id IS NULL)::INTEGER AS gone,
              count(*) FILTER (WHERE o.role IS DISTINCT FROM n.role OR o.ekey <> n.ekey)::INTEGER AS role,
              count(*) FILTER (WHERE o.emp_idx <> n.emp_idx)::INTEGER AS moved
         FROM sim_employees o LEFT JOIN sim_inc_employees n ON n.employee_id = o.employee_id`,
    );
    if (emp!.gone + emp!.role > 0) return 'an employee left the file or changed role';
    if (emp!.moved > 0) return "new employees' ids sort among existing ones";

    // Months: the known ones keep their ordinals.
    await step('months', `CREATE TEMP TABLE sim_inc_periods AS ${PERIOD_ORDER_SQL}`);
    const [per] = await rows<{ moved: number }>(
      conn,
      `SELECT count(*)::INTEGER AS moved FROM sim_periods o LEFT JOIN sim_inc_periods n ON n.period_id = o.period_id WHERE n.ord IS DISTINCT FROM o.ord`,
    );
    if (per!.moved > 0) return 'a new month comes before a known one';

    // KPI slots: a pair the batches bring is either known or would not have taken a slot (its
    // role's slots are full with codes that sort before it).
    const [slots] = await rows<{ n: number }>(
      conn,
      `WITH pairs AS (
         SELECT DISTINCT e.role, c.code FROM kpi_lines k
           JOIN sim_inc_employees e ON e.ekey = k.employee_key JOIN kpi_codes c ON c.key = k.kpi_key
          WHERE k.batch_id > $b),
       taken AS (SELECT role, count(*) AS n, max(kpi_code) AS last FROM sim_kpi_slots GROUP BY role)
       SELECT count(*)::INTEGER AS n FROM pairs p
         LEFT JOIN sim_kpi_slots s ON s.role = p.role AND s.kpi_code = p.code
         LEFT JOIN taken t ON t.role = p.role
        WHERE s.slot IS NULL AND NOT (coalesce(t.n, 0) >= ${KPI_SLOTS} AND p.code > t.last)`,
      b,
    );
    if (slots!.n > 0) return 'a KPI the layout has no slot for';

    // The months the batches wrote facts of.
    await step('touched', `CREATE TEMP TABLE sim_inc_months AS
      SELECT n.period_id AS id, n.ord, pk.key, year(n.start_date) AS yr
        FROM sim_inc_periods n JOIN period_keys pk ON pk.id = n.period_id
       WHERE n.period_id IN (SELECT period_id FROM assessments WHERE batch_id > $b
                             UNION SELECT period_id FROM rater_scores WHERE batch_id > $b
                             UNION SELECT period_id FROM metrics WHERE batch_id > $b
                             UNION SELECT p.id FROM kpi_lines k JOIN period_keys p ON p.key = k.period_key WHERE k.batch_id > $b)`, b);
    const touched = await rows<{ id: string; ord: number; key: number; yr: number }>(conn, 'SELECT id, ord::INTEGER AS ord, key::INTEGER AS key, yr::INTEGER AS yr FROM sim_inc_months ORDER BY ord');
    const [all] = await rows<{ n: number }>(conn, 'SELECT count(*)::INTEGER AS n FROM sim_inc_periods');
    if (touched.length * 2 > all!.n) return 'more than half of the months changed';

    const paid = await rows<{ id: string }>(
      conn,
      'SELECT n.employee_id AS id FROM sim_employees o JOIN sim_inc_employees n ON n.employee_id = o.employee_id WHERE o.salary IS DISTINCT FROM n.salary ORDER BY 1',
    );
    const later = await rows<{ ord: number }>(
      conn,
      `SELECT p.ord::INTEGER AS ord FROM sim_inc_periods p JOIN (SELECT yr, min(ord) AS first FROM sim_inc_months GROUP BY yr) t
         ON year(p.start_date) = t.yr AND p.ord >= t.first ORDER BY 1`,
    );

    // Write: new employees and months, changed salaries, then the touched months' rows.
    await step('employees', 'INSERT INTO sim_employees SELECT n.* FROM sim_inc_employees n WHERE n.employee_id NOT IN (SELECT employee_id FROM sim_employees)');
    await step('salaries', `UPDATE sim_facts f SET salary = n.salary FROM (
        SELECT n.employee_id, n.salary FROM sim_employees o JOIN sim_inc_employees n ON n.employee_id = o.employee_id WHERE o.salary IS DISTINCT FROM n.salary) n
      WHERE f.employee_id = n.employee_id`);
    await step('salaries', `UPDATE sim_employees o SET salary = n.salary FROM sim_inc_employees n WHERE n.employee_id = o.employee_id AND o.salary IS DISTINCT FROM n.salary`);
    await step('months', 'INSERT INTO sim_periods SELECT * FROM sim_inc_periods WHERE period_id NOT IN (SELECT period_id FROM sim_periods)');
    if (touched.length) {
      const ords = touched.map((t) => t.ord).join(', ');
      await step('facts delete', `DELETE FROM sim_facts WHERE period_ord IN (${ords})`);
      await step('facts insert', `INSERT INTO sim_facts ${factsSelectSql({ ids: touched.map((t) => t.id), keys: touched.map((t) => t.key) })}`);
      // Running complaint sums: every month of a touched year from January on is written again.
      const years = [...new Set(touched.map((t) => t.yr))];
      await step('complaints', `UPDATE sim_facts SET complaints_q = 0, complaints_y = 0
        WHERE period_ord IN (SELECT ord FROM sim_periods WHERE year(start_date) IN (${years.join(', ')})) AND (complaints_q <> 0 OR complaints_y <> 0)`);
      await step('complaints', complaintsSql(years));
    }
    change.months = touched.map((t) => t.id);
    change.ords = later.map((r) => r.ord);
    change.employees = paid.map((r) => r.id);
    return null;
  } finally {
    await dropTemps(conn).catch(() => undefined);
  }
}
