import { z } from 'zod';
import { RATER_RELATIONS, analysisFiltersSchema, raterShrinkage, rateeClusterZ, type Cycle, type RaterRelation } from '@perflens/core';
import type { Warehouse } from '../db.ts';
import { ensureAnalytics } from '../analytics.ts';
import { scopedFilterSql, withClause } from './filter-sql.ts';
import { withResolvedCycle } from './resolve-cycle.ts';

/** Above this many raters in one answer, z is left out (see RaterRow.z). */
const CLUSTERED_Z_MAX = 500;

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
  /**
   * Also compute each returned rater's z with the people rated as clusters. It needs one more
   * read of the raw rater scores joined to the filtered assessments (0.6–0.9 s at 200,000
   * employees), and the ranking does not use it, so it is asked for, not paid on every page.
   */
  withZ: z.boolean().default(false),
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
  /**
   * The ranking and colouring key: the rater's leniency shrunk toward 0 by the size of the team
   * (one-way random effects, method of moments: λ·diff, λ = τ²/(τ² + σ²/n)).
   */
  shrunk: number;
  /** 95% interval of `shrunk`: λ·diff ± 1.96·√(λσ²/n). */
  shrunkCi: [number, number];
  /** lenient / severe when that interval excludes 0, else neutral (what the table colours). */
  level: 'lenient' | 'severe' | 'neutral';
  /**
   * Test statistic only: diff / SE with the people rated as clusters (a supervisor's monthly
   * ratings of the same people are not independent), SE = √(G/(G−1)·Σ_j(Σ_i(x_i − m))²)/n.
   * 0 with fewer than two people rated. null unless asked for (withZ), and in an unpaged list of
   * more than CLUSTERED_Z_MAX raters, whose per-person read would cost seconds.
   */
  z: number | null;
  /** People rated (the clusters of z). */
  ratees: number;
  /** Fewer than minN scores: the estimate is too noisy to act on. */
  lowN: boolean;
}

export interface RaterLeniency {
  /** The cycle of the rated assessments: the caller's, or the finest one with data in the filter. */
  cycle: Cycle;
  overall: { n: number; mean: number | null; sd: number | null };
  /** Number of raters in the whole list (the overall figures always cover all of them). */
  total: number;
  /** All raters, or the requested page, most lenient (highest shrunk leniency) first. */
  raters: RaterRow[];
}

/**
 * Rater leniency: each rater's mean over the rater scores of the filtered assessments
 * (joined on employee + period) against the mean of all those scores, ranked by the shrinkage
 * estimate with its interval; z (people rated as clusters) is reported as a test statistic.
 */
export async function raterLeniency(wh: Warehouse, input: RaterLeniencyInput): Promise<RaterLeniency> {
  // Parsed first: a bad input is refused before anything touches the database.
  const f = await withResolvedCycle(wh, raterLeniencyInputSchema.parse(input));
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
  // The statement only sums per rater and is read back as columns; the moments, z, order and
  // page are a few arithmetic passes in TS. Done in SQL they cost as much again as the scan
  // (a chain of CTEs to plan, a cross join, a sort), and row objects for a department's 2,000
  // raters cost as much as the query.
  const c = await wh.columns<{ id: string[]; name: (string | null)[]; n: number[]; s: number[]; ss: number[] }>(
    `${fs.with} SELECT a.rater_id AS id, any_value(a.rater_name) AS name, sum(a.n)::INTEGER AS n, sum(a.sum_score) AS s, sum(a.sum_sq) AS ss
       FROM ${fs.from}
      WHERE ${relationSql}
      GROUP BY a.rater_id`,
    fs.params,
  );
  const count = c.id.length;
  if (count === 0) return { cycle: f.cycle, overall: { n: 0, mean: null, sd: null }, total: 0, raters: [] };
  // Σ(x − x̄)² per rater = Σx² − (Σx)²/n (scores are bounded, 0–150, so the cancellation is
  // harmless); the overall moments combine the per-rater ones (Chan et al.), exactly.
  const mean = new Float64Array(count);
  const m2 = new Float64Array(count);
  let N = 0;
  let weighted = 0;
  for (let i = 0; i < count; i++) {
    mean[i] = c.s[i]! / c.n[i]!;
    m2[i] = Math.max(c.ss[i]! - (c.s[i]! * c.s[i]!) / c.n[i]!, 0);
    N += c.n[i]!;
    weighted += c.n[i]! * mean[i]!;
  }
  const M = weighted / N;
  let ssTotal = 0;
  for (let i = 0; i < count; i++) ssTotal += m2[i]! + c.n[i]! * (mean[i]! - M) * (mean[i]! - M);
  const sd = N > 1 ? Math.sqrt(ssTotal / (N - 1)) : null;
  const shrink = raterShrinkage(Array.from({ length: count }, (_, i) => ({ n: c.n[i]!, mean: mean[i]!, m2: m2[i]! })));
  const raters: RaterRow[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const n = c.n[i]!;
    const sh = shrink.raters[i]!;
    raters[i] = {
      raterId: c.id[i]!,
      raterName: c.name[i] ?? null,
      n,
      mean: mean[i]!,
      sd: n > 1 ? Math.sqrt(m2[i]! / (n - 1)) : null,
      diff: mean[i]! - M,
      shrunk: sh.shrunk,
      shrunkCi: sh.ci,
      level: sh.level,
      z: null,
      ratees: 0,
      lowN: n < f.minN,
    };
  }
  // Most lenient first by the shrunk leniency (a z grows with √n and ranked big teams' small
  // biases above small teams' large ones); ties by rater id (code-unit order).
  raters.sort((x, y) => y.shrunk - x.shrunk || (x.raterId < y.raterId ? -1 : x.raterId > y.raterId ? 1 : 0));
  const page = f.page === undefined ? raters : raters.slice((f.page - 1) * f.pageSize, f.page * f.pageSize);
  // The clustered z needs the scores per person rated, which rater_summary does not keep: one
  // more read of the raw rater scores, for the raters returned only (a page is ten of them).
  if (f.withZ && page.length > 0 && page.length <= CLUSTERED_Z_MAX) {
    const ids = page.map((r) => r.raterId);
    const facts = await scopedFilterSql(wh, f, 'assessments');
    const rel = relationSql.replaceAll('a.relation', 'r.relation');
    const per = await wh.columns<{ id: string[]; c: number[]; s: number[] }>(
      `${withClause(facts)}
       SELECT r.rater_id AS id, count(*)::INTEGER AS c, sum(r.score) AS s
         FROM rater_scores r SEMI JOIN ${facts.from} ON a.employee_id = r.employee_id AND a.period_id = r.period_id
        WHERE r.rater_id IN (SELECT unnest(string_split($raterIds, '\u0001'))) AND ${rel}
        GROUP BY r.rater_id, r.employee_id`,
      { ...facts.params, raterIds: ids.join('\u0001') },
    );
    const sums = new Map<string, Array<[number, number]>>();
    for (let i = 0; i < per.id.length; i++) {
      const l = sums.get(per.id[i]!) ?? [];
      l.push([per.c[i]!, per.s[i]!]);
      sums.set(per.id[i]!, l);
    }
    for (const r of page) {
      const cz = rateeClusterZ(r.n, r.mean, r.diff, sums.get(r.raterId) ?? []);
      r.z = cz.z;
      r.ratees = cz.ratees;
    }
  }
  return { cycle: f.cycle, overall: { n: N, mean: M, sd }, total: count, raters: page };
}
