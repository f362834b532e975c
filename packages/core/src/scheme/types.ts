import { z } from 'zod';
import { CYCLES, GRADE_ROUNDINGS, GRADES, RATER_RELATIONS } from '../domain.ts';
import { roleCodeSchema } from '../filters.ts';
import { checkScheme } from './validate.ts';

/**
 * A scheme (考核方案) as data. Everything the evaluator needs is in the definition so the same
 * JSON can be stored in `schemes.definition`, explained line by line in TS and (later) compiled
 * to SQL by the what-if simulator. Every object is strict: `scheme.validate`, `simulation.run`
 * and `scenario.save` take schemes from callers, and a misspelt key (`weigth`) must be reported,
 * not dropped in favour of a default. Units of numbers are fixed by convention:
 * - rates with unit '%' are fractions (0.78 = 78%);
 * - tier/ratio rules yield KPI points on a 0–100 scale (a ratio may exceed 100 up to its cap);
 * - deduction/bonus rules count in the seeds' own unit, points of the total score
 *   ("迟到一次扣 2 分"), so their full marks default to the KPI weight.
 */

export const bilingualSchema = z.strictObject({ zh: z.string().min(1), en: z.string().min(1) });
export type Bilingual = z.infer<typeof bilingualSchema>;

export const KPI_SECTIONS = ['result', 'process', 'discipline'] as const;
export type KpiSection = (typeof KPI_SECTIONS)[number];

/** Null bound = unbounded. Which end is inclusive follows the rule's direction (see evaluateKpi). */
export const tierSchema = z.strictObject({
  from: z.number().nullable(),
  to: z.number().nullable(),
  points: z.number().min(0).max(200),
});
export type Tier = z.infer<typeof tierSchema>;

export const tierRuleSchema = z.strictObject({
  type: z.literal('tier'),
  /** higher: [from, to) — "X≥75% → 100"; lower: (from, to] — "T≤30s → 100". */
  direction: z.enum(['higher', 'lower']),
  /** 'actual' tiers the raw value; 'achievement' tiers actual/target. */
  measure: z.enum(['actual', 'achievement']).default('actual'),
  tiers: z.array(tierSchema).min(1),
});

export const ratioRuleSchema = z.strictObject({
  type: z.literal('ratio'),
  /** higher: actual/target × 100; lower (cost, lead time): target/actual × 100. */
  direction: z.enum(['higher', 'lower']).default('higher'),
  cap: z.number().positive().optional(),
});

export const deductionRuleSchema = z.strictObject({
  type: z.literal('deduction'),
  /** Points of the total score taken per step (e.g. 2 per late arrival). */
  per: z.number().positive(),
  /** Occurrences per step (e.g. 3: "each 3 missing new clients −1"). */
  every: z.number().positive().default(1),
  /** count: actual is the number of occurrences; shortfall: occurrences = target − actual. */
  basis: z.enum(['count', 'shortfall']).default('count'),
  /** Starting points; defaults to the KPI weight ("扣完本项分为止"). */
  full: z.number().positive().optional(),
});

export const bonusRuleSchema = z.strictObject({
  type: z.literal('bonus'),
  /** Points granted before any occurrence. */
  base: z.number().min(0),
  per: z.number().positive(),
  every: z.number().positive().default(1),
  /** Ceiling of the line; defaults to the KPI weight. */
  cap: z.number().positive().optional(),
});

/** The line's actual is the rater composite (scheme.raters), already on a 0–100 scale. */
export const raterRuleSchema = z.strictObject({ type: z.literal('rater') });

export const kpiRuleSchema = z.discriminatedUnion('type', [
  tierRuleSchema,
  ratioRuleSchema,
  deductionRuleSchema,
  bonusRuleSchema,
  raterRuleSchema,
]);
export type KpiRule = z.infer<typeof kpiRuleSchema>;

export const kpiSchema = z.strictObject({
  code: z.string().regex(/^[a-z][a-z0-9_]*$/, 'KPI codes are lower_snake_case'),
  name: bilingualSchema,
  section: z.enum(KPI_SECTIONS),
  weight: z.number().positive().max(100),
  /** Display unit: '%' (value is a fraction), 's', '/10', '元', '个' … */
  unit: z.string().max(10).optional(),
  rule: kpiRuleSchema,
});
export type Kpi = z.infer<typeof kpiSchema>;

export const raterWeightsSchema = z.partialRecord(z.enum(RATER_RELATIONS), z.number().positive());
export type RaterWeights = z.infer<typeof raterWeightsSchema>;

