import { trpc, type RouterInputs } from './client';
import type * as C from './contract';

/**
 * Every server call the dashboard makes, in one place: components never touch the transport.
 * The client is typed by AppRouter. The import router's outputs are read through the shapes in
 * contract.ts and normalised here (the preview's older spellings are still accepted); its inputs
 * are the router's own.
 */
type Q<I, O> = { query(input: I): Promise<O> };
type M<I, O> = { mutate(input: I): Promise<O> };
/** The import router as the mapping screen reads it (outputs normalised below). */
interface ImportContract {
  import: {
    tables: Q<void, unknown>;
    preview: Q<PreviewInput, unknown>;
    run: M<RunInput, C.RunResult>;
    batches: Q<{ page: number }, unknown>;
    mappings: Q<void, unknown>;
    saveMapping: M<C.SavedMapping, unknown>;
    deleteMapping: M<{ name: string }, unknown>;
  };
}
/** Inputs as the router declares them (strict: a key it does not know is refused). */
export type PreviewInput = RouterInputs['import']['preview'];
export type RunInput = RouterInputs['import']['run'];
export type ImportTarget = RunInput['table'];
const imp = (trpc as unknown as ImportContract).import;

type GroupBy = 'none' | 'orgUnit' | 'role' | 'period';

// The declared return types are the contract: if a router's output drifts, this file stops compiling.
export const api = {
  overview: (): Promise<C.Overview> => trpc.meta.overview.query(),
  orgUnits: (): Promise<C.OrgUnit[]> => trpc.meta.orgUnits.query(),
  periods: (): Promise<C.Period[]> => trpc.meta.periods.query(),
  roles: (): Promise<C.RoleInfo[]> => trpc.meta.roles.query(),
  refreshState: () => trpc.meta.refreshState.query(),
  renameRole: (input: { code: string; nameZh: string; nameEn: string }) => trpc.roles.rename.mutate(input),
  mergeRoles: (input: { from: string[]; into: string }) => trpc.roles.merge.mutate(input),
  setRoleScheme: (input: { code: string; schemeId: string | null }) => trpc.roles.setScheme.mutate(input),
  schemes: (): Promise<C.SchemeSummary[]> => trpc.scheme.list.query(),
  grades: (f: C.Filters, groupBy: GroupBy = 'none'): Promise<C.GradesResult> => trpc.distribution.grades.query({ ...f, groupBy }),
  scores: (f: C.Filters & { min?: number; max?: number; nice?: boolean }, bins = 20): Promise<C.ScoresResult> =>
    trpc.distribution.scores.query({ ...f, bins }),
  byOrgUnit: (f: C.Filters): Promise<C.BoxesResult> => trpc.distribution.byOrgUnit.query(f),
  raters: (f: C.Filters, page?: { page: number; pageSize: number }): Promise<C.RatersResult> => trpc.distribution.raters.query({ ...f, ...page }),
  employees: (q: C.EmployeeQuery): Promise<C.EmployeePage> => trpc.employees.list.query(q),
  importTables: async () => normaliseTables(await imp.tables.query()),
  preview: async (input: PreviewInput) => normalisePreview(await imp.preview.query(input)),
  scales: (): Promise<C.RatingScale[]> => trpc.import.scales.query(),
  run: (input: RunInput) => imp.run.mutate(input),
  batches: async (page: number) => normaliseBatches(await imp.batches.query({ page })),
  mappings: async () => normaliseMappings(await imp.mappings.query()),
  saveMapping: (m: C.SavedMapping) => imp.saveMapping.mutate(m),
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

/**
 * The preview as the mapping screen uses it. The server sends `rows` and a field→header
 * `mapping` (and per-field `suggestions`); the agreed contract named them sampleRows and
 * suggestions: both spellings are accepted.
 */
export function normalisePreview(raw: unknown): C.PreviewResult {
  const r = (raw ?? {}) as Record<string, unknown>;
  const rows = (r.sampleRows ?? r.rows ?? []) as Array<Array<string | null>>;
  let suggestions: Record<string, string | null> = {};
  const samples: Record<string, string[]> = {};
  const confidence: Record<string, number> = {};
  if (r.mapping && typeof r.mapping === 'object') suggestions = { ...(r.mapping as Record<string, string>) };
  else if (r.suggestions && typeof r.suggestions === 'object' && !Array.isArray(r.suggestions))
    suggestions = r.suggestions as Record<string, string | null>;
  if (Array.isArray(r.suggestions))
    for (const s of r.suggestions as Array<{ field: string; header: string | null; samples?: string[]; confidence?: number }>) {
      if (!(s.field in suggestions)) suggestions[s.field] = s.header;
      if (s.header && Array.isArray(s.samples)) samples[s.field] = s.samples.slice(0, 3);
      if (s.header && typeof s.confidence === 'number') confidence[s.field] = s.confidence;
    }
  const suggestedTable = (r.suggestedTable ?? r.table ?? undefined) as string | undefined;
  return {
    fileName: String(r.fileName ?? ''),
    format: String(r.format ?? ''),
    ...(r.encoding ? { encoding: String(r.encoding) } : {}),
    ...(r.delimiter ? { delimiter: String(r.delimiter) } : {}),
    ...(Array.isArray(r.sheets) ? { sheets: r.sheets as string[] } : {}),
    ...(typeof r.sheet === 'string' ? { sheet: r.sheet } : {}),
    headers: (r.headers ?? []) as string[],
    sampleRows: rows.map((row) => row.map((v) => v ?? '')),
    rowCount: Number(r.rowCount ?? rows.length),
    ...(typeof r.headerRow === 'number' ? { headerRow: r.headerRow } : {}),
    ...(suggestedTable ? { suggestedTable } : {}),
    suggestions,
    samples,
    confidence,
    grade: (r.grade as C.GradePreview | null | undefined) ?? null,
    creates: (r.creates as C.CreationPlan | null | undefined) ?? null,
  };
}
