import type { DuckDBConnection } from '@duckdb/node-api';
import type { Warehouse } from '../db.ts';
import { ensureAnalytics } from '../analytics.ts';

/**
 * Which refresh of the analytics tables the cells reflect: the data signature plus the refresh
 * time, so that a rebuild of assessment_facts with an unchanged signature (a forced refresh)
 * also counts as a change. NULL before the first refresh.
 */
const SOURCE_SQL = `SELECT signature || '@' || CAST(refreshed_at AS VARCHAR) FROM analytics_state WHERE id = 1`;

const REBUILD_SQL = [
  'DELETE FROM ranking_cells',
  `INSERT INTO ranking_cells
   SELECT period_id, period_kind, period_start, org_unit_id, role, score, grade, count(*)::INTEGER
     FROM assessment_facts GROUP BY ALL
    ORDER BY period_kind, period_start, org_unit_id, role, score`,
  `INSERT INTO ranking_cells_state SELECT 1, coalesce((${SOURCE_SQL}), '')
   ON CONFLICT (id) DO UPDATE SET built_from = excluded.built_from`,
];

async function rebuildOn(conn: DuckDBConnection): Promise<void> {
  for (const sql of REBUILD_SQL) await conn.run(sql);
}

const inFlight = new WeakMap<Warehouse, Promise<void>>();
/** The write generation at which the cells were last seen current (as ensureAnalytics does). */
const verifiedAt = new WeakMap<Warehouse, number>();

/**
 * Makes sure ranking_cells (migration 011) matches assessment_facts: first the analytics tables,
 * then one small comparison query, and a rebuild (about a second on 7.2M assessments) only after
 * they changed. Skipped outright while no unit of work that could write has finished. Single
 * flight per warehouse, so concurrent first requests do not race into conflicting rebuilds.
 */
export function ensureRankingCells(wh: Warehouse): Promise<void> {
  let p = inFlight.get(wh);
  if (!p) {
    p = wh.detached(() => checkAndRebuild(wh)).finally(() => inFlight.delete(wh));
    inFlight.set(wh, p);
  }
  return p;
}

async function checkAndRebuild(wh: Warehouse): Promise<void> {
  await ensureAnalytics(wh);
  const generation = wh.writeGeneration;
  if (verifiedAt.get(wh) === generation) return;
  const [state] = await wh.query<{ fresh: boolean }>(
    `SELECT coalesce((${SOURCE_SQL}), '') = coalesce((SELECT built_from FROM ranking_cells_state WHERE id = 1), '-') AS fresh`,
  );
  if (state?.fresh) {
    verifiedAt.set(wh, generation);
    return;
  }
  // Source and cells are read in one transaction, so the recorded source is the one counted.
  await wh.transaction(rebuildOn);
  // The rebuild is itself a write; when it is the only one since the check began, the cells are current.
  verifiedAt.set(wh, wh.writeGeneration === generation + 1 ? generation + 1 : generation);
}
