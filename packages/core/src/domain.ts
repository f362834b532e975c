/**
 * Domain vocabulary shared by every layer. Codes are stable identifiers stored in DuckDB;
 * labels are for display only (the web app has its own i18n copies of these for the UI).
 */

export const ROLES = [
  'merchandiser',
  'sales',
  'foreign_trade',
  'cs_ecommerce',
  'cs_callcenter',
  'key_account',
  'functional',
] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, { zh: string; en: string }> = {
  merchandiser: { zh: '跟单员', en: 'Merchandiser' },
  sales: { zh: '销售/业务员', en: 'Sales' },
  foreign_trade: { zh: '外贸业务员', en: 'Foreign-trade sales' },
  cs_ecommerce: { zh: '电商客服', en: 'E-commerce customer service' },
  cs_callcenter: { zh: '呼叫中心客服', en: 'Call-centre agent' },
  key_account: { zh: '大客户服务', en: 'Key-account service' },
  functional: { zh: '职能部门', en: 'Functional staff' },
};

/**
 * Canonical grade codes, best first. Recorded grades from any naming (优/良/中/基本合格/不合格,
 * A–E, S-A-B-C-D, 优秀/良好/合格/待改进…) are normalised to these on import so that
 * distributions across schemes and years are comparable.
 */
export const GRADES = ['A', 'B', 'C', 'D', 'E'] as const;
export type Grade = (typeof GRADES)[number];

export const GRADE_LABELS: Record<Grade, { zh: string; en: string }> = {
  A: { zh: '优', en: 'Outstanding' },
  B: { zh: '良', en: 'Good' },
  C: { zh: '中', en: 'Satisfactory' },
  D: { zh: '基本合格', en: 'Marginal' },
  E: { zh: '不合格', en: 'Unsatisfactory' },
};

/**
 * Default grade bands from the seeds: 91–100 优 ×1.3, 81–90 良 ×1.1, 71–80 中 ×1.0,
 * 61–70 基本合格 ×0.8, <60 不合格 ×0.4. The seeds write integral bands ("81–90", "<60"), which
 * leave the gaps between them (90.5, 59.5) and 60 itself undefined; PerfLens reads them as
 * half-open intervals of the unrounded score: 91–100 优, 81–<91 良, 71–<81 中, 60–<71 基本合格,
 * <60 不合格 — the first band whose inclusive lower bound the score reaches wins. So 59.99 is
 * 不合格, exactly as the seed's "<60" says, and 90.5 is 良. A scheme that grades a rounded score
 * says so with `gradeRounding: 'half_up_integer'` (see GradeRounding).
 */
export const DEFAULT_GRADE_BANDS: ReadonlyArray<{ grade: Grade; min: number; coefficient: number }> = [
  { grade: 'A', min: 91, coefficient: 1.3 },
  { grade: 'B', min: 81, coefficient: 1.1 },
  { grade: 'C', min: 71, coefficient: 1.0 },
  { grade: 'D', min: 60, coefficient: 0.8 },
  { grade: 'E', min: Number.NEGATIVE_INFINITY, coefficient: 0.4 },
];

/**
 * What the bands are compared with: 'none' (default) the score as it is (2 decimals);
 * 'half_up_integer' the score rounded half-up to an integer first (⌊score + 0.5⌋), for a
 * company whose rules say "scores are rounded before grading".
 */
export const GRADE_ROUNDINGS = ['none', 'half_up_integer'] as const;
export type GradeRounding = (typeof GRADE_ROUNDINGS)[number];

/** The value the bands compare: the score itself, or ⌊score + 0.5⌋ under 'half_up_integer'. */
export function gradingValue(score: number, rounding: GradeRounding = 'none'): number {
  return rounding === 'half_up_integer' ? Math.floor(score + 0.5) : score;
}

/** Grade for a score under bands sorted best first: the first band whose minimum the (optionally rounded) score reaches. */
export function gradeForScore(
  score: number,
  bands: ReadonlyArray<{ grade: Grade; min: number }> = DEFAULT_GRADE_BANDS,
  rounding: GradeRounding = 'none',
): Grade {
  const v = gradingValue(score, rounding);
  for (const band of bands) if (v >= band.min) return band.grade;
  return bands[bands.length - 1]!.grade;
}

/** Default forced-distribution guideline 优10% / 良20% / 中50% / 基本合格15% / 不合格5%. */
export const DEFAULT_GUIDELINE: Record<Grade, number> = { A: 0.1, B: 0.2, C: 0.5, D: 0.15, E: 0.05 };

export const CYCLES = ['month', 'quarter', 'year'] as const;
export type Cycle = (typeof CYCLES)[number];

export const RATER_RELATIONS = ['self', 'peer', 'supervisor', 'indirect_supervisor', 'customer'] as const;
export type RaterRelation = (typeof RATER_RELATIONS)[number];

export const ORG_UNIT_KINDS = ['company', 'division', 'department', 'team'] as const;
export type OrgUnitKind = (typeof ORG_UNIT_KINDS)[number];

/** Imports land in these tables; order matters for references (parents first). */
export const IMPORT_TABLES = [
  'org_units',
  'employees',
  'periods',
  'kpi_results',
  'rater_scores',
  'assessments',
  'metrics',
  'policies',
] as const;
export type ImportTable = (typeof IMPORT_TABLES)[number];
