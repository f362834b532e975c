import type { Warehouse } from './db.ts';
import { ensureAnalytics } from './analytics.ts';
import { scopeKey } from './queries/filter-sql.ts';

/**
 * Recent answers of the overview's aggregate panels (grade mix, score histogram, box plots per
 * unit), kept until the next unit of work that could write. Everyone who opens the dashboard
 * lands on the same overview, and its unfiltered panels are the most expensive ones (the whole
 * history: 30–50 ms for the box plots at 200,000 employees × 36 months, on cores the heavy
 * analyses share). Repeating them from here takes well under a millisecond.
 *
 * - Keyed by the panel, its parsed filters and the caller's org scope: an answer never crosses
 *   from one scope to another. Role masking and small-group suppression happen after, per
 *   request (packages/api access.ts), on a copy.
 * - Valid for one write generation (Warehouse.writeGeneration): any import, edit or rebuild
 *   makes every kept answer stale; an answer read while a write ran is kept under the older
 *   generation and so never served after it.
 * - At most MAX_ANSWERS, least recently used dropped first: the filters people pick are many,
 *   the answers small (a few KB), so memory stays bounded whatever the traffic.
 * - Callers get a deep copy, so nothing downstream can change what the next caller receives.
 * - Concurrent callers with the same key share one read (detached from the first caller's time
 *   limit, like Warehouse.memo); a failed read is not kept.
 * - The panels read the analytics cube, which is brought up to date before the generation is
 *   read: a rebuild is a write of its own and would make the answer stale at once.
 */
export const MAX_ANSWERS = 256;

interface Entry {
  generation: number;
  value: Promise<unknown>;
}

const stores = new WeakMap<Warehouse, Map<string, Entry>>();

export async function memoAnswer<T>(wh: Warehouse, panel: string, filters: unknown, load: () => Promise<T>): Promise<T> {
  await ensureAnalytics(wh);
  let store = stores.get(wh);
  if (!store) stores.set(wh, (store = new Map()));
  const key = `${panel}\u0001${scopeKey()}\u0001${JSON.stringify(filters)}`;
  const generation = wh.writeGeneration;
  const hit = store.get(key);
  if (hit && hit.generation === generation) {
    // Most recently used last: Map keeps insertion order.
    store.delete(key);
    store.set(key, hit);
    return hit.value.then((v) => structuredClone(v) as T);
  }
  const value = wh.detached(load);
  store.set(key, { generation, value });
  while (store.size > MAX_ANSWERS) store.delete(store.keys().next().value!);
  const kept = store;
  value.catch(() => {
    if (kept.get(key)?.value === value) kept.delete(key);
  });
  return value.then((v) => structuredClone(v));
}

/** How many answers are kept for `wh` (tests). */
export function answersKept(wh: Warehouse): number {
  return stores.get(wh)?.size ?? 0;
}
