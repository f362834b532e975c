import type { Warehouse } from '../db.ts';

/** Deletes a policy (audit-logged with its last state); false when there was none. */
export async function deletePolicy(wh: Warehouse, id: string): Promise<boolean> {
  return wh.transaction(async (conn) => {
    const [old] = (await conn.runAndReadAll('SELECT to_json(p)::VARCHAR AS j FROM policies p WHERE id = $id', { id })).getRowObjectsJson() as Array<{ j: string }>;
    if (!old) return false;
    await conn.run('DELETE FROM policies WHERE id = $id', { id });
    await conn.run(
      `INSERT INTO audit_log (action, entity, entity_id, before) VALUES ('policy.delete', 'policy', $id, CAST($old AS JSON))`,
      { id, old: old.j },
    );
    return true;
  });
}
