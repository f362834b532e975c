import { z } from 'zod';
import { RATER_RELATIONS, analysisFiltersSchema, normaliseByRater, type Cycle, type NormalisationResult, type RaterStats } from '@perflens/core';
import type { Warehouse } from '../db.ts';
import { ensureAnalytics } from '../analytics.ts';
import { filterSql, withClause } from './filter-sql.ts';
import { CalibrationError } from './calibration-session-common.ts';
import { withResolvedCycle } from './resolve-cycle.ts';

/** More rater scores than this are not normalised row by row in TS: narrow the filter. */
const MAX_ROWS = 400_000;

export const calibrationRatersInputSchema = analysisFiltersSchema
  .extend({
    relation: z.enum(RATER_RELATIONS).default('supervisor'),
    minN: z.number().int().min(1).max(100_000).default(5),
    /** Rater whose scores are listed side by side with every normalisation. */
    raterId: z.string().min(1).max(64).optional(),
  })
  .prefault({});
export type CalibrationRatersInput = z.input<typeof calibrationRatersInputSchema>;

export interface CalibrationRaters {
  /** The cycle of the rated assessments: the caller's, or the finest one with data in the filter. */
  cycle: Cycle;
  company: NormalisationResult['company'];
  raters: Array<RaterStats & { raterName: string | null }>;
  warnings: Array<{ code: string; zh: string; en: string }>;
  /** The chosen rater's scores: raw next to each normalisation, never applied silently. */
  scores: Array<{ employeeId: string; periodId: string; raw: number; zscore: number; centre: number; percentile: number; shrinkage: number }>;
}

/** `calibration.raters`: leniency / severity of each rater and the four normalisations of their scores. */
export async function calibrationRaters(wh: Warehouse, input: CalibrationRatersInput): Promise<CalibrationRaters> {
  // Parsed first: a bad input is refused before anything touches the database.
  const f = await withResolvedCycle(wh, calibrationRatersInputSchema.parse(input));
  await ensureAnalytics(wh);
  const fs = filterSql(f);
  // Rater scores of the filtered assessments (same population as the other analyses).
  const rows = await wh.query<{ e: string; p: string; r: string; x: number }>(
    `${withClause(fs)}
     SELECT r.employee_id AS e, r.period_id AS p, r.rater_id AS r, r.score AS x
       FROM rater_scores r SEMI JOIN ${fs.from} ON a.employee_id = r.employee_id AND a.period_id = r.period_id
      WHERE r.relation = $relation
      ORDER BY r.rater_id, r.period_id, r.employee_id
      LIMIT ${MAX_ROWS + 1}`,
    { ...fs.params, relation: f.relation },
  );
  if (rows.length > MAX_ROWS)
    throw new CalibrationError(
      'invalid',
      `More than ${MAX_ROWS} rater scores match: choose a shorter period range or an org unit. / 符合条件的评分超过 ${MAX_ROWS} 条：请缩短期间范围或选择组织单元。`,
    );
  if (rows.length === 0) return { cycle: f.cycle, company: { n: 0, mean: 0, sd: 0, withinVar: 0, betweenVar: 0 }, raters: [], warnings: [], scores: [] };
  // The ratee is each score's cluster for the rater's z (a supervisor rates the same people every month).
  const res = normaliseByRater(rows.map((r) => ({ rater: r.r, score: r.x, ratee: r.e })), f.minN);
  const names = new Map(
    (await wh.query<{ id: string; name: string }>('SELECT id, name FROM employees WHERE list_contains(string_split($ids, \',\'), id)', {
      ids: res.raters.map((r) => r.rater).join(','),
    })).map((r) => [r.id, r.name]),
  );
  const low = res.raters.filter((r) => r.lowN).length;
  const warnings = low
    ? [
        {
          code: 'low-n',
          zh: `${low} 位评分人的评分少于 ${f.minN} 条，宽严度估计不稳定（收缩估计已向全公司均值拉回）。`,
          en: `${low} ${low === 1 ? 'rater has' : 'raters have'} fewer than ${f.minN} scores; their leniency is unstable (the shrinkage estimate pulls it toward the company mean).`,
        },
      ]
    : [];
  const scores = f.raterId
    ? rows.flatMap((r, i) =>
        r.r === f.raterId
          ? [{ employeeId: r.e, periodId: r.p, raw: r.x, zscore: res.adjusted.zscore[i]!, centre: res.adjusted.centre[i]!, percentile: res.adjusted.percentile[i]!, shrinkage: res.adjusted.shrinkage[i]! }]
          : [],
      )
    : [];
  return { cycle: f.cycle, company: res.company, raters: res.raters.map((r) => ({ ...r, raterName: names.get(r.rater) ?? null })), warnings, scores };
}
