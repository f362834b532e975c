import { z } from 'zod';
import { GRADES, type Grade } from '../domain.ts';
import { largestRemainder } from '../stats/apportion.ts';

/**
 * A forced-distribution guideline, in one of two forms:
 * - `shares`: grade → relative share (10/20/50/15/5 and 0.1/0.2/… mean the same; missing grades get 0).
 *   Quotas are the Hamilton apportionment of the group's headcount.
 * - `ranges`: grade → { min?, max? } as fractions 0–1 (≤ / ≥ bounds, e.g. "优 ≤ 10%, 不合格 ≥ 5%").
 *   Within the bounds the group keeps the mix its score source gives it (HR forces only what breaks
 *   a bound), so quotas are that mix clamped into the integer bounds, then completed by largest
 *   remainder (see boundedApportion).
 */
const shareValue = z.number().min(0).max(100);
const bound = z.number().min(0).max(1);
// Strict objects: the guideline is API input (ranking.forced, calibration.departments), and a
// misspelt key (`share`) must be a 400 rather than the default guideline used in its place.
export const sharesGuidelineSchema = z.strictObject({
  mode: z.literal('shares'),
  shares: z.partialRecord(z.enum(GRADES), shareValue).refine((s) => Object.values(s).some((v) => (v ?? 0) > 0), {
    message: 'guideline shares must not all be zero / 强制分布比例不能全为 0',
  }),
});
export type SharesGuideline = z.infer<typeof sharesGuidelineSchema>;
export const guidelineSchema = z.discriminatedUnion('mode', [
  sharesGuidelineSchema,
  z.strictObject({
    mode: z.literal('ranges'),
    ranges: z
      .partialRecord(z.enum(GRADES), z.strictObject({ min: bound.optional(), max: bound.optional() }))
      .refine((r) => Object.values(r).every((b) => (b?.min ?? 0) <= (b?.max ?? 1)), {
        message: 'a range has min above max / 某等级区间下限大于上限',
      }),
  }),
]);
export type Guideline = z.infer<typeof guidelineSchema>;

/** Guideline shares in GRADES order, normalised to sum 1 (only for `shares` mode). */
export function guidelineShares(g: SharesGuideline): number[] {
  const raw = GRADES.map((x) => g.shares[x] ?? 0);
  const sum = raw.reduce((a, b) => a + b, 0);
  return raw.map((v) => v / sum);
}

const TOL = 1e-9;

/** Raised when no integer quota can satisfy the bounds; bilingual, names the group. */
export class InfeasibleGuidelineError extends Error {
  constructor(
    readonly group: string,
    readonly headcount: number,
  ) {
    super(
      `The guideline ranges cannot be met in group "${group}" with ${headcount} people (the minimums add up to more than the headcount, or the maximums to less). / ` +
        `校准组「${group}」共 ${headcount} 人，无法满足强制分布区间（各等级下限之和超过人数，或上限之和不足人数）。`,
    );
    this.name = 'InfeasibleGuidelineError';
  }
}

/**
 * Integer seats c_i with lo_i ≤ c_i ≤ hi_i and Σc = total, as close to the real targets t_i as
 * largest remainder gets: start from clamp(floor(t_i)); while seats are missing give one to the
 * category with the largest t_i − c_i that still has room; while there are too many take one from
 * the category with the smallest t_i − c_i above its minimum. Equal gaps (within 1e-9) are ordered
 * by larger `tieShare`, then by position — the same documented order as `largestRemainder`, so with
 * targets summing to `total` and loose bounds the result is exactly Hamilton's.
 */
