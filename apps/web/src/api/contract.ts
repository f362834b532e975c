/**
 * Shapes of the distribution / employees / import API as agreed in the shared contract.
 * The tRPC client is typed from AppRouter; these aliases are what components import so that a
 * router change shows up as a type error in one place.
 */
import type { Grade, Role, RaterRelation, Cycle } from '@perflens/core/domain';

export type { Grade, Role, RaterRelation, Cycle };

export interface Filters {
  from?: string;
  to?: string;
  orgUnitId?: string;
  role?: Role;
  cycle: Cycle;
}

export interface Overview {
  employees: number;
  orgUnits: number;
  periods: number;
  assessments: number;
  kpiLines: number;
  raterScores: number;
  firstPeriod: string | null;
  lastPeriod: string | null;
}
export interface OrgUnit {
  id: string;
  name: string;
  parentId: string | null;
  kind: string;
  depth: number;
}
export interface Period {
  id: string;
  kind: Cycle;
  startDate: string;
  endDate: string;
}
export interface GradeGroup {
  key: string;
  label: string;
  total: number;
  counts: Record<Grade, number>;
  shares: Record<Grade, number>;
}
export interface GradesResult {
  grades: Grade[];
  ungraded: number;
  groups: GradeGroup[];
}
export interface ScoreStats {
  n: number;
  mean: number;
  sd: number;
  min: number;
  max: number;
  p10: number;
  p25: number;
  p50: number;
  p75: number;
  p90: number;
}
export interface ScoresResult {
  bins: Array<{ from: number; to: number; count: number }>;
  stats: ScoreStats | null;
}
export interface OrgBox {
  orgUnitId: string;
  name: string;
  n: number;
  mean: number;
  min: number;
  q1: number;
  median: number;
  q3: number;
  max: number;
  lowerWhisker: number;
  upperWhisker: number;
  outliers: number;
}
export interface RaterRow {
  raterId: string;
  raterName: string | null;
  n: number;
  mean: number;
  sd: number | null;
  diff: number;
  z: number;
  lowN: boolean;
}
export interface RatersResult {
  overall: { n: number; mean: number; sd: number };
  raters: RaterRow[];
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
export interface EmployeeRow {
  employeeId: string;
  name: string;
  orgUnitId: string;
  orgUnitName: string;
  role: Role;
  periodId: string;
  score: number | null;
  grade: Grade | null;
  coefficient: number | null;
  bonus: string | null;
}
export interface EmployeePage {
  total: number;
  page: number;
  pageSize: number;
  rows: EmployeeRow[];
}

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
