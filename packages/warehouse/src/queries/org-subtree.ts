import type { Warehouse } from '../db.ts';

interface OrgTree {
  children: Map<string, string[]>;
  names: Map<string, string>;
}

/** The org tree, re-read only after a write (Warehouse.memo). */
function orgTree(wh: Warehouse): Promise<OrgTree> {
  return wh.memo('org-tree', async () => {
    const rows = await wh.query<{ id: string; name: string; parent: string | null }>('SELECT id, name, parent_id AS parent FROM org_units');
    const children = new Map<string, string[]>();
    const names = new Map<string, string>();
    for (const r of rows) {
      names.set(r.id, r.name);
      if (r.parent === null) continue;
      const list = children.get(r.parent);
      if (list) list.push(r.id);
      else children.set(r.parent, [r.id]);
    }
    return { children, names };
  });
}

/** Org unit names by id, from the same cached copy of the tree. */
export async function orgUnitNames(wh: Warehouse): Promise<ReadonlyMap<string, string>> {
  return (await orgTree(wh)).names;
}

/**
 * An org unit and every unit below it, read from an in-memory copy of the tree that is
 * re-read only after a write. A statement filtering on this list as constants needs no
 * recursive CTE to plan and lets zone maps skip other units' row groups: on a department's
 * one-month slice that was most of the statement's cost. The walk stops on a cycle in bad
 * parent data; an unknown id yields just itself (it matches nothing).
 */
export async function orgSubtree(wh: Warehouse, id: string): Promise<string[]> {
  const { children } = await orgTree(wh);
  const seen = new Set<string>([id]);
  const stack = [id];
  while (stack.length) for (const c of children.get(stack.pop()!) ?? []) if (!seen.has(c)) (seen.add(c), stack.push(c));
  return [...seen];
}
