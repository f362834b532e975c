import { z } from 'zod';
import { analysisFiltersSchema, binCounts, niceBins, quantilesFromCounts, summariseCounts, type Cycle } from '@perflens/core';
import type { Warehouse } from '../db.ts';
import { memoAnswer } from '../answer-memo.ts';
import { scoreCounts } from './value-count-sql.ts';
import { withResolvedCycle } from './resolve-cycle.ts';

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
  /** The cycle counted: the caller's, or the finest one with data in the filter. */
  cycle: Cycle;
  bins: ScoreBin[];
  stats: ScoreStats | null;
}

/**
 * Histogram and summary of scores from the filtered rows' value counts (one hash aggregate;
 * see core stats/value-counts.ts): the statement stays small enough to plan in a millisecond,
 * which is most of the cost of a one-department, one-month slice, and a few thousand
 * (score, count) pairs carry everything the figures need. Stats describe every scored row in
 * the filter; the bins count the scores inside [min, max] (all of them with the default range
 * floor(min)..ceil(max)). Percentiles are type 7.
 */
export async function scoreDistribution(wh: Warehouse, input: ScoreDistributionInput): Promise<ScoreDistribution> {
  // Parsed first: a bad input is refused before anything touches the database. The answer is
  // kept until the next write (answer-memo.ts): the overview's panels repeat for everyone.
  const parsed = scoreDistributionInputSchema.parse(input);
  return memoAnswer(wh, 'scores', parsed, () => read(wh, parsed));
}

async function read(wh: Warehouse, parsed: z.output<typeof scoreDistributionInputSchema>): Promise<ScoreDistribution> {
  const f = await withResolvedCycle(wh, parsed);
  const vc = await scoreCounts(wh, f);
  const s = summariseCounts(vc);
  if (!s) return { cycle: f.cycle, bins: f.min !== undefined && f.max !== undefined ? emptyBins(f.min, f.max, f.bins) : [], stats: null };
  let { min, max, bins: nBins } = f;
  if (f.nice && min === undefined && max === undefined) ({ min, max, bins: nBins } = niceBins(s.min, s.max));
  let lo = min ?? Math.floor(s.min);
  let hi = max ?? Math.ceil(s.max);
  // A range that collapses (all scores equal, or one bound beyond the data) is widened by 1 on
  // the side the caller did not fix, so the bins always have a positive width.
  if (hi <= lo) {
    if (min === undefined) lo = hi - 1;
    else hi = lo + 1;
  }
  const bins = emptyBins(lo, hi, nBins);
  binCounts(vc, lo, hi, nBins).forEach((n, i) => (bins[i]!.count = n));
  const [p10, p25, p50, p75, p90] = quantilesFromCounts(vc, [0.1, 0.25, 0.5, 0.75, 0.9]) as [number, number, number, number, number];
  return { cycle: f.cycle, bins, stats: { ...s, p10, p25, p50, p75, p90 } };
}

/** Equal-width bins over [lo, hi]; the edges use the same arithmetic as the SQL that fills them. */
function emptyBins(lo: number, hi: number, n: number): ScoreBin[] {
  const w = (hi - lo) / n;
  return Array.from({ length: n }, (_, i) => ({ from: lo + i * w, to: i === n - 1 ? hi : lo + (i + 1) * w, count: 0 }));
}
