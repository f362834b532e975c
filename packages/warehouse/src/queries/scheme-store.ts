import { BUILTIN_SCHEMES, type Scheme, schemeObjectSchema } from '@perflens/core';
import type { Warehouse } from '../db.ts';

export interface SchemeSummary {
  id: string;
  role: string;
  version: number;
  name: { zh: string; en: string };
  builtin: boolean;
  kpiCount: number;
}

/**
 * Schemes on file (`schemes` table, written by the demo loader or an import) plus built-ins not
 * stored yet. A stored definition that no longer parses is skipped rather than breaking the list.
 */
/** Parsed once per write generation (Warehouse.memo): every simulation run resolves its base scheme here. */
function allSchemes(wh: Warehouse): Promise<Array<{ scheme: Scheme; builtin: boolean }>> {
  return wh.memo('schemes', () => readSchemes(wh));
}

async function readSchemes(wh: Warehouse): Promise<Array<{ scheme: Scheme; builtin: boolean }>> {
  const rows = await wh.query<{ id: string; definition: string }>('SELECT id, CAST(definition AS VARCHAR) AS definition FROM schemes ORDER BY role, id');
  const out = new Map<string, { scheme: Scheme; builtin: boolean }>();
  for (const r of rows) {
    const parsed = schemeObjectSchema.safeParse(JSON.parse(r.definition));
    if (parsed.success) out.set(r.id, { scheme: parsed.data, builtin: false });
  }
  for (const s of BUILTIN_SCHEMES) if (!out.has(s.id)) out.set(s.id, { scheme: s, builtin: true });
  return [...out.values()].sort((a, b) => a.scheme.role.localeCompare(b.scheme.role) || a.scheme.id.localeCompare(b.scheme.id));
}

export async function listSchemes(wh: Warehouse): Promise<SchemeSummary[]> {
  return (await allSchemes(wh)).map(({ scheme, builtin }) => ({
    id: scheme.id,
    role: scheme.role,
    version: scheme.version,
    name: scheme.name,
    builtin,
    kpiCount: scheme.kpis.length,
  }));
}

export async function getScheme(wh: Warehouse, id: string): Promise<Scheme | null> {
  const hit = (await allSchemes(wh)).find((s) => s.scheme.id === id)?.scheme;
  // A copy: the cached definition must not change under the next caller.
  return hit ? structuredClone(hit) : null;
}
