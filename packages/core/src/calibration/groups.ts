import { z } from 'zod';

/** How people are grouped for forced ranking (always within one period). */
export const CALIBRATION_GROUPINGS = ['company', 'orgUnit', 'role', 'orgUnitRole'] as const;
export type CalibrationGrouping = (typeof CALIBRATION_GROUPINGS)[number];
export const calibrationGroupingSchema = z.enum(CALIBRATION_GROUPINGS);

export interface OrgNode {
  id: string;
  parentId: string | null;
}

export interface PoolResult {
  /** Unit id → the unit whose group it ranks in (itself when big enough). */
  groupOf: Map<string, string>;
  /** Groups still below the minimum (the root, or a unit whose parents are all missing). */
  stillSmall: string[];
}

/**
 * Pools org units with fewer than `minSize` people into their parent, deepest first, so a small
 * team's people rank with its department instead of having quotas forced onto five people; a
 * parent that is still small after collecting its children moves up in turn. Units with no
 * people are ignored. A unit whose parent is unknown (bad data) stays on its own.
 */
export function poolSmallUnits(units: readonly OrgNode[], counts: ReadonlyMap<string, number>, minSize: number): PoolResult {
  const parent = new Map(units.map((u) => [u.id, u.parentId]));
  const depthMemo = new Map<string, number>();
  const depth = (id: string): number => {
    const known = depthMemo.get(id);
    if (known !== undefined) return known;
    depthMemo.set(id, 0); // guards against a cycle in bad parent data
    const p = parent.get(id);
    const d = p && parent.has(p) ? depth(p) + 1 : 0;
    depthMemo.set(id, d);
    return d;
  };
  const size = new Map<string, number>();
  for (const [id, n] of counts) size.set(id, (size.get(id) ?? 0) + n);
  const moved = new Map<string, string>();
  // Deepest first; ties by id so the order (and the result) is deterministic.
  const ids = [...new Set([...units.map((u) => u.id), ...counts.keys()])].sort((a, b) => depth(b) - depth(a) || (a < b ? -1 : a > b ? 1 : 0));
  for (const id of ids) {
    const n = size.get(id) ?? 0;
    if (n === 0 || n >= minSize) continue;
    const p = parent.get(id);
    if (!p || !parent.has(p) || moved.has(p)) continue;
    moved.set(id, p);
    size.set(p, (size.get(p) ?? 0) + n);
    size.set(id, 0);
  }
  const resolve = (id: string): string => {
    let cur = id;
    const seen = new Set<string>();
    while (moved.has(cur) && !seen.has(cur)) {
      seen.add(cur);
      cur = moved.get(cur)!;
    }
    return cur;
  };
  const groupOf = new Map<string, string>();
  for (const id of counts.keys()) groupOf.set(id, resolve(id));
  const stillSmall = [...new Set(groupOf.values())].filter((g) => (size.get(g) ?? 0) < minSize).sort();
  return { groupOf, stillSmall };
}