/** `min: null` is "everything below" (JSON has no −Infinity). */
export const gradeBandSchema = z.strictObject({
  grade: z.enum(GRADES),
  min: z.number().nullable(),
  coefficient: z.number().min(0).max(10),
});
export type GradeBand = z.infer<typeof gradeBandSchema>;

export const vetoSchema = z.strictObject({
  type: z.literal('grade_cap'),
  /** Event counted by the caller over the window, e.g. complaint_exposure in the quarter. */
  event: z.string().regex(/^[a-z][a-z0-9_]*$/),
  window: z.enum(CYCLES),
  threshold: z.number().int().positive(),
  capGrade: z.enum(GRADES),
  reason: bilingualSchema,
});
export type Veto = z.infer<typeof vetoSchema>;

/**
 * Streak rule: N consecutive monthly periods meeting a condition raise a flag ("3 consecutive
 * failing months → dismissal review"). A gap month (no assessment) breaks the streak. Flags do
 * not change score, grade or bonus; the simulator reports who gains or loses them.
 */
export const streakSchema = z.strictObject({
  code: z.string().regex(/^[a-z][a-z0-9_]*$/),
  name: bilingualSchema,
  periods: z.number().int().min(2).max(36),
  condition: z.discriminatedUnion('kind', [
    /** Grade at or below this one (E worst), after vetoes. */
    z.strictObject({ kind: z.literal('grade_at_most'), grade: z.enum(GRADES) }),
    /** Total score strictly below the value. */
    z.strictObject({ kind: z.literal('score_below'), value: z.number() }),
  ]),
});
export type Streak = z.infer<typeof streakSchema>;

export const bonusBaseSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('salary'), share: z.number().positive().max(10) }),
  z.strictObject({ kind: z.literal('fixed'), amount: z.number().nonnegative() }),
]);
export type BonusBase = z.infer<typeof bonusBaseSchema>;

export const bonusComponentSchema = z.discriminatedUnion('type', [
  /** base × score/100 ("月工资×(得分÷100)"). */
  z.strictObject({ type: z.literal('score_share'), base: bonusBaseSchema }),
  /** base × grade coefficient. */
  z.strictObject({ type: z.literal('grade_coefficient'), base: bonusBaseSchema }),
  /** actual/target of one KPI × base × resultShare + supervisor ratio × base × supervisorShare. */
  z.strictObject({
    type: z.literal('achievement_split'),
    base: bonusBaseSchema,
    kpiCode: z.string(),
    resultShare: z.number().min(0).max(1),
    supervisorShare: z.number().min(0).max(1),
    supervisorRatioMin: z.number().min(0).default(0.6),
    supervisorRatioMax: z.number().positive().default(1.4),
  }),
  /** order total × rate ("成交订单总额×千分之三"). */
  z.strictObject({ type: z.literal('commission'), rate: z.number().positive().max(1) }),
]);
export type BonusComponent = z.infer<typeof bonusComponentSchema>;

export const schemeObjectSchema = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9_]*(-[a-z0-9_]+)*-v\d+$/, 'scheme ids look like merchandiser-v1'),
  /** Any code of the roles table (built-in or imported); the API checks it exists. */
  role: roleCodeSchema,
  version: z.number().int().positive(),
  name: bilingualSchema,
  description: bilingualSchema.optional(),
  cycle: z.enum(CYCLES).default('month'),
  kpis: z.array(kpiSchema).min(1),
  raters: z.strictObject({ weights: raterWeightsSchema }).optional(),
  gradeBands: z.array(gradeBandSchema).min(1),
  /** Whether the bands compare the score as it is ('none', default) or rounded half-up to an integer. */
  gradeRounding: z.enum(GRADE_ROUNDINGS).default('none'),
  vetoes: z.array(vetoSchema).default([]),
  bonus: z.array(bonusComponentSchema).default([]),
  streaks: z.array(streakSchema).default([]),
});

/** Cross-field rules (weights = 100, contiguous tiers, ordered bands …) with bilingual messages. */
export const schemeSchema = schemeObjectSchema.superRefine((s, ctx) => {
  for (const issue of checkScheme(s)) ctx.addIssue({ code: 'custom', path: issue.path, message: `${issue.zh} / ${issue.en}` });
});
export type Scheme = z.infer<typeof schemeObjectSchema>;
export type SchemeInput = z.input<typeof schemeObjectSchema>;
