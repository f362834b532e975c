import { schemeObjectSchema, type Scheme } from '@perflens/core';
import { createHash } from 'node:crypto';
import type { Warehouse } from '../db.ts';
import { RoleChangeError, RoleNotFoundError } from './role-errors.ts';
import { getScheme } from './scheme-store.ts';
import { appendAuditOn } from './audit-append.ts';

/**
 * Points a role at the scheme that scores it (or at none). A scheme written for another role is
 * a template: it is copied as `<role>-v1` (role set to this one) and stored, so the simulator
 * evaluates this role's history under it and an analyst can edit the copy. Audit-logged.
 */
export async function setRoleScheme(wh: Warehouse, input: { code: string; schemeId: string | null }): Promise<{ code: string; schemeId: string | null }> {
  let scheme: Scheme | null = null;
  if (input.schemeId !== null) {
    scheme = await getScheme(wh, input.schemeId);
    if (!scheme) throw new RoleChangeError(`方案“${input.schemeId}”不存在`, `No scheme "${input.schemeId}"`);
  }
  return wh.transaction(async (conn) => {
    const [old] = (await conn.runAndReadAll('SELECT scheme_id, name_zh, name_en FROM roles WHERE code = $c', { c: input.code })).getRowObjectsJson() as Array<{ scheme_id: string | null; name_zh: string; name_en: string }>;
    if (!old) throw new RoleNotFoundError(input.code);
    let schemeId = input.schemeId;
    if (scheme && scheme.role !== input.code) {
      const taken = new Set(((await conn.runAndReadAll('SELECT id FROM schemes')).getRowObjectsJson() as Array<{ id: string }>).map((r) => r.id));
      // Scheme ids are plain ASCII (merchandiser-v1); a title such as 会计 gets a stable stand-in.
      const stem = /^[a-z][a-z0-9_]*$/.test(input.code) ? input.code : `role_${createHash('sha256').update(input.code).digest('hex').slice(0, 8)}`;
      let version = 1;
      while (taken.has(`${stem}-v${version}`)) version++;
      const copy = schemeObjectSchema.parse({
        ...scheme, id: `${stem}-v${version}`, role: input.code, version,
        name: { zh: `${old.name_zh}（基于${scheme.name.zh}）`, en: `${old.name_en} (from ${scheme.name.en})` },
      });
      schemeId = copy.id;
      await conn.run(`INSERT INTO schemes (id, role, version, name_zh, name_en, definition) VALUES ($id, $role, $v, $zh, $en, CAST($def AS JSON))`, {
        id: copy.id, role: input.code, v: version, zh: copy.name.zh, en: copy.name.en, def: JSON.stringify(copy),
      });
    }
    await conn.run('UPDATE roles SET scheme_id = $s WHERE code = $c', { c: input.code, s: schemeId });
    await appendAuditOn(conn, { action: 'role.scheme', entity: 'role', entityId: input.code, before: { schemeId: old.scheme_id }, after: { schemeId, template: input.schemeId } });
    return { code: input.code, schemeId };
  });
}
