import type { Warehouse } from '../db.ts';
import { appendAuditOn } from './audit-append.ts';

/** Deletes a policy (audit-logged with its last state); false when there was none. */
export async function deletePolicy(wh: Warehouse, id: string): Promise<boolean> {
  return wh.transaction(async (conn) => {
    const [old] = (await conn.runAndReadAll('SELECT to_json(p)::VARCHAR AS j FROM policies p WHERE id = $id', { id })).getRowObjectsJson() as Array<{ j: string }>;
    if (!old) return false;
    await conn.run('DELETE FROM policies WHERE id = $id', { id });
    await appendAuditOn(conn, { action: 'policy.delete', entity: 'policy', entityId: id, before: old.j });
    return true;
  });
}
