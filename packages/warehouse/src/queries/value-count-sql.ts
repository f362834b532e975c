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
 * Names come from the cached org tree rather than a column: repeated on every (unit, score)
 * pair, the name string cost as much to hand to JS as the whole query (demo: 19,554 pairs,
 * 63 → 31 ms).
 */
export async function scoreCountsByUnit(wh: Warehouse, f: ResolvedAnalysisFilters): Promise<Array<{ unit: string; name: string | null } & ValueCounts>> {
  const fs = await scopedFilterSql(wh, f, 'cube');
  const [c, names] = await Promise.all([
    wh.columns<{ u: string[]; v: number[]; c: number[] }>(
      `${fs.with} SELECT a.org_unit_id AS u, a.score AS v, sum(a.n)::INTEGER AS c
        FROM ${fs.from} WHERE a.score IS NOT NULL GROUP BY a.org_unit_id, a.score ORDER BY a.org_unit_id, a.score`,
      fs.params,
    ),
    orgUnitNames(wh),
  ]);
  const out: Array<{ unit: string; name: string | null } & ValueCounts> = [];
  // Rows arrive grouped by unit: each unit is one contiguous slice of the columns.
  for (let i = 0; i < c.u.length; ) {
    let j = i;
    while (j < c.u.length && c.u[j] === c.u[i]) j++;
    out.push({ unit: c.u[i]!, name: names.get(c.u[i]!) ?? null, values: c.v.slice(i, j), counts: c.c.slice(i, j) });
    i = j;
  }
  return out;
}
