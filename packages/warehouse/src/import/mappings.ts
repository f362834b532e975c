import { SCALE_PRESETS, type ImportTarget, type ScaleEntry } from '@perflens/core';
import type { Warehouse } from '../db.ts';

export interface SavedMapping {
  name: string;
  table: ImportTarget;
  mapping: Record<string, string>;
  constants: Record<string, string>;
  /** The rating scale confirmed with this mapping: the next export from the same system reuses it. */
  gradeMap?: ScaleEntry[];
  updatedAt: string;
}

/** Saved column mappings, so a monthly export from the same HR system is mapped once. */
export async function listMappings(wh: Warehouse): Promise<SavedMapping[]> {
  const rows = await wh.query<{ name: string; table: ImportTarget; mapping: string; constants: string; gradeMap: string | null; updatedAt: string }>(
    `SELECT name, table_name AS "table", CAST(mapping AS VARCHAR) AS mapping, CAST(constants AS VARCHAR) AS constants, CAST(grade_map AS VARCHAR) AS "gradeMap",
            strftime(updated_at, '%Y-%m-%dT%H:%M:%S') AS "updatedAt" FROM import_mappings ORDER BY name`,
  );
  return rows.map(({ gradeMap, ...r }) => ({ ...r, mapping: JSON.parse(r.mapping), constants: JSON.parse(r.constants), ...(gradeMap ? { gradeMap: JSON.parse(gradeMap) as ScaleEntry[] } : {}) }));
}

export async function getMapping(wh: Warehouse, name: string): Promise<SavedMapping | null> {
  return (await listMappings(wh)).find((m) => m.name === name) ?? null;
}

export async function saveMapping(wh: Warehouse, m: Omit<SavedMapping, 'updatedAt'>): Promise<void> {
  await wh.run(
    `INSERT OR REPLACE INTO import_mappings (name, table_name, mapping, constants, grade_map, updated_at) VALUES ($n, $t, $m, $c, $g, current_timestamp::TIMESTAMP)`,
    { n: m.name, t: m.table, m: JSON.stringify(m.mapping), c: JSON.stringify(m.constants), g: m.gradeMap ? JSON.stringify(m.gradeMap) : null },
  );
}

export async function deleteMapping(wh: Warehouse, name: string): Promise<boolean> {
  const before = (await wh.query<{ n: number }>('SELECT count(*)::INTEGER AS n FROM import_mappings WHERE name = $n', { n: name }))[0]!.n;
  await wh.run('DELETE FROM import_mappings WHERE name = $n', { n: name });
  return before > 0;
}

export interface BatchRow {
  id: number;
  table: string;
  fileName: string;
  sha256: string | null;
  format: string;
  rowCount: number;
  inserted: number;
  replaced: number;
  source: string;
  startedAt: string;
  finishedAt: string;
}

export async function listBatches(wh: Warehouse, page: number, pageSize = 50): Promise<{ total: number; rows: BatchRow[] }> {
  const [t] = await wh.query<{ n: number }>('SELECT count(*)::INTEGER AS n FROM import_batches');
  const rows = await wh.query<BatchRow>(
    `SELECT id, table_name AS "table", file_name AS "fileName", file_sha256 AS sha256, format, row_count AS "rowCount", inserted, replaced, source,
            strftime(started_at, '%Y-%m-%dT%H:%M:%S') AS "startedAt", strftime(finished_at, '%Y-%m-%dT%H:%M:%S') AS "finishedAt"
     FROM import_batches ORDER BY id DESC LIMIT $lim OFFSET $off`,
    { lim: pageSize, off: Math.max(0, page - 1) * pageSize },
  );
  return { total: t!.n, rows };
}

export interface ScaleListing {
  name: string;
  label: { zh: string; en: string };
  entries: ScaleEntry[];
  builtin: boolean;
}

/** The rating-scale presets, then every scale saved with a mapping (named after the mapping). */
export async function listScales(wh: Warehouse): Promise<ScaleListing[]> {
  const presets = SCALE_PRESETS.map((p) => ({ name: p.name, label: p.label, entries: p.entries, builtin: true }));
  const saved = (await listMappings(wh))
    .filter((m) => m.gradeMap?.length)
    .map((m) => ({ name: m.name, label: { zh: `已保存：${m.name}`, en: `Saved: ${m.name}` }, entries: m.gradeMap!, builtin: false }));
  return [...presets, ...saved];
}
