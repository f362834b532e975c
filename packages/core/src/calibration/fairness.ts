import { logGamma } from '../stats/special.ts';

/**
 * Exact multinomial goodness-of-fit p-value: the probability, under the expected proportions, of
 * every outcome with n observations that is no more likely than the observed one (the usual
 * "sum of small probabilities" definition, with a 1e-7 relative tolerance for float ties).
 * Enumerates all compositions of n into k parts, so it is offered only where the χ² approximation
 * is doubtful anyway: returns null when there are more than `maxOutcomes` outcomes.
 */
export function exactMultinomialP(observed: readonly number[], proportions: readonly number[], maxOutcomes = 2_000_000): number | null {
  const k = observed.length;
  const n = observed.reduce((a, b) => a + b, 0);
  // Number of outcomes C(n + k − 1, k − 1), computed in logs to avoid overflow.
  const outcomes = Math.exp(logGamma(n + k) - logGamma(k) - logGamma(n + 1));
  if (outcomes > maxOutcomes) return null;
  const pSum = proportions.reduce((a, b) => a + b, 0);
  const logP = proportions.map((p) => (p > 0 ? Math.log(p / pSum) : Number.NEGATIVE_INFINITY));
  const logFact: number[] = [0];
  for (let i = 1; i <= n; i++) logFact.push(logFact[i - 1]! + Math.log(i));
  const logPmf = (x: readonly number[]) => {
    let s = logFact[n]!;
    for (let i = 0; i < k; i++) {
      if (x[i]! === 0) continue;
      if (logP[i] === Number.NEGATIVE_INFINITY) return Number.NEGATIVE_INFINITY;
      s += x[i]! * logP[i]! - logFact[x[i]!]!;
    }
    return s;
  };
  const obs = logPmf(observed);
  const cutoff = obs + Math.log1p(1e-7);
  let p = 0;
  const x = new Array<number>(k).fill(0);
  const walk = (i: number, left: number) => {
    if (i === k - 1) {
      x[i] = left;
      const l = logPmf(x);
      if (l <= cutoff) p += Math.exp(l);
      return;
    }
    for (let v = 0; v <= left; v++) {
      x[i] = v;
      walk(i + 1, left - v);
    }
  };
  walk(0, n);
  return Math.min(1, p);
}

export interface ImpactGroup {
  key: string;
  /** Graded assessments (person-periods) in the group. */
  n: number;
  /** Assessments in the group with the top grade(s). */
  top: number;
  /**
   * Distinct people in the group. A person rated in twelve months is one person, not twelve:
   * the minimum group size counts people (absent = n, when every row is a different person).
   */
  people?: number;
}

export interface ImpactRow extends ImpactGroup {
  rate: number;
  /** rate / the highest rate among groups with at least `minN` people; null when that is 0. */
  ratio: number | null;
  /** Four-fifths rule: ratio below 0.8. */
  adverse: boolean;
  /** Too few people (distinct, not rows) for the ratio to mean much (still shown, with counts). */
  lowN: boolean;
}

/**
 * Adverse-impact ratios (the four-fifths rule, US EEOC Uniform Guidelines): each group's
 * top-grade rate divided by the highest group's rate. The reference group is chosen only among
 * groups with at least `minN` people so one lucky person in a tiny group cannot set the bar.
 */
export function adverseImpact(groups: readonly ImpactGroup[], minN = 5): ImpactRow[] {
  const rate = (g: ImpactGroup) => (g.n > 0 ? g.top / g.n : 0);
  const people = (g: ImpactGroup) => g.people ?? g.n;
  const eligible = groups.filter((g) => people(g) >= minN);
  const best = Math.max(0, ...(eligible.length ? eligible : groups).map(rate));
  return groups.map((g) => {
    const r = rate(g);
    const ratio = best > 0 ? r / best : null;
    return { ...g, rate: r, ratio, adverse: ratio !== null && ratio < 0.8, lowN: people(g) < minN };
  });
}

/** Age band (years, at the period's start year) for fairness breakdowns; null when unknown. */
export function ageBand(birthYear: number | null, year: number): string | null {
  if (birthYear === null) return null;
  const age = year - birthYear;
  if (age < 30) return '<30';
  if (age < 40) return '30-39';
  if (age < 50) return '40-49';
  return '50+';
}

/** Lower bounds (inclusive) of the age bands, youngest first, with their labels. */
export const AGE_BANDS: ReadonlyArray<{ min: number; label: string }> = [
  { min: Number.NEGATIVE_INFINITY, label: '<30' },
  { min: 30, label: '30-39' },
  { min: 40, label: '40-49' },
  { min: 50, label: '50+' },
];
/** Lower bounds (inclusive, whole years of service) of the tenure bands, with their labels. */
export const TENURE_BANDS: ReadonlyArray<{ min: number; label: string }> = [
  { min: Number.NEGATIVE_INFINITY, label: '<1' },
  { min: 1, label: '1-2' },
  { min: 3, label: '3-4' },
  { min: 5, label: '5+' },
];

/** SQL CASE giving the band label of a numeric expression (NULL stays NULL), from the bounds above. */
export function bandCaseSql(expr: string, bands: ReadonlyArray<{ min: number; label: string }>): string {
  const whens = [...bands].reverse().map((b) => (Number.isFinite(b.min) ? `WHEN ${expr} >= ${b.min} THEN '${b.label}'` : `ELSE '${b.label}'`));
  return `CASE WHEN ${expr} IS NULL THEN NULL ${whens.join(' ')} END`;
}

/**
 * Whole years of service on `at` (both ISO dates): the number of anniversaries of the hire date
 * reached — hired 2022-12-15, on 2023-01-01 that is 0, not the 1 calendar-year boundary crossed.
 */
export function serviceYears(hireDate: string, at: string): number {
  const [hy, hm, hd] = hireDate.split('-').map(Number) as [number, number, number];
  const [ay, am, ad] = at.split('-').map(Number) as [number, number, number];
  return ay - hy - (am < hm || (am === hm && ad < hd) ? 1 : 0);
}

/** Tenure band (whole years of service at a date); null when the hire date is unknown. */
export function tenureBand(tenureYears: number | null): string | null {
  if (tenureYears === null) return null;
  if (tenureYears < 1) return '<1';
  if (tenureYears < 3) return '1-2';
  if (tenureYears < 5) return '3-4';
  return '5+';
}
