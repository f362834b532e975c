import { z } from 'zod';
import { CYCLES, GRADES } from '../domain.ts';
import { roleCodeSchema } from '../filters.ts';
import { BOOTSTRAP_REPS, BOOTSTRAP_SEED } from '../stats/bootstrap.ts';
import type { InferenceOptions } from './estimators.ts';

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

/** Bounds of the wild cluster bootstrap's replications (request field bootstrap.replicates). */
export const BOOTSTRAP_REPLICATES_MIN = 99;
export const BOOTSTRAP_REPLICATES_MAX = 9999;

/**
 * The bootstrap settings of a policy analysis. B + 1 must be a multiple of 100, so that α(B + 1) is
 * a whole number at α = 1%, 5% and 10% (the levels of the summary's wording and of the 95%
 * interval): the usual rule for bootstrap tests (Davidson & MacKinnon 2000), under which the test
 * rejects exactly α of the time for a pivotal statistic. The upper bound keeps a request within
 * its time budget (the cost is linear in B: the DiD and a 36-period event study over 8 clusters take
 * about 0.1 s at 999 and 0.5 s at 9,999 on two cores); the lower one keeps the Monte Carlo error of
 * p below about 0.05.
 */
export const bootstrapSettingsSchema = z.strictObject({
  replicates: z
    .number()
    .int()
    .min(BOOTSTRAP_REPLICATES_MIN)
    .max(BOOTSTRAP_REPLICATES_MAX)
    .refine((b) => (b + 1) % 100 === 0, {
      message: 'bootstrap.replicates: B + 1 must be a multiple of 100 (99, 199, … 999, … 9999) / 自助法次数 B 须使 B + 1 为 100 的倍数（99、199、…、999、…、9999）',
    })
    .optional(),
  /** Seed of the mulberry32 stream the bootstrap weights are drawn from (an unsigned 32-bit integer). */
  seed: z.number().int().min(0).max(0xffff_ffff).optional(),
});
export type BootstrapSettings = z.infer<typeof bootstrapSettingsSchema>;

/**
 * What the method note says about the settings (methods.inference appends the B and seed used).
 * Kept beside the schema so the documented bounds are the enforced ones.
 */
export const BOOTSTRAP_SETTINGS_METHOD =
  `Bootstrap settings (request field bootstrap, both optional): replicates B, default ${BOOTSTRAP_REPS}, ` +
  `${BOOTSTRAP_REPLICATES_MIN}–${BOOTSTRAP_REPLICATES_MAX} with B + 1 a multiple of 100 (α(B + 1) whole at α = 1%, 5% and 10%, ` +
  `the usual rule for bootstrap tests); seed, default ${BOOTSTRAP_SEED}, an integer 0–4294967295 (mulberry32 stream). ` +
  'The same data, B and seed give the same p-values and intervals on every run; another seed moves p only by Monte Carlo ' +
  'error, about √(p(1−p)/B). The Callaway–Sant’Anna multiplier bootstrap uses the same B and seed.';

/** The bootstrap settings as the estimators take them: the defaults where the request leaves one out. */
export function bootstrapInference(b: BootstrapSettings | undefined): Pick<InferenceOptions, 'bootstrapReps' | 'bootstrapSeed'> {
  return { bootstrapReps: b?.replicates ?? BOOTSTRAP_REPS, bootstrapSeed: b?.seed ?? BOOTSTRAP_SEED };
}

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
  /** Wild cluster bootstrap replications and seed; absent = 999 and the fixed default seed. */
  bootstrap: bootstrapSettingsSchema.optional(),
});
export type PolicyEffectInput = z.input<typeof policyEffectInputSchema>;
export type PolicyEffectParams = z.infer<typeof policyEffectInputSchema>;

export const GRADE_CODES = GRADES;
