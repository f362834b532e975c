import { type Scheme, schemeObjectSchema } from '@perflens/core';
import type { Warehouse } from '../db.ts';
import { appendAuditOn } from './audit-append.ts';
import { currentActor } from '../context.ts';

export interface ScenarioRecord {
  id: string;
  name: string;
  baseSchemeId: string | null;
  scheme: Scheme;
  /** Filters and baseline the scenario was saved with, replayed on compare. */
  settings: Record<string, unknown>;
  createdAt: string;
  createdBy: string | null;
}

/**
 * Saved what-if schemes (`scenarios` of migration 001). The definition column holds
 * { scheme, settings } so a reload re-runs exactly what the analyst saw.
 */
export async function saveScenario(
  wh: Warehouse,
  s: { id: string; name: string; baseSchemeId: string | null; scheme: Scheme; settings: Record<string, unknown>; createdBy: string | null },
): Promise<void> {
  // The author is the signed-in user (context.ts), never a name sent with the request.
  const by = currentActor()?.userId ?? s.createdBy;
  await wh.transaction(async (conn) => {
    await conn.run(
      `INSERT INTO scenarios (id, name, base_scheme_id, definition, created_at, created_by)
       VALUES ($id, $name, $base, $definition, current_timestamp, $by)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, base_scheme_id = excluded.base_scheme_id, definition = excluded.definition`,
      { id: s.id, name: s.name, base: s.baseSchemeId, definition: JSON.stringify({ scheme: s.scheme, settings: s.settings }), by },
    );
    await appendAuditOn(conn, { action: 'scenario.save', entity: 'scenario', entityId: s.id, after: { name: s.name, baseSchemeId: s.baseSchemeId } });
  });
}

function parse(r: { id: string; name: string; base_scheme_id: string | null; definition: string; created_at: string; created_by: string | null }): ScenarioRecord | null {
  const def = JSON.parse(r.definition) as { scheme?: unknown; settings?: Record<string, unknown> };
  const scheme = schemeObjectSchema.safeParse(def.scheme);
  if (!scheme.success) return null;
  return { id: r.id, name: r.name, baseSchemeId: r.base_scheme_id, scheme: scheme.data, settings: def.settings ?? {}, createdAt: r.created_at, createdBy: r.created_by };
}

const SELECT = `SELECT id, name, base_scheme_id, CAST(definition AS VARCHAR) AS definition, strftime(created_at, '%Y-%m-%dT%H:%M:%S') AS created_at, created_by FROM scenarios`;

export async function listScenarios(wh: Warehouse): Promise<ScenarioRecord[]> {
  const rows = await wh.query<Parameters<typeof parse>[0]>(`${SELECT} ORDER BY created_at DESC, id`);
  return rows.map(parse).filter((x): x is ScenarioRecord => x !== null);
}

export async function getScenarios(wh: Warehouse, ids: readonly string[]): Promise<ScenarioRecord[]> {
  if (ids.length === 0) return [];
  const params = Object.fromEntries(ids.map((id, i) => [`id${i}`, id]));
  const rows = await wh.query<Parameters<typeof parse>[0]>(`${SELECT} WHERE id IN (${ids.map((_, i) => `$id${i}`).join(', ')})`, params);
  const byId = new Map(rows.map((r) => [r.id, parse(r)]));
  return ids.map((id) => byId.get(id)).filter((x): x is ScenarioRecord => x !== null && x !== undefined);
}
