import { z } from 'zod';
import { RATER_RELATIONS, analysisFiltersSchema, type RaterRelation } from '@perflens/core';
import type { Warehouse } from '../db.ts';
import { ensureAnalytics } from '../analytics.ts';
import { scopedFilterSql, withClause } from './filter-sql.ts';

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
  const fs = await scopedFilterSql(wh, f, 'raters');
  // rater_summary holds n, Σx and Σx² per rater × relation × rated period and unit, and the
  // rater's name (migrations 002, 004), so this reads thousands of rows instead of joining tens
  // of millions of rater scores. Relations are spliced as literals (members of the
  // zod-validated RATER_RELATIONS enum, never free text), as the shorter of the set and its
  // complement: the table is ordered by relation, and `<> 'self'` lets zone maps skip the
  // self-ratings, four rows in five, where an IN list of the others is tested row by row.
  const others = RATER_RELATIONS.filter((r) => !relations.includes(r));
  const relationSql =
    others.length === 0 ? 'TRUE'
    : others.length < relations.length ? `a.relation NOT IN (${others.map((r) => `'${r}'::relation_t`).join(', ')})`
    : `a.relation IN (${relations.map((r) => `'${r}'::relation_t`).join(', ')})`;
  // Everything is computed in the statement (moments, z, order, page) and read back as columns:
  // building row objects for a department's 2,000 raters cost as much as the query.
  const paged = f.page !== undefined;
  const c = await wh.columns<{
    raterId: string[]; raterName: (string | null)[]; n: number[]; mean: number[]; sd: (number | null)[]; diff: number[]; z: number[];
    lowN: boolean[]; total: number[]; on: number[]; omean: (number | null)[]; osd: (number | null)[];
  }>(
    `${withClause(
      fs,
      `per AS (SELECT a.rater_id, any_value(a.rater_name) AS name, sum(a.n) AS n, sum(a.sum_score) AS s, sum(a.sum_sq) AS ss
                 FROM ${fs.from}
                WHERE ${relationSql}
                GROUP BY a.rater_id)`,
      // Σ(x − x̄)² per rater = Σx² − (Σx)²/n (scores are bounded, 0–150, so the cancellation is
      // harmless); the overall moments combine the per-rater ones (Chan et al.), exactly.
      `m AS (SELECT rater_id, name, n, s / n AS mean, greatest(ss - s * s / n, 0) AS m2 FROM per)`,
      `o AS (SELECT sum(n) AS n, sum(n * mean) / sum(n) AS mean FROM m)`,
      `o2 AS (SELECT o.n, o.mean, CASE WHEN o.n > 1 THEN sqrt(sum(m.m2 + m.n * (m.mean - o.mean) * (m.mean - o.mean)) / (o.n - 1)) END AS sd
                FROM m, o GROUP BY o.n, o.mean)`,
      `z AS (SELECT m.rater_id, m.name, m.n, m.mean, CASE WHEN m.n > 1 THEN sqrt(m.m2 / (m.n - 1)) END AS sd, m.mean - o2.mean AS diff,
                    -- With no spread at all every rater agrees with the company: z is 0, not a division by zero.
                    CASE WHEN o2.sd > 0 THEN (m.mean - o2.mean) / (o2.sd / sqrt(m.n)) ELSE 0 END AS z
               FROM m, o2)`,
    )}
    SELECT z.rater_id AS "raterId", z.name AS "raterName", z.n::INTEGER AS n, z.mean, z.sd, z.diff, z.z, z.n < $minN AS "lowN",
           ${paged ? 'count(*) OVER ()' : '0'}::INTEGER AS total, o2.n::INTEGER AS "on", o2.mean AS omean, o2.sd AS osd
      FROM z, o2
     ORDER BY z.z DESC, z.rater_id
     ${paged ? 'LIMIT $limit OFFSET $offset' : ''}`,
    { ...fs.params, minN: f.minN, ...(paged ? { limit: f.pageSize, offset: (f.page! - 1) * f.pageSize } : {}) },
  );
  const count = c.raterId.length;
  if (count === 0) {
    // Past the last page the overall figures and the total still hold: read them from page 1.
    if (paged && f.page! > 1) return { ...(await raterLeniency(wh, { ...input, page: 1, pageSize: 1 })), raters: [] };
    return { overall: { n: 0, mean: null, sd: null }, total: 0, raters: [] };
  }
  const raters: RaterRow[] = new Array(count);
  for (let i = 0; i < count; i++)
    raters[i] = { raterId: c.raterId[i]!, raterName: c.raterName[i]!, n: c.n[i]!, mean: c.mean[i]!, sd: c.sd[i]!, diff: c.diff[i]!, z: c.z[i]!, lowN: c.lowN[i]! };
  return { overall: { n: c.on[0]!, mean: c.omean[0]!, sd: c.osd[0]! }, total: paged ? c.total[0]! : count, raters };
}
