import type { Policy } from '@perflens/core';
import type { Warehouse } from '../db.ts';

/** Policies by effective date (or just one, by id); lists come back as [] rather than NULL. */
export async function listPolicies(wh: Warehouse, id?: string): Promise<Policy[]> {
  return wh.query<Policy>(
    `SELECT id, name, description, strftime(effective_from, '%Y-%m-%d') AS "effectiveFrom",
            coalesce(scope_org_unit_ids, []::VARCHAR[]) AS "scopeOrgUnitIds",
            coalesce(scope_roles, []::VARCHAR[]) AS "scopeRoles",
            scheme_before AS "schemeBefore", scheme_after AS "schemeAfter"
       FROM policies ${id === undefined ? '' : 'WHERE id = $id'}
      ORDER BY effective_from, id`,
    id === undefined ? {} : { id },
  );
}
