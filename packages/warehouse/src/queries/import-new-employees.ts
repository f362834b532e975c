import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * The employees an import would create: the distinct ids of its employee column that are not
 * stored, the first `$limit` of them (by the row they first appear on, else by id) with the name
 * beside them, and how many there are in all.
 *
 * As in import-new-org-units.ts, `from`, `id`, `name` and `row` are SQL the importer builds from
 * its own table names and column positions, never the user's text.
 */
export interface ImportEmployeeSource {
  from: string;
  id: string;
  name: string | null;
  row: string | null;
}

export async function newEmployeesOf(
  conn: DuckDBConnection,
  src: ImportEmployeeSource,
  limit: number,
): Promise<{ employees: Array<{ id: string; name: string | null }>; total: number }> {
  const reader = await conn.runAndReadAll(
    `WITH f AS (
       SELECT id, min(r) AS first_row, arg_min(name, COALESCE(r, 0)) AS name
         FROM (SELECT ${src.id} AS id, ${src.name ?? 'NULL::VARCHAR'} AS name, ${src.row ?? 'NULL::INTEGER'} AS r FROM ${src.from})
        WHERE id IS NOT NULL AND id NOT IN (SELECT id FROM employees)
        GROUP BY id
     )
     SELECT id, name, (SELECT count(*) FROM f)::DOUBLE AS total FROM f ORDER BY first_row NULLS LAST, id LIMIT $limit`,
    { limit },
  );
  const rows = reader.getRowObjectsJson() as unknown as Array<{ id: string; name: string | null; total: number }>;
  if (rows.length === 0) return { employees: [], total: 0 };
  return { employees: rows.map((r) => ({ id: r.id, name: r.name })), total: rows[0]!.total };
}
