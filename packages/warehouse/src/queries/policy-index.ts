/** Policy-effectiveness queries (one named query per file). */
export { listPolicies } from './policy-list.ts';
export { savePolicy, PolicyValidationError } from './policy-save.ts';
export type { SavedPolicy } from './policy-save.ts';
export { deletePolicy } from './policy-delete.ts';
export { policyOutcomes } from './policy-outcomes.ts';
export type { PolicyOutcome } from './policy-outcomes.ts';
export { policyPanel } from './policy-panel.ts';
export type { PolicyPanelInput } from './policy-panel.ts';
export { policyPanelSize } from './policy-panel-size.ts';
export { policyDistribution } from './policy-distribution.ts';
export { policyAssessmentPanel, isAssessmentOutcome } from './policy-assessment-panel.ts';
export type { PolicyScopeParams } from './policy-scope-sql.ts';
export { policyWorkbook, policyHeadline } from './policy-export.ts';
export type { PolicyEffectForExport } from './policy-export.ts';
