export { loadDemo, demoOptionsSchema, DEMO_POLICIES } from './load.ts';
export type { DemoOptions, DemoSummary } from './load.ts';
export { buildCompany, demoPeriods, ORG_UNITS, TREATED_UNIT, CONTROL_UNIT, POLICY1_MONTH, POLICY2_MONTH, employeeId } from './company.ts';
export type { DemoCompany, DemoEmployee, DemoOrgUnit } from './company.ts';
export { simulate, KPI_CODES, SCHEME_IDS, METRICS, forcedGrades } from './simulate.ts';
export type { DemoSink } from './simulate.ts';
export { writeDemoFiles, FLAT_SHEET } from './files.ts';
export type { DemoFile } from './files.ts';
