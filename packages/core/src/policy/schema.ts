import { z } from 'zod';
import { CYCLES, GRADES } from '../domain.ts';
import { roleCodeSchema } from '../filters.ts';

/**
 * Outcome identifiers: `score` (total assessment score), `bonus` (bonus per head), `grade:<A–E>`
 * (share of that grade, %), `kpi:<kpi_code>` (the KPI's actual value), `metric:<name>` (an org-unit
 * row of `metrics`), `emetric:<name>` (an employee row of `metrics`: a metric such as sales may exist
 * at both levels). Codes travel as bound parameters, never as SQL.
 */
export const outcomeIdSchema = z
  .string()
  .regex(/^(score|bonus|grade:[A-E]|(kpi|metric|emetric):\S.{0,79})$/, {
    message: 'outcome must be score, bonus, grade:<A–E>, kpi:<code>, metric:<name> or emetric:<name> / 指标须为 score、bonus、grade:<A–E>、kpi:<代码>、metric:<名称> 或 emetric:<名称>',
  });
export type OutcomeId = z.infer<typeof outcomeIdSchema>;

export type OutcomeKind = 'score' | 'bonus' | 'grade' | 'kpi' | 'metric' | 'emetric';

/** Every outcome is measured per employee except org-unit metrics. */
export const outcomeLevel = (kind: OutcomeKind): 'orgUnit' | 'employee' => (kind === 'metric' ? 'orgUnit' : 'employee');
export type OutcomeLevel = 'orgUnit' | 'employee';

export function parseOutcome(id: OutcomeId): { kind: OutcomeKind; code: string | null } {
  const i = id.indexOf(':');
  if (i < 0) return { kind: id as 'score' | 'bonus', code: null };
  return { kind: id.slice(0, i) as OutcomeKind, code: id.slice(i + 1) };
}

export const policyIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,64}$/, { message: 'policy id: letters, digits, _ . - (≤ 64) / 政策编号只能包含字母、数字、_ . -（最多 64 个）' });

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'date must be YYYY-MM-DD / 日期格式须为 YYYY-MM-DD' }).refine(
  (s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s),
  { message: 'not a calendar date / 不是有效日期' },
);

/** Strict (as every API input): a misspelt field such as `scope` must not store a company-wide policy. */
export const policyFieldsSchema = z.strictObject({
  name: z.string().trim().min(1, { message: 'name is required / 请填写政策名称' }).max(200),
  description: z.string().max(4000).nullable().default(null),
  effectiveFrom: isoDate,
  /** Org subtrees in scope; empty = every unit. */
  scopeOrgUnitIds: z.array(z.string().min(1).max(64)).max(200).default([]),
  /** Roles in scope; empty = every role. Codes of the roles table (checked by the API), not only the built-in ones. */
  scopeRoles: z.array(roleCodeSchema).max(200).default([]),
  schemeBefore: z.string().max(64).nullable().default(null),
  schemeAfter: z.string().max(64).nullable().default(null),
});
export type PolicyFields = z.infer<typeof policyFieldsSchema>;

export const policyCreateSchema = policyFieldsSchema.extend({ id: policyIdSchema.optional() });
export const policyUpdateSchema = policyFieldsSchema.extend({ id: policyIdSchema });

export interface Policy extends PolicyFields {
  id: string;
}

export const UNITS_OF_ANALYSIS = ['auto', 'orgUnit', 'employee'] as const;

export const policyEffectInputSchema = z.strictObject({
  policyId: policyIdSchema,
  outcome: outcomeIdSchema,
  cycle: z.enum(CYCLES).default('month'),
  /** Periods before / after the effective date to use; absent = all available. */
  before: z.number().int().min(1).max(600).optional(),
  after: z.number().int().min(1).max(600).optional(),
  /** Chosen control org subtrees; absent = automatic (everything outside the scope with data on both sides). */
  controlOrgUnitIds: z.array(z.string().min(1).max(64)).min(1).max(200).optional(),
  /** auto: employee × period for employee-level outcomes (while the panel stays small enough), else org unit × period. */
  unit: z.enum(UNITS_OF_ANALYSIS).default('auto'),
});
export type PolicyEffectInput = z.input<typeof policyEffectInputSchema>;
export type PolicyEffectParams = z.infer<typeof policyEffectInputSchema>;

export const GRADE_CODES = GRADES;
