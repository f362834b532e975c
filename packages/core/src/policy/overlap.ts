import type { OverlappingPolicy } from './analyse.ts';
import type { Policy } from './schema.ts';

/** Ids of the org subtrees rooted at `roots` (cycle-safe); null = every unit (empty scope). */
export function subtreeIds(roots: readonly string[], orgUnits: ReadonlyArray<{ id: string; parentId: string | null }>): Set<string> | null {
  if (roots.length === 0) return null;
  const children = new Map<string, string[]>();
  for (const u of orgUnits) if (u.parentId !== null) children.set(u.parentId, [...(children.get(u.parentId) ?? []), u.id]);
  const out = new Set<string>();
  const stack = [...roots];
  while (stack.length) {
    const id = stack.pop()!;
    if (out.has(id)) continue;
    out.add(id);
    stack.push(...(children.get(id) ?? []));
  }
  return out;
}

/**
 * Staggered adoption: other policies whose scope shares at least one org unit and one role
 * with `target` (an empty list meaning "all") but that took effect on a different date. Their
 * effects land in this policy's before/after comparison (and a two-way fixed-effects DiD with
 * staggered timing compares early with late adopters), so they are flagged, not silently mixed.
 */
export function overlappingPolicies(
  target: Policy,
  others: readonly Policy[],
  orgUnits: ReadonlyArray<{ id: string; parentId: string | null }>,
): OverlappingPolicy[] {
  const mine = subtreeIds(target.scopeOrgUnitIds, orgUnits);
  return others
    .filter((p) => p.id !== target.id && p.effectiveFrom !== target.effectiveFrom)
    .filter((p) => {
      const theirs = subtreeIds(p.scopeOrgUnitIds, orgUnits);
      const orgOverlap = mine === null || theirs === null || [...theirs].some((id) => mine.has(id));
      const roleOverlap = target.scopeRoles.length === 0 || p.scopeRoles.length === 0 || p.scopeRoles.some((r) => target.scopeRoles.includes(r));
      return orgOverlap && roleOverlap;
    })
    .map((p) => ({ id: p.id, name: p.name, effectiveFrom: p.effectiveFrom }));
}
