/**
 * Exact order statistics from value counts. Recorded scores have at most a couple of
 * decimals, so the filtered rows collapse to a few thousand (group, value, count) rows in one
 * hash-aggregate pass; quantiles, whiskers and histograms are then read off that small table.
 * On the 7.2M-row benchmark this is ~10× faster than quantile_cont over the rows (which sorts
 * them) and gives identical results: type-7 needs only the values at ranks ⌊h⌋ and ⌊h⌋+1.
 * With continuous scores it degrades gracefully to one group per row, still exact.
 *
 * Expects a CTE `vc(u, v, c)`: group key, value, count. Defines:
 *   tot(u, n, mean, mn, mx, m2)  — m2 = Σc(v − mean)², two-pass for numerical stability
 *   qv(u, j, x)                  — x = type-7 quantile number j of `probs` (1-based)
 */
export function quantileCtes(probs: readonly number[]): string[] {
  const ps = `[${probs.map((p) => p.toString()).join(', ')}]`;
  const js = `[${probs.map((_, i) => i + 1).join(', ')}]`;
  return [
    `tot0 AS (SELECT u, sum(c)::BIGINT AS n, sum(v * c) / sum(c) AS mean, min(v) AS mn, max(v) AS mx FROM vc GROUP BY u)`,
    `tot AS (SELECT t.*, (SELECT sum(vc.c * (vc.v - t.mean) * (vc.v - t.mean)) FROM vc WHERE vc.u = t.u) AS m2 FROM tot0 t)`,
    // rank range [before, before + c) of each distinct value, 0-based
    `cum AS (SELECT u, v, c, sum(c) OVER (PARTITION BY u ORDER BY v ROWS UNBOUNDED PRECEDING) - c AS before FROM vc)`,
    `want AS (SELECT u, j, h - floor(h) AS frac, floor(h)::BIGINT AS k, least(floor(h)::BIGINT + 1, n - 1) AS k1
                FROM (SELECT u, n, unnest(${js}) AS j, (n - 1) * unnest(${ps}) AS h FROM tot0))`,
    `qv AS (SELECT w.u, w.j,
                   any_value(w.frac) AS frac,
                   min(cum.v) FILTER (WHERE w.k >= cum.before AND w.k < cum.before + cum.c) AS xk,
                   min(cum.v) FILTER (WHERE w.k1 >= cum.before AND w.k1 < cum.before + cum.c) AS xk1
              FROM want w JOIN cum ON cum.u = w.u
                   AND ((w.k >= cum.before AND w.k < cum.before + cum.c) OR (w.k1 >= cum.before AND w.k1 < cum.before + cum.c))
             GROUP BY w.u, w.j)`,
  ];
}

/** Quantile j from qv (alias `qv`), interpolated type-7. */
export const quantileExpr = (j: number) => `max(CASE WHEN qv.j = ${j} THEN qv.xk + qv.frac * (qv.xk1 - qv.xk) END)`;
