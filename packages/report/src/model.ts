import type { Grade } from '@perflens/core/domain';
import type { ValueUnit } from '@perflens/core/policy/units';
import type { EffectChartData, GradeChartData } from '@perflens/charts';

export type ReportLang = 'zh' | 'en';

/**
 * Everything the report prints, gathered from the API's own answers (packages/api report
 * router) so each figure in the PDF is the one the dashboard shows. Texts that come from the
 * server bilingual (summaries, warnings, reasons) arrive already in the report's language.
 */
export interface ReportModel {
  lang: ReportLang;
  /** ISO timestamp, UTC. */
  generatedAt: string;
  generatedBy: string | null;
  scope: {
    from: string | null;
    to: string | null;
    orgUnitName: string | null;
    roleName: string | null;
    /** The cycle the distribution counted (month, quarter, …). */
    cycle: string;
  };
  headline: {
    employees: number;
    orgUnits: number;
    /** Assessment rows in scope and their graded part. */
    records: number;
    graded: number;
    ungraded: number;
    firstPeriod: string | null;
    lastPeriod: string | null;
  };
  grades: {
    overall: GradeChartData;
    guideline: Record<Grade, number>;
    /** One row per department: its graded rows and shares. */
    byUnit: Array<{ label: string; total: number; shares: Record<Grade, number> }>;
    /** Departments left out of the table because the list is long (the largest are kept). */
    omittedUnits: number;
  };
  calibration: ReportCalibration | null;
  policies: ReportPolicy[];
  scenarios: ReportScenario[];
  dataNote: {
    batches: Array<{ fileName: string; table: string; rows: number; finishedAt: string }> | null;
    batchTotal: number | null;
    notes: string[];
  };
}

export interface ReportCalibration {
  name: string;
  status: 'open' | 'final';
  finalisedAt: string | null;
  people: number;
  moves: Array<{ employee: string; periodId: string; from: Grade | null; to: Grade | null; reason: string | null; actor: string | null }>;
  /** All moves, when the table shows only the first ones. */
  moveTotal: number;
  groups: number;
  groupsOnQuota: number;
  offQuota: Array<{ label: string; periodId: string; diff: Record<Grade, number> }>;
}

export interface ReportPolicy {
  id: string;
  name: string;
  effectiveFrom: string;
  outcomeLabel: string;
  unit: ValueUnit;
  headline: {
    method: 'did' | 'cs' | 'its' | null;
    estimate: number | null;
    ci: [number, number] | null;
    p: number | null;
    verdict: 'improved' | 'worsened' | 'changed' | 'unclear';
    reason: string | null;
  };
  effect: EffectChartData;
  summary: string;
  methods: Array<{ name: string; text: string }>;
  warnings: string[];
}

export interface ReportScenario {
  id: string;
  name: string;
  rows: number;
  employees: number;
  changed: number;
  shareChanged: number;
  distribution: { baseline: Record<Grade, number>; scenario: Record<Grade, number> };
  matrix: Array<{ from: Grade | null; to: Grade | null; count: number }>;
  cost: { baseline: string; scenario: string; delta: string };
  warnings: string[];
}
