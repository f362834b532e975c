import { z } from 'zod';
import { analysisFiltersSchema, niceBins } from '@perflens/core';
import type { Warehouse } from '../db.ts';
import { ensureAnalytics } from '../analytics.ts';
import { filterSql, withClause } from './filter-sql.ts';
import { quantileCtes, quantileExpr } from './value-count-sql.ts';

export const scoreDistributionInputSchema = analysisFiltersSchema
  .extend({
    bins: z.number().int().min(5).max(100).default(20),
    min: z.number().finite().optional(),
    max: z.number().finite().optional(),
    /** Round edges (core niceBins over the data's min/max) instead of `bins` over [min, max]. */
    nice: z.boolean().default(false),
  })
  .refine((v) => v.min === undefined || v.max === undefined || v.min < v.max, {
    message: 'min must be less than max / 直方图下限 min 必须小于上限 max',
    path: ['max'],
  })
  .prefault({});
export type ScoreDistributionInput = z.input<typeof scoreDistributionInputSchema>;

export interface ScoreBin {
  from: number;
  to: number;
  count: number;
}

export interface ScoreStats {
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1); null when n = 1. */
  sd: number | null;
  min: number;
  max: number;
  p10: number;
  p25: number;
  p50: number;
  p75: number;
  p90: number;
}

export interface ScoreDistribution {
  bins: ScoreBin[];
  stats: ScoreStats | null;
}

/**
 * Histogram and summary of scores in one pass over the fact table (see value-count-sql.ts).
 * Stats describe every scored row in the filter; the bins count the scores inside [min, max]
 * (all of them with the default range floor(min)..ceil(max)). Percentiles are type 7.
 */
export async function scoreDistribution(wh: Warehouse, input: ScoreDistributionInput): Promise<ScoreDistribution> {
  const f = scoreDistributionInputSchema.parse(input);
  await ensureAnalytics(wh);
  const fs = filterSql(f);
  if (f.nice && f.min === undefined && f.max === undefined) {
    // One cheap min/max pass picks round edges, saving the client a second round trip.
    const [r] = await wh.query<{ mn: number | null; mx: number | null }>(
      `${fs.with} SELECT min(a.score) AS mn, max(a.score) AS mx FROM ${fs.from}`,
      fs.params,
    );
    if (r?.mn != null && r.mx != null) Object.assign(f, niceBins(r.mn, r.mx));
  }
  const [s] = await wh.query<{
    n: number;
    mean: number | null;
    sd: number | null;
    min: number | null;
    max: number | null;
    p10: number | null;
    p25: number | null;
    p50: number | null;
    p75: number | null;
    p90: number | null;
    lo: number | null;
    hi: number | null;
    bins: Array<{ i: number; n: number }> | null;
  }>(
    `${withClause(
      fs,
      `vc AS MATERIALIZED (SELECT 0 AS u, a.score AS v, count(*) AS c FROM ${fs.from} WHERE a.score IS NOT NULL GROUP BY a.score)`,
      ...quantileCtes([0.1, 0.25, 0.5, 0.75, 0.9]),
      // A range that collapses (all scores equal, or one bound beyond the data) is widened by 1
      // on the side the caller did not fix, so the bins always have a positive width.
      `r0 AS (SELECT coalesce($min::DOUBLE, floor(mn)) AS lo, coalesce($max::DOUBLE, ceil(mx)) AS hi FROM tot)`,
      `rng AS (SELECT CASE WHEN hi <= lo AND $min::DOUBLE IS NULL THEN hi - 1 ELSE lo END AS lo,
                      CASE WHEN hi <= lo AND $min::DOUBLE IS NOT NULL THEN lo + 1 ELSE hi END AS hi FROM r0)`,
      // floor((v − lo) / w) can land one bin off at an edge through rounding (0.3 / 0.1 = 2.999…);
      // the CASE re-checks against the very edge values reported to the client (lo + i·w, the
      // same IEEE operations in TS), so a score equal to an edge falls in the bin starting there.
      `binned AS (SELECT least(greatest(CASE WHEN v >= lo + (i0 + 1) * w THEN i0 + 1
                                              WHEN v < lo + i0 * w THEN i0 - 1 ELSE i0 END, 0), $bins - 1)::INTEGER AS i,
                         sum(c)::INTEGER AS n
                    FROM (SELECT vc.v, vc.c, rng.lo, (rng.hi - rng.lo) / $bins AS w,
                                 floor((vc.v - rng.lo) / ((rng.hi - rng.lo) / $bins))::BIGINT AS i0
                            FROM vc, rng WHERE vc.v >= rng.lo AND vc.v <= rng.hi)
                   GROUP BY 1)`,
    )}
    SELECT tot.n::INTEGER AS n, tot.mean, CASE WHEN tot.n > 1 THEN sqrt(tot.m2 / (tot.n - 1)) END AS sd,
           tot.mn AS min, tot.mx AS max,
           ${quantileExpr(1)} AS p10, ${quantileExpr(2)} AS p25, ${quantileExpr(3)} AS p50,
           ${quantileExpr(4)} AS p75, ${quantileExpr(5)} AS p90,
           any_value(rng.lo) AS lo, any_value(rng.hi) AS hi,
           (SELECT list({'i': i, 'n': n}) FROM binned) AS bins
      FROM tot JOIN qv ON qv.u = tot.u, rng
     GROUP BY ALL`,
    { ...fs.params, min: f.min ?? null, max: f.max ?? null, bins: f.bins },
  );
  if (!s || !s.n) {
    return { bins: f.min !== undefined && f.max !== undefined ? emptyBins(f.min, f.max, f.bins) : [], stats: null };
  }
  const bins = emptyBins(s.lo!, s.hi!, f.bins);
  for (const b of s.bins ?? []) bins[b.i]!.count = b.n;
  const stats: ScoreStats = {
    n: s.n,
    mean: s.mean!,
    sd: s.sd,
    min: s.min!,
    max: s.max!,
    p10: s.p10!,
    p25: s.p25!,
    p50: s.p50!,
    p75: s.p75!,
    p90: s.p90!,
  };
  return { bins, stats };
}

/** Equal-width bins over [lo, hi]; the edges use the same arithmetic as the SQL that fills them. */
function emptyBins(lo: number, hi: number, n: number): ScoreBin[] {
  const w = (hi - lo) / n;
  return Array.from({ length: n }, (_, i) => ({ from: lo + i * w, to: i === n - 1 ? hi : lo + (i + 1) * w, count: 0 }));
}
