import { createHash } from 'node:crypto';
import { compileSchemeSql, RATER_RELATIONS, SCHEME_SQL_VERSION, type Scheme } from '@perflens/core';
import type { Warehouse } from '../db.ts';
import { KPI_SLOTS } from '../migrations/020_simulation.ts';
import { BASE_CACHE_TABLES_SQL, layoutHistory, simSource, type LayoutDelta } from './simulation-layout.ts';

/** sim_facts columns the scenario may read, carried into each base cache. */
export const INPUT_COLS = [
  'salary',
  'order_total',
  'supervisor_ratio',
  'complaints_m',
  'complaints_q',
  'complaints_y',
  ...RATER_RELATIONS.map((r) => `r_${r}`),
  ...Array.from({ length: KPI_SLOTS }, (_, i) => [`a${i}`, `t${i}`]).flat(),
];
const KEY_COLS = ['period_ord', 'period_id', 'emp_idx', 'employee_id', 'org_unit_id', 'rec_score', 'rec_grade', 'rec_coefficient', 'rec_bonus'];
const MAX_CACHES = 8;

interface CacheState {
  building: Map<string, Promise<void>>;
  recent: string[];
  /** Tables seen to exist; a layout rebuild drops them, but also changes the signature in their name. */
  known: Set<string>;
  /** The base schemes of the most recent runs (by their JSON), whose caches a layout refresh carries over. */
  bases: Map<string, { base: Scheme; slots: ReadonlyMap<string, number> }>;
}
const states = new WeakMap<Warehouse, CacheState>();

/**
 * The base scheme scored once over its role's whole history: the role's sim_facts rows with the
 * base score, grade, bonus, every weighted line (bw0…) and the rater composite. An analyst edits
 * one or two things at a time, so a run then recomputes only the lines that changed and reads
 * the rest (and the whole baseline) from here. Named by a hash of the scheme and the layout
 * signature, so a data change or a different base never reads stale numbers. No ORDER BY:
 * DuckDB keeps insertion order, and sim_facts is already in period order (zone maps stay tight).
 */
/** The cache table of a base scheme over the layout with this signature. */
function cacheTable(base: Scheme, signature: string): string {
  // Scored by today's compiler: a cache from an older one may round differently.
  const key = createHash('sha256').update(JSON.stringify(base)).update('\0').update(signature).update(`\0${SCHEME_SQL_VERSION}`).digest('hex').slice(0, 20);
  return `sim_base_${key}`;
}

function stateOf(wh: Warehouse): CacheState {
  let st = states.get(wh);
  if (!st) states.set(wh, (st = { building: new Map(), recent: [], known: new Set(), bases: new Map() }));
  return st;
}

