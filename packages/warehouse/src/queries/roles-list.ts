import type { Warehouse } from '../db.ts';

export interface RoleRow {
  code: string;
  nameZh: string;
  nameEn: string;
  aliases: string[];
  schemeId: string | null;
  builtin: boolean;
  /** Employees whose current role this is, and assessments recorded under it. */
  employees: number;
  assessments: number;
}

/** Every role that exists, built-ins first, with how much data each carries (for pickers and the Data page). */
export async function listRoleRows(wh: Warehouse): Promise<RoleRow[]> {
  return wh.query<RoleRow>(
    `SELECT r.code, r.name_zh AS "nameZh", r.name_en AS "nameEn", r.aliases, r.scheme_id AS "schemeId", r.builtin,
            coalesce(e.n, 0)::INTEGER AS employees, coalesce(a.n, 0)::INTEGER AS assessments
       FROM roles r
       LEFT JOIN (SELECT role, count(*) AS n FROM employees GROUP BY 1) e ON e.role = r.code
       LEFT JOIN (SELECT role, count(*) AS n FROM assessments GROUP BY 1) a ON a.role = r.code
      ORDER BY r.builtin DESC, r.name_en, r.code`,
  );
}
