import type { Warehouse } from '../db.ts';
import { RoleNotFoundError } from './role-errors.ts';
import { appendAuditOn } from './audit-append.ts';

/** Renames a role (its code, and so every stored row, stays); audit-logged with before and after. */
export async function renameRole(wh: Warehouse, input: { code: string; nameZh: string; nameEn: string }): Promise<{ code: string }> {
  return wh.transaction(async (conn) => {
    const [old] = (await conn.runAndReadAll(`SELECT json_object('nameZh', name_zh, 'nameEn', name_en)::VARCHAR AS j FROM roles WHERE code = $c`, { c: input.code })).getRowObjectsJson() as Array<{ j: string }>;
    if (!old) throw new RoleNotFoundError(input.code);
    await conn.run('UPDATE roles SET name_zh = $zh, name_en = $en WHERE code = $c', { c: input.code, zh: input.nameZh, en: input.nameEn });
    await appendAuditOn(conn, { action: 'role.rename', entity: 'role', entityId: input.code, before: old.j, after: { nameZh: input.nameZh, nameEn: input.nameEn } });
    return { code: input.code };
  });
}
