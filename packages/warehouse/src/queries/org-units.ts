import type { Warehouse } from '../db.ts';

export interface OrgUnitRow {
  id: string;
  name: string;
  parentId: string | null;
  kind: string;
  depth: number;
}

/**
 * The org tree flattened depth-first (parents before children, siblings by id) so a client can
 * build the tree in one pass. Units whose parent is missing are treated as roots rather than
 * silently dropped, and the path check stops on a cycle in bad parent data.
 */
export async function listOrgUnits(wh: Warehouse): Promise<OrgUnitRow[]> {
  return wh.query<OrgUnitRow>(`
    WITH RECURSIVE tree(id, name, parent_id, kind, depth, path) AS (
      SELECT o.id, o.name, o.parent_id, o.kind, 0, [o.id]
        FROM org_units o
       WHERE o.parent_id IS NULL OR o.parent_id NOT IN (SELECT id FROM org_units)
      UNION ALL
      SELECT c.id, c.name, c.parent_id, c.kind, t.depth + 1, list_append(t.path, c.id)
        FROM org_units c JOIN tree t ON c.parent_id = t.id
       WHERE NOT list_contains(t.path, c.id)
    )
    SELECT id, name, parent_id AS "parentId", kind, depth::INTEGER AS depth
      FROM tree
     ORDER BY path
  `);
}
