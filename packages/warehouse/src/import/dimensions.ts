import type { DuckDBConnection } from '@duckdb/node-api';
import { BilingualError, SCALE_PRESETS, dimensionKey, normaliseDimension, roleCodeFromTitle, type ScaleEntry } from '@perflens/core';
import { all } from './common.ts';
import { sqlString } from './read.ts';

/**
 * Dimension values (roles, departments, ids) as the importer turns them into keys, and the
 * rating scale a grade column is read on.
 */

// Full-width ASCII (U+FF01–U+FF5E) and the ideographic space, as Chinese input methods type them,
// map onto their plain forms; DuckDB has no NFKC, and translate() does exactly this per character.
const FULL = Array.from({ length: 0x5e }, (_, i) => String.fromCharCode(0xff01 + i)).join('') + '\u3000';
const HALF = Array.from({ length: 0x5e }, (_, i) => String.fromCharCode(0x21 + i)).join('') + ' ';

/** SQL over a trimmed text value: full-width forms unified, inner whitespace runs as one space. */
export function dimensionSql(raw: string): string {
  return `NULLIF(trim(regexp_replace(translate(${raw}, ${sqlString(FULL)}, ${sqlString(HALF)}), '\\s+', ' ', 'g')), '')`;
}

export interface NewRole {
  code: string;
  name: string;
  aliases: string[];
}

/**
 * Matches job titles against the roles table: code, both names and every alias (the seed roles'
 * Chinese and English spellings are aliases), compared case- and width-insensitively. A title that
 * matches none becomes a new role (collected in `created`), so the same new title twice in one file,
 * or two spellings with one code, give one role.
 */
export async function loadRoleMatcher(conn: DuckDBConnection): Promise<(title: string, created: NewRole[]) => string | null> {
  const rows = await all<{ code: string; name_zh: string; name_en: string; aliases: string[] }>(conn, 'SELECT code, name_zh, name_en, aliases FROM roles ORDER BY builtin DESC, code');
  const byKey = new Map<string, string>();
  for (const r of rows) for (const k of [r.code, r.name_zh, r.name_en, ...(r.aliases ?? [])]) if (k && !byKey.has(dimensionKey(k))) byKey.set(dimensionKey(k), r.code);
  const codes = new Set(rows.map((r) => r.code));
  return (title, created) => {
    const name = normaliseDimension(title);
    if (name === null) return null;
    const known = byKey.get(dimensionKey(name));
    if (known) return known;
    const code = roleCodeFromTitle(name);
    const existing = created.find((c) => c.code === code);
    if (existing) {
      if (!existing.aliases.includes(name)) existing.aliases.push(name);
    } else if (codes.has(code)) {
      // 'Sales-Executive' after a stored 'Sales Executive': the same role, not a second one.
      return code;
    } else created.push({ code, name, aliases: [name] });
    byKey.set(dimensionKey(name), code);
    return code;
  };
}

/** INSERT for the roles an import creates ($b = the batch id). */
export function newRolesSql(roles: NewRole[]): string {
  const list = (xs: string[]) => `[${xs.map(sqlString).join(', ')}]::VARCHAR[]`;
  return `INSERT INTO roles (code, name_zh, name_en, aliases, scheme_id, builtin, batch_id) VALUES ${roles
    .map((r) => `(${sqlString(r.code)}, ${sqlString(r.name)}, ${sqlString(r.name)}, ${list(r.aliases)}, NULL, false, $b)`)
    .join(', ')}`;
}

/** An unknown scale name, in both languages. */
export class UnknownScaleError extends BilingualError {}

/** The scale to read grades on: the confirmed entries, else a preset or saved scale by name, else none (propose). */
export async function resolveGradeScale(conn: DuckDBConnection, entries: ScaleEntry[] | undefined, name: string | undefined): Promise<ScaleEntry[] | null> {
  if (entries?.length) return entries;
  if (!name) return null;
  const preset = SCALE_PRESETS.find((p) => p.name === name);
  if (preset) return preset.entries;
  // A scale saved on its own, or the one confirmed with a saved mapping of that name.
  const [saved] = await all<{ entries: string }>(
    conn,
    `SELECT CAST(entries AS VARCHAR) AS entries FROM rating_scales WHERE name = $n
     UNION ALL SELECT CAST(grade_map AS VARCHAR) FROM import_mappings WHERE name = $n AND grade_map IS NOT NULL LIMIT 1`,
    { n: name },
  );
  if (saved) return JSON.parse(saved.entries) as ScaleEntry[];
  throw new UnknownScaleError(
    `没有名为“${name}”的评级量表（可用：${SCALE_PRESETS.map((p) => p.name).join('、')}，或已保存的量表）`,
    `No rating scale named "${name}" (presets: ${SCALE_PRESETS.map((p) => p.name).join(', ')}, or a saved scale)`,
  );
}
