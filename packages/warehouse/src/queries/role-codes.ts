import type { Warehouse } from '../db.ts';

export interface RoleInfo {
  code: string;
  name: { zh: string; en: string };
  builtin: boolean;
}

/**
 * The roles table (migration 030: the seven built-in codes and every job title a company
 * imported), re-read only after a write (Warehouse.memo): the API checks every role code of
 * every request against it.
 */
export function knownRoles(wh: Warehouse): Promise<ReadonlyMap<string, RoleInfo>> {
  return wh.memo('roles', async () => {
    const rows = await wh.query<{ code: string; zh: string | null; en: string | null; builtin: boolean | null }>(
      'SELECT code, name_zh AS zh, name_en AS en, builtin FROM roles ORDER BY code',
    );
    return new Map(rows.map((r) => [r.code, { code: r.code, name: { zh: r.zh ?? r.code, en: r.en ?? r.code }, builtin: r.builtin === true }]));
  });
}

/** Role codes the request mentions that are not in the roles table, in the order given. */
export async function unknownRoleCodes(wh: Warehouse, codes: readonly string[]): Promise<string[]> {
  if (codes.length === 0) return [];
  const known = await knownRoles(wh);
  return [...new Set(codes)].filter((c) => !known.has(c));
}
