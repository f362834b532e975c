import type { ResolvedAnalysisFilters, ValueCounts } from '@perflens/core';
import type { Warehouse } from '../db.ts';
import { scopedFilterSql } from './filter-sql.ts';
import { orgUnitNames } from './org-subtree.ts';

/**
 * The filtered assessments' scores as (value, count) pairs, ascending, summed from the
 * assessment cube (migration 004). Recorded scores have at most a couple of decimals, so
 * millions of rows collapse to a few thousand pairs, and core's value-count statistics
 * (stats/value-counts.ts) give exact quantiles, moments, whiskers and histograms from them;
 * with continuous scores it degrades to one pair per row, still exact.
 */
export async function scoreCounts(wh: Warehouse, f: ResolvedAnalysisFilters): Promise<ValueCounts> {
  const fs = await scopedFilterSql(wh, f, 'cube');
  const c = await wh.columns<{ v: number[]; c: number[] }>(
    `${fs.with} SELECT a.score AS v, sum(a.n)::INTEGER AS c FROM ${fs.from} WHERE a.score IS NOT NULL GROUP BY a.score ORDER BY a.score`,
    fs.params,
  );
  return { values: c.v, counts: c.c };
}

/**
 * The same per org unit recorded on the assessment row (with its name), in order of unit id.
 * Each unit's pairs come back as two lists in one row per unit: tens of thousands of
 * (unit, value, count) rows cost more to sort and hand to JS than to add up (200,000 employees ×
 * 36 months: 64,000 pairs, 48 → 33 ms). Names come from the cached org tree rather than a
 * column (repeated on every pair, the name string cost as much as the whole query).
 */
export async function scoreCountsByUnit(wh: Warehouse, f: ResolvedAnalysisFilters): Promise<Array<{ unit: string; name: string | null } & ValueCounts>> {
  const fs = await scopedFilterSql(wh, f, 'cube');
  const [c, names] = await Promise.all([
    wh.columns<{ u: string[]; v: number[][]; c: number[][] }>(
      `${fs.with} SELECT u, list(v ORDER BY v) AS v, list(c ORDER BY v) AS c
         FROM (SELECT a.org_unit_id AS u, a.score AS v, sum(a.n)::INTEGER AS c FROM ${fs.from} WHERE a.score IS NOT NULL GROUP BY a.org_unit_id, a.score)
        GROUP BY u ORDER BY u`,
      fs.params,
    ),
    orgUnitNames(wh),
  ]);
  return c.u.map((unit, i) => ({ unit, name: names.get(unit) ?? null, values: c.v[i]!, counts: c.c[i]! }));
}
