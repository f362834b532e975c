import { z } from 'zod';
import { CYCLES, type Cycle } from './domain.ts';

/** A period id of any cycle: 2024-03, 2024-Q1 or 2024. */
export const periodIdSchema = z
  .string()
  .regex(/^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$/, 'period id must look like 2024-03, 2024-Q1 or 2024');

/**
 * A role code as the API accepts it. Roles are data (the `roles` table: the seven built-in codes
 * of ROLES plus any job title a company imports), so the schema only checks the shape; the API
 * checks the code against the table (packages/api/src/trpc.ts) and answers 400 naming it.
 */
export const roleCodeSchema = z.string().trim().min(1).max(64);

/**
 * Filters shared by every analysis. `from`/`to` are inclusive period ids compared by the
 * period's start date, so a month range also selects the quarters that start inside it.
 * Strict: a misspelt filter (`orgUnit` for `orgUnitId`) is a 400 naming the key, not a
 * silently unfiltered answer.
 */
export const analysisFiltersSchema = z.strictObject({
  from: periodIdSchema.optional(),
  to: periodIdSchema.optional(),
  /** Selects this org unit and its whole subtree. */
  orgUnitId: z.string().min(1).max(64).optional(),
  role: roleCodeSchema.optional(),
  /**
   * Absent = the finest cycle that has assessments within the other filters (the warehouse's
   * resolveCycle), so a company that reviews once a year sees its data without picking a cycle.
   * Analyses echo the cycle they used.
   */
  cycle: z.enum(CYCLES).optional(),
});
export type AnalysisFilters = z.infer<typeof analysisFiltersSchema>;
export type AnalysisFiltersInput = z.input<typeof analysisFiltersSchema>;
/** Filters whose cycle has been resolved: what the SQL filter fragments take. */
export type ResolvedAnalysisFilters = Omit<AnalysisFilters, 'cycle'> & { cycle: Cycle };

export const GROUP_BY = ['none', 'orgUnit', 'role', 'period'] as const;
export type GroupBy = (typeof GROUP_BY)[number];
