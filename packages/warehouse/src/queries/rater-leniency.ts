import { z } from 'zod';
import { RATER_RELATIONS, analysisFiltersSchema, type RaterRelation } from '@perflens/core';
import type { Warehouse } from '../db.ts';
import { ensureAnalytics } from '../analytics.ts';
import { filterSql, withClause } from './filter-sql.ts';

/** Self-ratings say little about a rater's leniency, so they are left out unless asked for. */
export const DEFAULT_RATER_RELATIONS: readonly RaterRelation[] = RATER_RELATIONS.filter((r) => r !== 'self');

export const raterLeniencyInputSchema = analysisFiltersSchema.extend({
  relations: z.array(z.enum(RATER_RELATIONS)).min(1).max(RATER_RELATIONS.length).optional(),
  minN: z.number().int().min(1).max(1_000_000).default(10),
  /**
   * One page of the z-ordered list; omitted = every rater. A company of 200,000 has ~10,000
   * raters (1.6 MB of JSON) while a table shows ten at a time.
   */
  page: z.number().int().min(1).max(1_000_000).optional(),
  pageSize: z.number().int().min(1).max(500).default(10),
}).prefault({});
export type RaterLeniencyInput = z.input<typeof raterLeniencyInputSchema>;

export interface RaterRow {
  raterId: string;
  raterName: string | null;
  n: number;
  mean: number;
  sd: number | null;
  /** Rater mean − overall mean. */
  diff: number;
  /** diff in standard errors of a mean of n overall scores: diff / (overall sd / √n). */
  z: number;
  /** Fewer than minN scores: the z is too noisy to act on. */
  lowN: boolean;
}

export interface RaterLeniency {
  overall: { n: number; mean: number | null; sd: number | null };
  /** Number of raters in the whole list (the overall figures always cover all of them). */
  total: number;
  /** All raters, or the requested page, most lenient (highest z) first. */
  raters: RaterRow[];
}

/**
 * Rater leniency: each rater's mean over the rater scores of the filtered assessments
 * (joined on employee + period) against the mean of all those scores.
 */
export async function raterLeniency(wh: Warehouse, input: RaterLeniencyInput): Promise<RaterLeniency> {
  const f = raterLeniencyInputSchema.parse(input);
  await ensureAnalytics(wh);
  const relations = [...new Set(f.relations ?? DEFAULT_RATER_RELATIONS)];
  const fs = filterSql(f, 'raters');
  // rater_summary holds n, Σx and Σx² per rater × relation × rated period and unit (migration 002),
  // so this reads thousands of rows instead of joining tens of millions of rater scores.
  // Relations are spliced as literals so zone maps skip other relations' rows; they are members
  // of the zod-validated RATER_RELATIONS enum, never free text.
  const rows = await wh.query<{
    raterId: string;
    raterName: string | null;
    n: number;
    mean: number;
    m2: number;
  }>(
    `${withClause(
      fs,
      `per AS (SELECT a.rater_id, sum(a.n) AS n, sum(a.sum_score) AS s, sum(a.sum_sq) AS ss
                 FROM ${fs.from}
                WHERE a.relation IN (${relations.map((r) => `'${r}'::relation_t`).join(', ')})
                GROUP BY a.rater_id)`,
    )}
    SELECT per.rater_id AS "raterId", e.name AS "raterName", per.n::INTEGER AS n, per.s / per.n AS mean,
           -- Σ(x − x̄)² = Σx² − (Σx)²/n; scores are bounded (0–150), so the cancellation is harmless
           greatest(per.ss - per.s * per.s / per.n, 0) AS m2
      FROM per LEFT JOIN employees e ON e.id = per.rater_id`,
    fs.params,
  );
  // Overall moments combined from the per-rater ones (Chan et al.): exact, and saves a second
  // pass over the join.
  let n = 0;
  let sum = 0;
  for (const r of rows) {
    n += r.n;
    sum += r.n * r.mean;
  }
  const mean = n > 0 ? sum / n : null;
  let m2 = 0;
  for (const r of rows) m2 += r.m2 + r.n * (r.mean - mean!) ** 2;
  const sd = n > 1 ? Math.sqrt(m2 / (n - 1)) : null;
  const raters: RaterRow[] = rows.map((r) => {
    const diff = r.mean - mean!;
    return {
      raterId: r.raterId,
      raterName: r.raterName,
      n: r.n,
      mean: r.mean,
      sd: r.n > 1 ? Math.sqrt(r.m2 / (r.n - 1)) : null,
      diff,
      // With no spread at all every rater agrees with the company: z is 0, not a division by zero.
      z: sd && sd > 0 ? diff / (sd / Math.sqrt(r.n)) : 0,
      lowN: r.n < f.minN,
    };
  });
  raters.sort((x, y) => y.z - x.z || (x.raterId < y.raterId ? -1 : x.raterId > y.raterId ? 1 : 0));
  const page = f.page === undefined ? raters : raters.slice((f.page - 1) * f.pageSize, f.page * f.pageSize);
  return { overall: { n, mean, sd }, total: raters.length, raters: page };
}
