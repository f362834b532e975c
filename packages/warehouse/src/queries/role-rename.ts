import type { Warehouse } from '../db.ts';
import { RoleNotFoundError } from './role-errors.ts';

/** Renames a role (its code, and so every stored row, stays); audit-logged with before and after. */
export async function renameRole(wh: Warehouse, input: { code: string; nameZh: string; nameEn: string; actor?: string | null }): Promise<{ code: string }> {
  return wh.transaction(async (conn) => {
    const [old] = (await conn.runAndReadAll(`SELECT json_object('nameZh', name_zh, 'nameEn', name_en)::VARCHAR AS j FROM roles WHERE code = $c`, { c: input.code })).getRowObjectsJson() as Array<{ j: string }>;
    if (!old) throw new RoleNotFoundError(input.code);
    await conn.run('UPDATE roles SET name_zh = $zh, name_en = $en WHERE code = $c', { c: input.code, zh: input.nameZh, en: input.nameEn });
    await conn.run(
      `INSERT INTO audit_log (actor, action, entity, entity_id, before, after) VALUES ($actor, 'role.rename', 'role', $c, CAST($old AS JSON), json_object('nameZh', $zh::VARCHAR, 'nameEn', $en::VARCHAR))`,
      { actor: input.actor ?? null, c: input.code, old: old.j, zh: input.nameZh, en: input.nameEn },
    );
    return { code: input.code };
  });
}
