import { z } from 'zod';
import { analysisFiltersSchema } from '@perflens/core';
import type { Warehouse } from '../db.ts';
import { ensureAnalytics } from '../analytics.ts';
import { filterSql, withClause } from './filter-sql.ts';
import { quantileCtes, quantileExpr } from './value-count-sql.ts';

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

/**
 * Box-plot figures per org unit recorded on the assessment row, best median first, in one pass
 * over the fact table (value counts per unit, see value-count-sql.ts). Quartiles are type 7.
 */
export async function orgUnitBoxPlots(wh: Warehouse, input: OrgUnitBoxPlotsInput): Promise<OrgUnitBoxPlot[]> {
  const f = orgUnitBoxPlotsInputSchema.parse(input);
  await ensureAnalytics(wh);
  const fs = filterSql(f);
  return wh.query<OrgUnitBoxPlot>(
    `${withClause(
      fs,
      `vc AS MATERIALIZED (SELECT a.org_unit_id AS u, a.score AS v, count(*) AS c FROM ${fs.from}
                            WHERE a.score IS NOT NULL GROUP BY a.org_unit_id, a.score)`,
      ...quantileCtes([0.25, 0.5, 0.75]),
      `box AS (SELECT tot.u, tot.n, tot.mean, tot.mn, tot.mx,
                      ${quantileExpr(1)} AS q1, ${quantileExpr(2)} AS median, ${quantileExpr(3)} AS q3
                 FROM tot JOIN qv ON qv.u = tot.u GROUP BY ALL)`,
      `fence AS (SELECT *, q1 - 1.5 * (q3 - q1) AS lo, q3 + 1.5 * (q3 - q1) AS hi FROM box)`,
      `w AS (SELECT vc.u, min(vc.v) FILTER (WHERE vc.v >= fence.lo) AS lw, max(vc.v) FILTER (WHERE vc.v <= fence.hi) AS uw,
                    coalesce(sum(vc.c) FILTER (WHERE vc.v < fence.lo OR vc.v > fence.hi), 0)::INTEGER AS outliers
               FROM vc JOIN fence ON fence.u = vc.u GROUP BY vc.u)`,
    )}
    SELECT fence.u AS "orgUnitId", coalesce(o.name, fence.u) AS name, fence.n::INTEGER AS n, fence.mean,
           fence.mn AS min, fence.q1, fence.median, fence.q3, fence.mx AS max,
           w.lw AS "lowerWhisker", w.uw AS "upperWhisker", w.outliers
      FROM fence JOIN w ON w.u = fence.u
      LEFT JOIN org_units o ON o.id = fence.u
     ORDER BY fence.median DESC, fence.u`,
    fs.params,
  );
}