export async function ensureBaseScores(wh: Warehouse, base: Scheme, slots: ReadonlyMap<string, number>, signature: string): Promise<string> {
  const table = cacheTable(base, signature);
  const st = stateOf(wh);
  const { building, recent, known } = st;
  const id = JSON.stringify(base);
  st.bases.delete(id);
  st.bases.set(id, { base, slots });
  if (st.bases.size > MAX_CACHES) st.bases.delete(st.bases.keys().next().value!);
  const touch = () => {
    const i = recent.indexOf(table);
    if (i >= 0) recent.splice(i, 1);
    recent.push(table);
  };
  const pending = building.get(table);
  if (pending) {
    await pending;
    touch();
    return table;
  }
  if (known.has(table)) {
    touch();
    return table;
  }
  // Registered before the first await: runs arriving together must share one look-up and one
  // build, not race two CREATE TABLEs of the same cache.
  const p = wh.detached(async () => {
    const existing = await wh.query<{ name: string }>(BASE_CACHE_TABLES_SQL);
    if (existing.some((t) => t.name === table)) return;
    // After a month-by-month layout refresh, the previous layout's cache of this base keeps every
    // row the refresh did not change (schemes score each row on its own): only the changed rows
    // are scored again, a month of one role instead of its whole history (2.2 s at 200,000).
    const since = layoutHistory(wh, signature).find((d) => existing.some((t) => t.name === cacheTable(base, d.from)));
    const previous = since ? cacheTable(base, since.from) : null;
    const changed = since ? changedRowsSql(since) : 'true';
    const carry = previous !== null;
    const compiled = compileSchemeSql(base, simSource(`(SELECT * FROM sim_facts WHERE role = $role${carry ? ` AND (${changed})` : ''}) f`, slots, [...KEY_COLS, ...INPUT_COLS]), { keepLines: true });
    const lines = base.kpis.map((_, i) => `w${i} AS bw${i}`);
    const scored = `SELECT ${[...KEY_COLS, ...INPUT_COLS].join(', ')}, score AS base_score, grade AS base_grade, coefficient AS base_coefficient,
                bonus AS base_bonus, bonus_missing AS base_missing, ${lines.join(', ')}, composite AS b_composite
           FROM (${compiled.sql}) c`;
    await wh.transaction(async (conn) => {
      // Kept rows first, in the order they were stored (period order); the changed ones after.
      await conn.run(`CREATE TABLE IF NOT EXISTS ${table} AS ${carry ? `SELECT * FROM ${previous} WHERE NOT (${changed}) UNION ALL ` : ''}${scored}`, { role: base.role });
      if (carry) await conn.run(`DROP TABLE IF EXISTS ${previous}`);
    });
    if (carry) known.delete(previous);
    // Keep the few most recent bases; older ones are rebuilt on demand.
    const all = await wh.query<{ name: string }>(BASE_CACHE_TABLES_SQL);
    if (all.length > MAX_CACHES)
      for (const t of all) if (t.name !== table && !recent.slice(-MAX_CACHES + 1).includes(t.name) && /^sim_base_[0-9a-f]+$/.test(t.name)) {
          await wh.run(`DROP TABLE IF EXISTS ${t.name}`);
          known.delete(t.name);
        }
  }).finally(() => building.delete(table));
  building.set(table, p);
  await p;
  known.add(table);
  touch();
  return table;
}

/** The sim_facts rows month-by-month refreshes changed (a condition on a cache's or sim_facts' columns). */
function changedRowsSql(delta: LayoutDelta): string {
  const ords = delta.ords.length ? `period_ord IN (${delta.ords.map((o) => String(Math.trunc(o))).join(', ')})` : 'false';
  const people = delta.employees.length ? ` OR employee_id IN (${delta.employees.map((e) => `'${e.replace(/'/g, "''")}'`).join(', ')})` : '';
  return ords + people;
}

/**
 * After a month-by-month layout refresh (the background refresh calls this): the caches of the
 * base schemes of recent runs move to the new layout now, so the next run finds them ready, and
 * caches of older layouts are dropped.
 */
export async function carryBaseCaches(wh: Warehouse): Promise<void> {
  const st = stateOf(wh);
  const current = (await wh.query<{ sig: string }>('SELECT signature AS sig FROM sim_state WHERE id = 1'))[0]?.sig;
  if (current === undefined || !layoutHistory(wh, current).length) return;
  const keep = new Set<string>();
  for (const { base, slots } of [...st.bases.values()]) {
    const existing = await wh.query<{ name: string }>(BASE_CACHE_TABLES_SQL);
    const carried = layoutHistory(wh, current).some((d) => existing.some((t) => t.name === cacheTable(base, d.from)));
    keep.add(carried ? await ensureBaseScores(wh, base, slots, current) : cacheTable(base, current));
  }
  for (const t of await wh.query<{ name: string }>(BASE_CACHE_TABLES_SQL))
    if (!keep.has(t.name) && /^sim_base_[0-9a-f]+$/.test(t.name) && !st.building.has(t.name)) {
      await wh.run(`DROP TABLE IF EXISTS ${t.name}`);
      st.known.delete(t.name);
    }
}
