import type { Warehouse } from '../db.ts';

/** Children per parent id, per warehouse, tagged with the write generation it was read at. */
const cache = new WeakMap<Warehouse, { generation: number; children: Promise<Map<string, string[]>> }>();

function childrenOf(wh: Warehouse): Promise<Map<string, string[]>> {
  const generation = wh.writeGeneration;
  const hit = cache.get(wh);
  if (hit && hit.generation === generation) return hit.children;
  const children = wh.query<{ id: string; parent: string | null }>('SELECT id, parent_id AS parent FROM org_units').then((rows) => {
    const m = new Map<string, string[]>();
    for (const r of rows) {
      if (r.parent === null) continue;
      const list = m.get(r.parent);
      if (list) list.push(r.id);
      else m.set(r.parent, [r.id]);
    }
    return m;
  });
  cache.set(wh, { generation, children });
  children.catch(() => cache.delete(wh));
  return children;
}

/**
 * An org unit and every unit below it, read from an in-memory copy of the tree that is
 * re-read only after a write. A statement filtering on this list as constants needs no
 * recursive CTE to plan and lets zone maps skip other units' row groups: on a department's
 * one-month slice that was most of the statement's cost. The walk stops on a cycle in bad
 * parent data; an unknown id yields just itself (it matches nothing).
 */
export async function orgSubtree(wh: Warehouse, id: string): Promise<string[]> {
  const children = await childrenOf(wh);
  const seen = new Set<string>([id]);
  const stack = [id];
  while (stack.length) for (const c of children.get(stack.pop()!) ?? []) if (!seen.has(c)) (seen.add(c), stack.push(c));
  return [...seen];
}
