import { z } from 'zod';
import { analysisFiltersSchema, boxFromCounts, type Cycle } from '@perflens/core';
import type { Warehouse } from '../db.ts';
import { memoAnswer } from '../answer-memo.ts';
import { scoreCountsByUnit } from './value-count-sql.ts';
import { withResolvedCycle } from './resolve-cycle.ts';

export const orgUnitBoxPlotsInputSchema = analysisFiltersSchema.prefault({});
export type OrgUnitBoxPlotsInput = z.input<typeof orgUnitBoxPlotsInputSchema>;

export interface OrgUnitBoxPlot {
  orgUnitId: string;
  name: string;
  n: number;
  mean: number;
  min: number;
  q1: number;
  median: number;
  q3: number;
  max: number;
  /** Tukey: the most extreme scores still within 1.5 × IQR of the quartiles. */
  lowerWhisker: number;
  upperWhisker: number;
  /** Scores beyond the whiskers. */
  outliers: number;
}

export interface OrgUnitBoxPlots {
  /** The cycle counted: the caller's, or the finest one with data in the filter. */
  cycle: Cycle;
  units: OrgUnitBoxPlot[];
}

/**
 * Box-plot figures per org unit recorded on the assessment row, best median first (ties by unit
 * id), from one pass of value counts per unit (see value-count-sql.ts). Quartiles are type 7.
 * An object rather than the bare list, so the answer can say which cycle it counted.
 */
export async function orgUnitBoxPlots(wh: Warehouse, input: OrgUnitBoxPlotsInput): Promise<OrgUnitBoxPlots> {
  // Parsed first: a bad input is refused before anything touches the database. The answer is
  // kept until the next write (answer-memo.ts): the overview's panels repeat for everyone.
  const parsed = orgUnitBoxPlotsInputSchema.parse(input);
  return memoAnswer(wh, 'boxplots', parsed, () => read(wh, parsed));
}

async function read(wh: Warehouse, parsed: z.output<typeof orgUnitBoxPlotsInputSchema>): Promise<OrgUnitBoxPlots> {
  const f = await withResolvedCycle(wh, parsed);
  const out: OrgUnitBoxPlot[] = [];
  for (const vc of await scoreCountsByUnit(wh, f)) {
    const b = boxFromCounts(vc);
    if (!b) continue;
    out.push({
      orgUnitId: vc.unit,
      // A unit missing from org_units still shows, under its id.
      name: vc.name ?? vc.unit,
      n: b.n,
      mean: b.mean,
      min: b.min,
      q1: b.q1,
      median: b.median,
      q3: b.q3,
      max: b.max,
      lowerWhisker: b.lowerWhisker,
      upperWhisker: b.upperWhisker,
      outliers: b.outliers,
    });
  }
  out.sort((a, b) => b.median - a.median || (a.orgUnitId < b.orgUnitId ? -1 : a.orgUnitId > b.orgUnitId ? 1 : 0));
  return { cycle: f.cycle, units: out };
}
