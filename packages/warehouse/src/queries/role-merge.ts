import type { Warehouse } from '../db.ts';
import { refreshAnalyticsOn } from '../analytics.ts';
import { RoleChangeError, RoleNotFoundError } from './role-errors.ts';
import { appendAuditOn } from './audit-append.ts';

/**
 * Merges job titles into one role: their employees, assessments and policy scopes move to
 * `into`, their names and aliases become aliases of it (so the next import of the same export
 * lands on `into` directly), and they are removed. Built-in roles can absorb titles but are never
 * merged away, because the seed schemes name them. One transaction, audit-logged.
 */
export async function mergeRoles(wh: Warehouse, input: { from: string[]; into: string }): Promise<{ into: string; moved: number }> {
  const from = [...new Set(input.from)].filter((c) => c !== input.into);
  if (from.length === 0) throw new RoleChangeError('请至少选择一个要并入的其他岗位', 'Choose at least one other role to merge');
  return wh.transaction(async (conn) => {
    const rows = (await conn.runAndReadAll(`SELECT code, name_zh, name_en, aliases, builtin FROM roles WHERE code IN (SELECT unnest(from_json($codes, '["VARCHAR"]')))`, { codes: JSON.stringify([...from, input.into]) })).getRowObjectsJson() as Array<{
      code: string; name_zh: string; name_en: string; aliases: string[]; builtin: boolean;
    }>;
    for (const c of [...from, input.into]) if (!rows.some((r) => r.code === c)) throw new RoleNotFoundError(c);
    const builtin = rows.find((r) => from.includes(r.code) && r.builtin);
    if (builtin) throw new RoleChangeError(`内置岗位“${builtin.name_zh}”不能被并入其他岗位（可以把其他岗位并入它）`, `The built-in role "${builtin.name_en}" cannot be merged away (merge other titles into it instead)`);
    // Lists travel as JSON text: the node bindings cannot bind an untyped array.
    const fromList = { codes: JSON.stringify(from) };
    const [moved] = (await conn.runAndReadAll(
      `SELECT ((SELECT count(*) FROM employees WHERE role IN (SELECT unnest(from_json($codes, '["VARCHAR"]')))) + (SELECT count(*) FROM assessments WHERE role IN (SELECT unnest(from_json($codes, '["VARCHAR"]')))))::INTEGER AS n`,
      fromList,
    )).getRowObjectsJson() as Array<{ n: number }>;
    const p = { codes: JSON.stringify(from), into: input.into };
    await conn.run(`UPDATE employees SET role = $into WHERE role IN (SELECT unnest(from_json($codes, '["VARCHAR"]')))`, p);
    await conn.run(`UPDATE assessments SET role = $into WHERE role IN (SELECT unnest(from_json($codes, '["VARCHAR"]')))`, p);
    await conn.run(
      `UPDATE policies SET scope_roles = list_distinct(list_transform(scope_roles, r -> CASE WHEN list_contains(from_json($codes, '["VARCHAR"]'), r) THEN $into ELSE r END))
        WHERE list_has_any(scope_roles, from_json($codes, '["VARCHAR"]'))`,
      p,
    );
    const target = rows.find((r) => r.code === input.into)!;
    const absorbed = rows.filter((r) => from.includes(r.code)).flatMap((r) => [r.code, r.name_zh, r.name_en, ...(r.aliases ?? [])]);
    const aliases = [...new Set([...(target.aliases ?? []), ...absorbed])];
    await conn.run(`UPDATE roles SET aliases = from_json($aliases, '["VARCHAR"]') WHERE code = $into`, { aliases: JSON.stringify(aliases), into: input.into });
    await conn.run(`DELETE FROM roles WHERE code IN (SELECT unnest(from_json($codes, '["VARCHAR"]')))`, fromList);
    await appendAuditOn(conn, { action: 'role.merge', entity: 'role', entityId: input.into, before: rows.filter((r) => from.includes(r.code)), after: { code: input.into, aliases, moved: moved!.n } });
    await refreshAnalyticsOn(conn);
    return { into: input.into, moved: moved!.n };
  });
}
