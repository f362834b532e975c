/**
 * Shapes of the API the components use, aliased from RouterOutputs so a server change shows up
 * as a type error here. The import router's preview, run and history outputs are still written
 * out (api/index.ts normalises what the server sends into them).
 */
import type { Grade, Role, RaterRelation, Cycle } from '@perflens/core/domain';
import type { RouterOutputs } from '@perflens/api';

export type { Grade, Role, RaterRelation, Cycle };

/**
 * A role code. The seven built-in codes (ROLES) are only the start: any job title a company
 * imports becomes a role of its own ("Sales Executive" → sales_executive), so codes are data.
 */
export type RoleCode = string;

export interface Filters {
  from?: string;
  to?: string;
  orgUnitId?: string;
  role?: RoleCode;
  /** Absent = automatic: the server takes the finest cycle with data and says which in `cycle`. */
  cycle?: Cycle;
}

/** One role as meta.roles lists it (built-ins first), with its employee and assessment counts. */
export type RoleInfo = Out['meta']['roles'][number];

type Out = RouterOutputs;
export type Overview = Out['meta']['overview'];
export type OrgUnit = Out['meta']['orgUnits'][number];
export type Period = Out['meta']['periods'][number];
export type GradesResult = Out['distribution']['grades'];
export type GradeGroup = GradesResult['groups'][number];
export type ScoresResult = Out['distribution']['scores'];
export type ScoreStats = NonNullable<ScoresResult['stats']>;
export type BoxesResult = Out['distribution']['byOrgUnit'];
export type OrgBox = BoxesResult['units'][number];
export type RatersResult = Out['distribution']['raters'];
export type RaterRow = RatersResult['raters'][number];
/**
 * The cycle an analysis actually used (the request may leave it to the server). Read loosely
 * until every analysis output carries `cycle`.
 */
export function usedCycle(answer: unknown): Cycle | undefined {
  const c = (answer as { cycle?: unknown } | null | undefined)?.cycle;
  return c === 'month' || c === 'quarter' || c === 'year' ? c : undefined;
}
export type SortField = 'employeeId' | 'name' | 'orgUnit' | 'role' | 'period' | 'score' | 'grade';
export interface EmployeeQuery extends Filters {
  grade?: Grade;
  scoreMin?: number;
  scoreMax?: number;
  search?: string;
  sort?: { field: SortField; order: 'asc' | 'desc' };
  page: number;
  pageSize: number;
}
export type EmployeePage = Out['employees']['list'];
export type SchemeSummary = Out['scheme']['list'][number];
export type EmployeeRow = EmployeePage['rows'][number];

// ---- import ----
export interface FieldDef {
  name: string;
  type: string;
  required: boolean;
  label: { zh: string; en: string };
  synonyms?: string[];
}
export type TablesResult = Record<string, FieldDef[]>;
/** A preset (num_4_high, en_words, zh_6 …) or a scale saved with a mapping, from import.scales. */
export type RatingScale = Out['import']['scales'][number];
/** A line of a rating scale: a value as the company writes it → canonical grade (null: not a grade). */
export type ScaleEntry = RatingScale['entries'][number];
/**
 * What the server found in the column mapped (or suggested) for `grade`: its distinct values with
 * row counts and the proposed scale (`unmapped`: values no known scale explains).
 */
export type GradePreview = NonNullable<Out['import']['preview']['grade']>;
export type DateFormat = 'YMD' | 'MDY' | 'DMY';
/** What the import would create besides its rows (new departments with near matches, new employees). */
export type CreationPlan = NonNullable<Out['import']['preview']['creates']>;

export interface PreviewResult {
  fileName: string;
  format: string;
  encoding?: string;
  delimiter?: string;
  sheets?: string[];
  /** The sheet read: of several, the one laid out as a flat sheet unless one was asked for. */
  sheet?: string;
  headers: string[];
  sampleRows: string[][];
  rowCount: number;
  /** The sheet row holding the header (below a workbook's title rows when > 1). */
  headerRow?: number;
  suggestedTable?: string;
  suggestions: Record<string, string | null>;
  /** field → up to 3 example values of its suggested header (so a wrong guess is visible). */
  samples: Record<string, string[]>;
  /** field → how sure the suggestion is (1 exact synonym, below 1 a partial match). */
  confidence: Record<string, number>;
  grade: GradePreview | null;
  /** Null until the columns naming departments and employees are mapped (and for other targets). */
  creates: CreationPlan | null;
}
export interface ImportErrorRow {
  row: number;
  column: string | null;
  code: string;
  message: { zh: string; en: string };
  value: string | null;
}
export type RunResult =
  | { ok: true; batchId: number; inserted: number; replaced: number; created: { orgUnits: number; employees: number; periods: number; roles: number } }
  | { ok: false; errorCount: number; errors: ImportErrorRow[]; reportId: string };
export interface SavedMapping {
  name: string;
  table: string;
  mapping: Record<string, string>;
  constants: Record<string, string>;
  gradeMap?: ScaleEntry[];
  updatedAt?: string;
}
export interface BatchRow {
  id: number;
  table: string;
  fileName: string;
  format: string;
  rowCount: number;
  inserted: number;
  replaced: number;
  source?: string;
  startedAt: string;
  finishedAt?: string;
}
export interface BatchesResult {
  total: number;
  page: number;
  pageSize?: number;
  rows: BatchRow[];
}

/** What a clicked chart element adds to the page filters in the employee drill-down. */
export interface Drill {
  grade?: Grade;
  scoreMin?: number;
  scoreMax?: number;
  orgUnitId?: string;
  /** Human description of the selection, already translated. */
  title: string;
}
