import { z } from 'zod';
import { CYCLES, ROLES } from './domain.ts';

/** A period id of any cycle: 2024-03, 2024-Q1 or 2024. */
export const periodIdSchema = z
  .string()
  .regex(/^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$/, 'period id must look like 2024-03, 2024-Q1 or 2024');

/**
 * Filters shared by every analysis. `from`/`to` are inclusive period ids compared by the
 * period's start date, so a month range also selects the quarters that start inside it.
 */
export const analysisFiltersSchema = z.object({
  from: periodIdSchema.optional(),
  to: periodIdSchema.optional(),
  /** Selects this org unit and its whole subtree. */
  orgUnitId: z.string().min(1).max(64).optional(),
  role: z.enum(ROLES).optional(),
  cycle: z.enum(CYCLES).default('month'),
});
export type AnalysisFilters = z.infer<typeof analysisFiltersSchema>;
export type AnalysisFiltersInput = z.input<typeof analysisFiltersSchema>;

export const GROUP_BY = ['none', 'orgUnit', 'role', 'period'] as const;
export type GroupBy = (typeof GROUP_BY)[number];
