import { CYCLES, type AnalysisFilters, type Cycle, type ResolvedAnalysisFilters } from '@perflens/core';
import type { Warehouse } from '../db.ts';
import { ensureAnalytics } from '../analytics.ts';
import { anyCycleFilterSql, scopeKey } from './filter-sql.ts';
import { orgSubtree } from './org-subtree.ts';

/**
 * Filter keys resolved since the last write, per warehouse. A company's dashboard asks the same
 * few filters over and over (every chart of a page, every page view), and the answer can only
 * change with the data. Bounded: a client walking through thousands of filters must not grow the
 * map for the life of the server.
 */
const cache = new WeakMap<Warehouse, { generation: number; byKey: Map<string, Promise<Cycle>> }>();
const MAX_KEYS = 1000;

/**
 * The cycle an analysis uses when the caller names none: the finest cycle (month < quarter <
 * year) that has assessments within the other filters (period range, org subtree, role), so a
 * company that reviews once a year sees its annual results without first picking "year".
 * Reads the small assessment cube (migration 004); 'month' when nothing matches at all.
 */
export async function resolveCycle(wh: Warehouse, filters: AnalysisFilters): Promise<Cycle> {
  await ensureAnalytics(wh);
  // Taken after ensureAnalytics: a rebuild it ran is itself a write.
  const generation = wh.writeGeneration;
  let entry = cache.get(wh);
  if (!entry || entry.generation !== generation || entry.byKey.size >= MAX_KEYS) cache.set(wh, (entry = { generation, byKey: new Map() }));
  const key = JSON.stringify([filters.from ?? null, filters.to ?? null, filters.orgUnitId ?? null, filters.role ?? null, scopeKey()]);
  let hit = entry.byKey.get(key);
  if (!hit) {
    const byKey = entry.byKey;
    hit = finestCycle(wh, filters);
    byKey.set(key, hit);
    // A failed read is not kept: the next request asks again.
    hit.catch(() => {
      if (byKey.get(key) === hit) byKey.delete(key);
    });
  }
  return hit;
}

async function finestCycle(wh: Warehouse, f: AnalysisFilters): Promise<Cycle> {
  const fs = anyCycleFilterSql(f, 'cube', f.orgUnitId === undefined ? undefined : await orgSubtree(wh, f.orgUnitId));
  // period_kind_t lists the cycles finest first (migration 003 builds it from CYCLES), so the
  // ENUM's minimum is the finest cycle present. The cube holds counts only for rows that exist.
  const [row] = await wh.query<{ kind: string | null }>(`${fs.with} SELECT min(a.period_kind)::VARCHAR AS kind FROM ${fs.from}`, fs.params);
  const kind = row?.kind ?? null;
  return kind !== null && (CYCLES as readonly string[]).includes(kind) ? (kind as Cycle) : 'month';
}

/** The filters with their cycle: the caller's, or the resolved one. */
export async function withResolvedCycle<F extends AnalysisFilters>(wh: Warehouse, f: F): Promise<F & ResolvedAnalysisFilters> {
  return { ...f, cycle: f.cycle ?? (await resolveCycle(wh, f)) };
}
