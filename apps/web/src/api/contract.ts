/**
 * Shapes of the API the components use. Routers that exist are aliased from RouterOutputs, so a
 * server change shows up as a type error here; the import router's agreed shape is written out
 * until it lands.
 */
import type { Grade, Role, RaterRelation, Cycle } from '@perflens/core/domain';
import type { RouterOutputs } from '@perflens/api';

export type { Grade, Role, RaterRelation, Cycle };

export interface Filters {
  from?: string;
  to?: string;
  orgUnitId?: string;
  role?: Role;
  cycle: Cycle;
}

type Out = RouterOutputs;
export type Overview = Out['meta']['overview'];
export type OrgUnit = Out['meta']['orgUnits'][number];
export type Period = Out['meta']['periods'][number];
export type GradesResult = Out['distribution']['grades'];
export type GradeGroup = GradesResult['groups'][number];
export type ScoresResult = Out['distribution']['scores'];
export type ScoreStats = NonNullable<ScoresResult['stats']>;
export type OrgBox = Out['distribution']['byOrgUnit'][number];
export type RatersResult = Out['distribution']['raters'];
export type RaterRow = RatersResult['raters'][number];
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
export interface PreviewResult {
  fileName: string;
  format: string;
  encoding?: string;
  delimiter?: string;
  sheets?: string[];
  headers: string[];
  sampleRows: string[][];
  rowCount: number;
  /** The sheet row holding the header (below a workbook's title rows when > 1). */
  headerRow?: number;
  suggestedTable?: string;
  suggestions: Record<string, string | null>;
}
export interface ImportErrorRow {
  row: number;
  column: string | null;
  code: string;
  message: { zh: string; en: string };
  value: string | null;
}
export type RunResult =
  | { ok: true; batchId: number; inserted: number; replaced: number; created: { orgUnits: number; employees: number; periods: number } }
  | { ok: false; errorCount: number; errors: ImportErrorRow[]; reportId: string };
export interface SavedMapping {
  name: string;
  table: string;
  mapping: Record<string, string>;
  constants: Record<string, string>;
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