export function boundedApportion(
  total: number,
  targets: readonly number[],
  lo: readonly number[],
  hi: readonly number[],
  tieShare: readonly number[] = targets,
  groupLabel = '',
): number[] {
  const k = targets.length;
  const loSum = lo.reduce((a, b) => a + b, 0);
  const hiSum = hi.reduce((a, b) => a + b, 0);
  if (loSum > total || hiSum < total) throw new InfeasibleGuidelineError(groupLabel, total);
  const seats = targets.map((t, i) => Math.min(hi[i]!, Math.max(lo[i]!, Math.floor(t + TOL))));
  let left = total - seats.reduce((a, b) => a + b, 0);
  const better = (a: number, b: number, gapA: number, gapB: number) =>
    Math.abs(gapA - gapB) > TOL ? gapA > gapB : tieShare[a] !== tieShare[b] ? tieShare[a]! > tieShare[b]! : a < b;
  while (left !== 0) {
    let pick = -1;
    for (let i = 0; i < k; i++) {
      const gap = targets[i]! - seats[i]!;
      if (left > 0 ? seats[i]! >= hi[i]! : seats[i]! <= lo[i]!) continue;
      if (pick < 0) pick = i;
      else {
        const gp = targets[pick]! - seats[pick]!;
        // Adding: the largest gap wins. Removing: the smallest gap (most over target) loses a seat;
        // among equal gaps the later / smaller-share category gives it up, mirroring the add order.
        if (left > 0 ? better(i, pick, gap, gp) : better(pick, i, gp, gap)) pick = i;
      }
    }
    seats[pick]! += left > 0 ? 1 : -1;
    left += left > 0 ? -1 : 1;
  }
  return seats;
}

/**
 * Headcount per grade (GRADES order) for one group. `observed` (the group's count per grade
 * under its score source) is needed only for `ranges`.
 */
export function groupQuota(n: number, guideline: Guideline, observed?: readonly number[], groupLabel = ''): number[] {
  if (guideline.mode === 'shares') return largestRemainder(n, guidelineShares(guideline));
  const lo = GRADES.map((g) => Math.ceil((guideline.ranges[g]?.min ?? 0) * n - TOL));
  const hi = GRADES.map((g) => Math.floor((guideline.ranges[g]?.max ?? 1) * n + TOL));
  const obs = observed ?? GRADES.map(() => 0);
  const obsSum = obs.reduce((a, b) => a + b, 0);
  // Scale the observed mix to n (people without a natural grade do not distort it).
  const targets = obs.map((o) => (obsSum > 0 ? (o * n) / obsSum : n / GRADES.length));
  return boundedApportion(n, targets, lo, hi, targets, groupLabel);
}

/** Multiplier of the top-grade share by the department's own grade (seed 004: 优秀 1.5×, 一般 0.5×). */
export const DEFAULT_DEPARTMENT_MULTIPLIERS: Record<Grade, number> = { A: 1.5, B: 1.0, C: 0.5, D: 0.5, E: 0.5 };

export interface LinkedDepartment {
  key: string;
  n: number;
  /** The department's own grade (from its department score, or set by HR). */
  grade: Grade;
}

export interface LinkedQuotas {
  /** Company headcount per grade: exactly the guideline's Hamilton quotas of the total. */
  company: number[];
  perDepartment: Map<string, number[]>;
}

/**
 * Department-linked quotas (seed 004). The company quota of every grade is fixed first
 * (Hamilton on the whole headcount), then split across departments grade by grade, best first,
 * by largest remainder again:
 * - the top grade in proportion to n_d × multiplier(department grade), capped at n_d;
 * - each following grade in proportion to the seats each department still has, capped at them;
 * - the last grade takes what is left, which by construction is exactly its company quota.
 * So every department's quotas sum to its headcount and every grade's sum to the company quota.
 */
export function departmentLinkedQuotas(
  departments: readonly LinkedDepartment[],
  guideline: SharesGuideline,
  multipliers: Record<Grade, number> = DEFAULT_DEPARTMENT_MULTIPLIERS,
): LinkedQuotas {
  const total = departments.reduce((a, d) => a + d.n, 0);
  const company = largestRemainder(total, guidelineShares(guideline));
  const per = departments.map(() => GRADES.map(() => 0));
  const remaining = departments.map((d) => d.n);
  const zeros = departments.map(() => 0);
  for (let g = 0; g < GRADES.length; g++) {
    const quota = company[g]!;
    let seats: number[];
    if (g === GRADES.length - 1) seats = [...remaining];
    else {
      const weights = departments.map((d, i) => (g === 0 ? d.n * multipliers[d.grade] : remaining[i]!));
      const wSum = weights.reduce((a, b) => a + b, 0);
      const targets = weights.map((w) => (wSum > 0 ? (quota * w) / wSum : 0));
      seats = boundedApportion(quota, targets, zeros, remaining, weights, GRADES[g]!);
    }
    seats.forEach((s, i) => {
      per[i]![g] = s;
      remaining[i]! -= s;
    });
  }
  return { company, perDepartment: new Map(departments.map((d, i) => [d.key, per[i]!])) };
}
