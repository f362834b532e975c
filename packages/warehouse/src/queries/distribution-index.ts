/** Distribution and employee-list queries (one named query per file). */
export { filterSql, anyCycleFilterSql } from './filter-sql.ts';
export { resolveCycle, withResolvedCycle } from './resolve-cycle.ts';
export { knownRoles, unknownRoleCodes } from './role-codes.ts';
export type { RoleInfo } from './role-codes.ts';
export { listOrgUnits } from './org-units.ts';
export type { OrgUnitRow } from './org-units.ts';
export { listPeriods } from './periods.ts';
export type { PeriodRow } from './periods.ts';
export { gradeDistribution, gradeDistributionInputSchema } from './grade-distribution.ts';
export type { GradeDistribution, GradeDistributionInput, GradeGroup } from './grade-distribution.ts';
export { scoreDistribution, scoreDistributionInputSchema } from './score-distribution.ts';
export type { ScoreDistribution, ScoreDistributionInput, ScoreBin, ScoreStats } from './score-distribution.ts';
export { orgUnitBoxPlots, orgUnitBoxPlotsInputSchema } from './org-unit-boxplots.ts';
export type { OrgUnitBoxPlot, OrgUnitBoxPlots, OrgUnitBoxPlotsInput } from './org-unit-boxplots.ts';
export { raterLeniency, raterLeniencyInputSchema, DEFAULT_RATER_RELATIONS } from './rater-leniency.ts';
export type { RaterLeniency, RaterLeniencyInput, RaterRow } from './rater-leniency.ts';
export { listEmployeeAssessments, employeeAssessmentsInputSchema, EMPLOYEE_SORT_FIELDS } from './employee-assessments.ts';
export type {
  EmployeeAssessmentPage,
  EmployeeAssessmentRow,
  EmployeeAssessmentsInput,
  EmployeeSortField,
} from './employee-assessments.ts';
export { orgSubtree } from './org-subtree.ts';
