import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * The org units an import would create: the distinct values of its department (or org unit id)
 * column that no stored unit has, with how many rows name each and the first of those rows; and
 * every stored unit's name (and id, when the file names units by id) as near-match candidates.
 *
 * The source is the importer's own: the staged rows (`typed`, inside the import's transaction) or
 * the preview's scan of the file. `from`, `value` and `row` are SQL the importer builds from its
 * own table names and column positions, never from the user's text (headers and values are
 * quoted by it); `by` is whitelisted.
 */
export interface ImportUnitSource {
  /** A table or subquery, one row per data row. */
  from: string;
  /** The unit's key as the importer stores it (trimmed, width and spaces folded). */
  value: string;
  /** The row number as the user sees it, or null when the source does not number rows. */
  row: string | null;
}

export interface NewOrgUnitsResult {
  fresh: Array<{ name: string; rows: number; firstRow: number | null }>;
  existing: string[];
}

const KEY = { name: 'name', id: 'id' } as const;

export async function newOrgUnitsOf(conn: DuckDBConnection, src: ImportUnitSource, by: 'name' | 'id'): Promise<NewOrgUnitsResult> {
  const key = KEY[by];
  const known = by === 'id' ? 'SELECT id AS v FROM org_units UNION SELECT name FROM org_units' : 'SELECT name AS v FROM org_units';
  const reader = await conn.runAndReadAll(
    `WITH f AS (
       SELECT v AS name, count(*)::DOUBLE AS n, min(r)::INTEGER AS first_row
         FROM (SELECT ${src.value} AS v, ${src.row ?? 'NULL::INTEGER'} AS r FROM ${src.from})
        WHERE v IS NOT NULL GROUP BY 1
     )
     SELECT name, n AS rows, first_row AS "firstRow", true AS fresh FROM f
      WHERE name NOT IN (SELECT ${key} FROM org_units WHERE ${key} IS NOT NULL)
     UNION ALL
     SELECT v, NULL, NULL, false FROM (${known}) WHERE v IS NOT NULL
     ORDER BY fresh DESC, rows DESC NULLS LAST, name`,
  );
  const rows = reader.getRowObjectsJson() as unknown as Array<{ name: string; rows: number | null; firstRow: number | null; fresh: boolean }>;
  return {
    fresh: rows.filter((r) => r.fresh).map((r) => ({ name: r.name, rows: r.rows ?? 0, firstRow: r.firstRow })),
    existing: rows.filter((r) => !r.fresh).map((r) => r.name),
  };
}
