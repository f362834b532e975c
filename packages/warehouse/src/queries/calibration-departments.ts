import { z } from 'zod';
import {
  GRADES,
  analysisFiltersSchema,
  exactMultinomialP,
  goodnessOfFit,
  guidelineShares,
  largestRemainder,
  sharesGuidelineSchema,
  type Cycle,
  type Grade,
} from '@perflens/core';
import type { Warehouse } from '../db.ts';
import { ensureAnalytics } from '../analytics.ts';
import { filterSql } from './filter-sql.ts';
import { withResolvedCycle } from './resolve-cycle.ts';

export const calibrationDepartmentsInputSchema = analysisFiltersSchema
  .extend({
    guideline: sharesGuidelineSchema.default({ mode: 'shares', shares: { A: 10, B: 20, C: 50, D: 15, E: 5 } }),
  })
  .prefault({});
export type CalibrationDepartmentsInput = z.input<typeof calibrationDepartmentsInputSchema>;

export interface DepartmentFit {
  orgUnitId: string;
  name: string;
  n: number;
  counts: Record<Grade, number>;
  shares: Record<Grade, number>;
  /** Hamilton quota of the unit's headcount under the guideline. */
  quota: Record<Grade, number>;
  /** counts − quota, in people. */
  gap: Record<Grade, number>;
  chi2: number;
  pChi2: number;
  g: number;
  pG: number;
  /** Exact multinomial p where the enumeration is small enough (small units, where χ² is doubtful). */
  pExact: number | null;
  df: number;
  /** Share of grades with an expected count below 5: above 0.2 the χ² p-value is unreliable. */
  smallExpectedShare: number;
  caveat: { zh: string; en: string } | null;
}

export interface CalibrationDepartments {
  /** The cycle compared: the caller's, or the finest one with data in the filter. */
  cycle: Cycle;
  guideline: Record<Grade, number>;
  units: DepartmentFit[];
  /** Heat map cells: org unit × grade → gap in people (and share points). */
  heatmap: Array<{ orgUnitId: string; grade: Grade; gap: number; sharePoints: number }>;
}

/** `calibration.departments`: each org unit's recorded grade mix against the guideline, with goodness-of-fit tests. */
export async function calibrationDepartments(wh: Warehouse, input: CalibrationDepartmentsInput): Promise<CalibrationDepartments> {
  // Parsed first: a bad input is refused before anything touches the database.
  const f = await withResolvedCycle(wh, calibrationDepartmentsInputSchema.parse(input));
  await ensureAnalytics(wh);
  const fs = filterSql(f);
  const rows = await wh.query<{ u: string; name: string | null; grade: string; n: number }>(
    `${fs.with}
     SELECT c.u, o.name, c.grade, c.n FROM (
       SELECT a.org_unit_id AS u, a.grade, count(*)::INTEGER AS n FROM ${fs.from}
        WHERE a.grade IN ('A', 'B', 'C', 'D', 'E') GROUP BY ALL) c
     LEFT JOIN org_units o ON o.id = c.u ORDER BY c.u`,
    fs.params,
  );
  const p = guidelineShares(f.guideline);
  const byUnit = new Map<string, { name: string; counts: number[] }>();
  for (const r of rows) {
    let u = byUnit.get(r.u);
    if (!u) byUnit.set(r.u, (u = { name: r.name ?? r.u, counts: GRADES.map(() => 0) }));
    u.counts[GRADES.indexOf(r.grade as Grade)]! += r.n;
  }
  const rec = (xs: number[]) => Object.fromEntries(GRADES.map((g, i) => [g, xs[i]!])) as Record<Grade, number>;
  const units: DepartmentFit[] = [];
  const heatmap: CalibrationDepartments['heatmap'] = [];
  for (const [id, u] of byUnit) {
    const n = u.counts.reduce((a, b) => a + b, 0);
    const quota = largestRemainder(n, p);
    const fit = goodnessOfFit(u.counts, p);
    const gap = u.counts.map((c, i) => c - quota[i]!);
    const caveat =
      fit.smallExpectedShare > 0.2
        ? {
            zh: `${(fit.smallExpectedShare * 100).toFixed(0)}% 的等级期望人数少于 5，卡方近似不可靠，请参考 G 检验或精确检验。`,
            en: `${(fit.smallExpectedShare * 100).toFixed(0)}% of grades expect fewer than 5 people: the chi-square approximation is unreliable; see the G-test or exact test.`,
          }
        : null;
    units.push({
      orgUnitId: id,
      name: u.name,
      n,
      counts: rec(u.counts),
      shares: rec(u.counts.map((c) => (n ? c / n : 0))),
      quota: rec(quota),
      gap: rec(gap),
      chi2: fit.chi2,
      pChi2: fit.pChi2,
      g: fit.g,
      pG: fit.pG,
      pExact: exactMultinomialP(u.counts, p, 200_000),
      df: fit.df,
      smallExpectedShare: fit.smallExpectedShare,
      caveat,
    });
    GRADES.forEach((g, i) => heatmap.push({ orgUnitId: id, grade: g, gap: gap[i]!, sharePoints: n ? (u.counts[i]! / n - p[i]!) * 100 : 0 }));
  }
  return { cycle: f.cycle, guideline: rec(p), units, heatmap };
}
