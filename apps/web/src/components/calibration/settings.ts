import { GRADES, type Cycle, type Grade } from '@perflens/core/domain';
import type { DepartmentsInput, RankingInput } from '@/pages/calibration/api';

export type Grouping = 'company' | 'orgUnit' | 'role' | 'orgUnitRole';
export type TieRule = 'better' | 'secondary' | 'flag';
export type Normalisation = 'centre' | 'zscore' | 'shrinkage';
/** A range bound in percent; null means "no bound". */
export interface Range {
  min: number | null;
  max: number | null;
}

/** Everything the HR user chooses before a forced ranking runs; percentages as typed (0–100). */
export interface CalibSettings {
  period: string;
  cycle: Cycle;
  orgUnitId: string | null;
  /** Any role code (a company's own job titles are roles too). */
  role: string | null;
  grouping: Grouping;
  guidelineMode: 'shares' | 'ranges';
  shares: Record<Grade, number>;
  ranges: Record<Grade, Range>;
  scoreSource: 'recorded' | 'normalised';
  normalisation: Normalisation;
  tieRule: TieRule;
  secondaryKpi: string | null;
  minGroupSize: number;
  linked: boolean;
  multipliers: Record<Grade, number>;
  /** Department grades HR set by hand, by group key; the rest come from the department's mean score. */
  deptGrades: Partial<Record<string, Grade>>;
}

export const DEFAULT_SHARES: Record<Grade, number> = { A: 10, B: 20, C: 50, D: 15, E: 5 };
/**
 * The 20/70/10 ("vitality curve") preset on the five-grade scale: the top 20% 优, the middle 70%
 * 中, the bottom 10% 不合格; 良 and 基本合格 stay empty. The shares are editable afterwards.
 */
export const PRESET_207010: Record<Grade, number> = { A: 20, B: 0, C: 70, D: 0, E: 10 };
/** Seed 004's department multipliers of the top-grade share (优秀部门 1.5×, 一般 0.5×). */
export const DEFAULT_MULTIPLIERS: Record<Grade, number> = { A: 1.5, B: 1, C: 0.5, D: 0.5, E: 0.5 };

export function defaultRanges(): Record<Grade, Range> {
  return { A: { min: null, max: 10 }, B: { min: null, max: 20 }, C: { min: null, max: null }, D: { min: null, max: null }, E: { min: 5, max: null } };
}

export function defaultSettings(period: string, cycle: Cycle = 'month'): CalibSettings {
  return {
    period,
    cycle,
    orgUnitId: null,
    role: null,
    grouping: 'orgUnit',
    guidelineMode: 'shares',
    shares: { ...DEFAULT_SHARES },
    ranges: defaultRanges(),
    scoreSource: 'recorded',
    normalisation: 'centre',
    tieRule: 'better',
    secondaryKpi: null,
    minGroupSize: 10,
    linked: false,
    multipliers: { ...DEFAULT_MULTIPLIERS },
    deptGrades: {},
  };
}

export const sharesTotal = (s: Record<Grade, number>): number => GRADES.reduce((a, g) => a + (Number(s[g]) || 0), 0);

/** Problems the form shows before asking the server (the server re-checks everything). */
export function settingsIssues(s: CalibSettings): Array<{ key: string; values?: Record<string, unknown> }> {
  const out: Array<{ key: string; values?: Record<string, unknown> }> = [];
  if (s.guidelineMode === 'shares') {
    const total = sharesTotal(s.shares);
    if (total <= 0) out.push({ key: 'calibration.issue.sharesZero' });
    else if (Math.abs(total - 100) > 1e-9) out.push({ key: 'calibration.issue.sharesSum', values: { total: Number(total.toFixed(2)) } });
  } else {
    for (const g of GRADES) {
      const r = s.ranges[g];
      if (r.min !== null && r.max !== null && r.min > r.max) out.push({ key: 'calibration.issue.rangeOrder', values: { grade: g } });
    }
    const mins = GRADES.reduce((a, g) => a + (s.ranges[g].min ?? 0), 0);
    if (mins > 100) out.push({ key: 'calibration.issue.rangeMins', values: { total: mins } });
  }
  if (s.linked && (s.grouping !== 'orgUnit' || s.guidelineMode !== 'shares')) out.push({ key: 'calibration.issue.linked' });
  if (s.tieRule === 'secondary' && !s.secondaryKpi) out.push({ key: 'calibration.issue.secondaryKpi' });
  return out;
}

const pct = (v: number | null): number | undefined => (v === null || !Number.isFinite(v) ? undefined : v / 100);

/** The `ranking.forced` input for the settings (people paging is added by the caller). */
export function rankingInput(s: CalibSettings): Omit<RankingInput, 'people'> {
  const guideline: RankingInput['guideline'] =
    s.guidelineMode === 'shares'
      ? { mode: 'shares', shares: { ...s.shares } }
      : {
          mode: 'ranges',
          ranges: Object.fromEntries(
            GRADES.flatMap((g) => {
              const r = s.ranges[g];
              const b = { ...(pct(r.min) !== undefined ? { min: pct(r.min) } : {}), ...(pct(r.max) !== undefined ? { max: pct(r.max) } : {}) };
              return Object.keys(b).length ? [[g, b]] : [];
            }),
          ),
        };
  return {
    from: s.period,
    cycle: s.cycle,
    ...(s.orgUnitId ? { orgUnitId: s.orgUnitId } : {}),
    ...(s.role ? { role: s.role } : {}),
    grouping: s.grouping,
    guideline,
    scoreSource: s.scoreSource,
    normalisation: s.normalisation,
    tieRule: s.tieRule,
    ...(s.tieRule === 'secondary' && s.secondaryKpi ? { secondaryKpi: s.secondaryKpi } : {}),
    minGroupSize: s.minGroupSize,
    ...(s.linked
      ? {
          departmentLinked: {
            grades: Object.fromEntries(Object.entries(s.deptGrades).filter((e): e is [string, Grade] => !!e[1])),
            multipliers: { ...s.multipliers },
          },
        }
      : {}),
  };
}

/**
 * The department analysis compares against shares; with a ranges guideline it uses the default
 * 10/20/50/15/5 (a range has no single expected share), which the page says next to the heat map.
 */
export function departmentsInput(s: CalibSettings): Exclude<DepartmentsInput, void | undefined> {
  return {
    ...analysisFilters(s),
    guideline: { mode: 'shares', shares: s.guidelineMode === 'shares' ? { ...s.shares } : { ...DEFAULT_SHARES } },
  };
}

/** Filters of the analyses that take the shared analysis filters (raters, fairness). */
export function analysisFilters(s: CalibSettings): { from: string; to: string; cycle: Cycle; orgUnitId?: string; role?: string } {
  return { from: s.period, to: s.period, cycle: s.cycle, ...(s.orgUnitId ? { orgUnitId: s.orgUnitId } : {}), ...(s.role ? { role: s.role } : {}) };
}
