import { trpc } from './client';
import type * as C from './contract';

/**
 * Every server call the dashboard makes, in one place: components never touch the transport.
 * The client is typed by AppRouter; until a router lands its procedures are reached through
 * the contract types (see contract.ts), so the UI and the server can be built in parallel.
 */
type Q<I, O> = { query(input: I): Promise<O> };
type M<I, O> = { mutate(input: I): Promise<O> };
interface ContractClient {
  meta: { overview: Q<void, C.Overview>; orgUnits: Q<void, C.OrgUnit[]>; periods: Q<void, C.Period[]> };
  distribution: {
    grades: Q<C.Filters & { groupBy?: 'none' | 'orgUnit' | 'role' | 'period' }, C.GradesResult>;
    scores: Q<C.Filters & { bins?: number; min?: number; max?: number }, C.ScoresResult>;
    byOrgUnit: Q<C.Filters, C.OrgBox[]>;
    raters: Q<C.Filters & { relations?: C.RaterRelation[]; minN?: number }, C.RatersResult>;
  };
  employees: { list: Q<C.EmployeeQuery, C.EmployeePage> };
  import: {
    tables: Q<void, unknown>;
    preview: Q<{ uploadId: string; table?: string; sheet?: string }, C.PreviewResult>;
    run: M<
      {
        uploadId: string;
        table: string;
        mapping: Record<string, string>;
        constants: Record<string, string>;
        onDuplicate: 'reject' | 'replace';
        saveMappingAs?: string;
      },
      C.RunResult
    >;
    batches: Q<{ page: number }, unknown>;
    mappings: Q<void, unknown>;
    saveMapping: M<C.SavedMapping, unknown>;
    deleteMapping: M<{ name: string }, unknown>;
  };
}
const c = trpc as unknown as ContractClient;

export const api = {
  overview: () => c.meta.overview.query(),
  orgUnits: () => c.meta.orgUnits.query(),
  periods: () => c.meta.periods.query(),
  grades: (f: C.Filters, groupBy: 'none' | 'orgUnit' | 'role' | 'period' = 'none') => c.distribution.grades.query({ ...f, groupBy }),
  scores: (f: C.Filters, bins = 20) => c.distribution.scores.query({ ...f, bins }),
  byOrgUnit: (f: C.Filters) => c.distribution.byOrgUnit.query(f),
  raters: (f: C.Filters) => c.distribution.raters.query(f),
  employees: (q: C.EmployeeQuery) => c.employees.list.query(q),
  importTables: async () => normaliseTables(await c.import.tables.query()),
  preview: (input: { uploadId: string; table?: string; sheet?: string }) => c.import.preview.query(input),
  run: (input: Parameters<ContractClient['import']['run']['mutate']>[0]) => c.import.run.mutate(input),
  batches: async (page: number) => normaliseBatches(await c.import.batches.query({ page })),
  mappings: async () => normaliseMappings(await c.import.mappings.query()),
  saveMapping: (m: C.SavedMapping) => c.import.saveMapping.mutate(m),
};

/** Field definitions keyed by table, whether the server sends a record or an array of tables. */
export function normaliseTables(raw: unknown): C.TablesResult {
  if (Array.isArray(raw)) {
    const out: C.TablesResult = {};
    for (const t of raw as Array<{ name?: string; table?: string; fields?: C.FieldDef[] }>) {
      const name = t.table ?? t.name;
      if (name && Array.isArray(t.fields)) out[name] = t.fields;
    }
    return out;
  }
  if (raw && typeof raw === 'object') {
    const out: C.TablesResult = {};
    for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
      if (Array.isArray(v)) out[k] = v as C.FieldDef[];
      else if (v && typeof v === 'object' && Array.isArray((v as { fields?: unknown }).fields)) out[k] = (v as { fields: C.FieldDef[] }).fields;
    }
    return out;
  }
  return {};
}
export function normaliseBatches(raw: unknown): C.BatchesResult {
  if (Array.isArray(raw)) return { total: raw.length, page: 1, rows: raw as C.BatchRow[] };
  const r = (raw ?? {}) as Partial<C.BatchesResult> & { batches?: C.BatchRow[] };
  const rows = r.rows ?? r.batches ?? [];
  return { total: r.total ?? rows.length, page: r.page ?? 1, pageSize: r.pageSize, rows };
}
export function normaliseMappings(raw: unknown): C.SavedMapping[] {
  if (Array.isArray(raw)) return raw as C.SavedMapping[];
  const r = (raw ?? {}) as { mappings?: C.SavedMapping[] };
  return r.mappings ?? [];
}
