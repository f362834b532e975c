import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { differenceInDifferences, eventStudy, interruptedTimeSeries, mannWhitneyFromCounts, type PanelObservation } from '../src/policy/index.ts';
import { clusterWeights } from '../src/stats/index.ts';

/*
 * Reference values from established software, made by fixtures/reference/make_policy_reference.py
 * (statsmodels OLS cluster / HAC, scipy t, F and Mann–Whitney; the wild bootstrap by brute-force
 * refits on the same mulberry32 weight stream). Compared to 1e-8.
 */
const ref = JSON.parse(readFileSync(new URL('./fixtures/reference/policy_reference.json', import.meta.url), 'utf8'));
type PanelRef = {
  rows: PanelObservation[];
  G: number;
  did: { estimate: number; se: number; p_cr1: number; ci_cr1: [number, number]; wild?: { p: number; ci: [number, number]; weights: string } };
  eventStudy: {
    events: number[];
    reference: number;
    estimate: number[];
    se: number[];
    p_cr1: number[];
    preTrend: { f: number; q: number; df: number; p_cr1: number; wild?: { wald: number; p: number } } | null;
    wild?: Array<{ p: number; ci: [number, number] }>;
  };
};
const close = (a: number | null | undefined, b: number, tol = 1e-8) => {
  expect(a).not.toBeNull();
  expect(a).not.toBeUndefined();
  expect(Math.abs(a! - b)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b)));
};

describe('bootstrap weight stream', () => {
  it('is the mulberry32 stream the reference script re-implements (Rademacher and Webb)', () => {
    expect(Array.from(clusterWeights(3, 4, 'rademacher', ref.bootstrap.seed))).toEqual(ref.weights.rademacher_3x4.flat());
    const webb = Array.from(clusterWeights(3, 4, 'webb', ref.bootstrap.seed));
    webb.forEach((w, i) => close(w, ref.weights.webb_3x4.flat()[i], 1e-15));
  });
});

describe.each(['small', 'webb', 'large', 'twoPeriod'] as const)('panel %s against statsmodels', (name) => {
  const p = ref[name] as PanelRef;
  it('DiD: estimate and CR1 SE with the group effect nested in the clusters (K = 2)', () => {
    const d = differenceInDifferences(p.rows)!;
    close(d.estimate, p.did.estimate);
    if (p.G >= 30) {
      close(d.se, p.did.se);
      expect(d.inference.method).toBe('cr1');
      close(d.p, p.did.p_cr1);
      close(d.ci![0], p.did.ci_cr1[0]);
      close(d.ci![1], p.did.ci_cr1[1]);
    } else if (p.did.wild) {
      close(d.se, p.did.se);
      expect(d.inference.method).toBe('wild_bootstrap');
      expect(d.inference.bootstrap!.weights).toBe(p.did.wild.weights);
      close(d.p, p.did.wild.p, 1e-12);
      close(d.ci![0], p.did.wild.ci[0]);
      close(d.ci![1], p.did.wild.ci[1]);
    }
  });

  it('event study: estimates, nested-FE CR1 SEs, p-values and the pre-trend test', () => {
    const es = eventStudy(p.rows)!;
    expect(es.reference).toBe(p.eventStudy.reference);
    const pts = es.points.filter((x) => !x.reference);
    expect(pts.map((x) => x.rel)).toEqual(p.eventStudy.events);
    pts.forEach((x, i) => {
      close(x.estimate, p.eventStudy.estimate[i]!);
      close(x.se, p.eventStudy.se[i]!);
      if (p.G >= 30) close(x.p, p.eventStudy.p_cr1[i]!);
      else if (p.eventStudy.wild) {
        close(x.p, p.eventStudy.wild[i]!.p, 1e-12);
        close(x.ci![0], p.eventStudy.wild[i]!.ci[0]);
        close(x.ci![1], p.eventStudy.wild[i]!.ci[1]);
      }
    });
    const pt = p.eventStudy.preTrend;
    if (pt) {
      close(es.preTrend!.f, pt.f);
      expect(es.preTrend!.q).toBe(pt.q);
      if (p.G >= 30) close(es.preTrend!.p, pt.p_cr1);
      else {
        expect(es.preTrend!.bootstrap).toBe(true);
        close(es.preTrend!.p, pt.wild!.p, 1e-12);
      }
    }
  });
});

describe('defect 1: CR1 does not count the unit effects nested in the unit clusters', () => {
  it('on a two-period panel the event study and the DiD give the same SE (was √2 × the DiD SE)', () => {
    const p = ref.twoPeriod as PanelRef;
    const d = differenceInDifferences(p.rows)!;
    const es = eventStudy(p.rows)!;
    const point = es.points.find((x) => !x.reference)!;
    close(point.estimate, d.estimate, 1e-10);
    close(point.se, d.se!, 1e-10);
    close(point.se, p.eventStudy.se[0]!);
  });
});

describe('interrupted time series: Newey–West (statsmodels cov_type="HAC")', () => {
  it.each(['its', 'itsSmall'] as const)('%s: lag rule, HAC SEs, t(T−4) p-values and intervals', (name) => {
    const r = ref[name];
    const rows: PanelObservation[] = name === 'its' ? r.rows : ref.small.rows;
    const its = interruptedTimeSeries(rows)!;
    expect(its.seType).toBe('hac');
    expect(its.lag).toBe(r.lag);
    const ests = [its.preSlope, its.levelChange, its.slopeChange];
    ests.forEach((e, i) => {
      close(e.estimate, r.coef[i + 1]);
      close(e.se, r.se[i + 1]);
      close(e.p, r.p[i + 1]);
      close(e.ci![0], r.ci[i + 1][0]);
      close(e.ci![1], r.ci[i + 1][1]);
      expect(e.df).toBe(r.df);
    });
    const cls = interruptedTimeSeries(rows, { itsSe: 'classical' })!;
    close(cls.levelChange.se, r.classical.se[2]);
    close(cls.levelChange.p, r.classical.p[2]);
  });
});

describe('score shift: one value per person and window (scipy.stats.mannwhitneyu)', () => {
  const mw = ref.mannWhitney;
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const counts = (x: number[], y: number[]) => {
    const m = new Map<number, { value: number; x: number; y: number }>();
    for (const v of x) m.set(v, { value: v, x: (m.get(v)?.x ?? 0) + 1, y: m.get(v)?.y ?? 0 });
    for (const v of y) m.set(v, { value: v, x: m.get(v)?.x ?? 0, y: (m.get(v)?.y ?? 0) + 1 });
    return [...m.values()];
  };
  it('person means: same U and p as SciPy', () => {
    const people = mw.people as Array<{ before: number[]; after: number[] }>;
    const r = mannWhitneyFromCounts(counts(people.map((p) => mean(p.after)), people.map((p) => mean(p.before))));
    expect([r.n1, r.n2]).toEqual([mw.person.n1, mw.person.n2]);
    close(r.u, mw.person.u, 1e-12);
    close(r.p, mw.person.p);
  });
  it('person-months (what the old code tested) give another, over-confident answer', () => {
    const people = mw.people as Array<{ before: number[]; after: number[] }>;
    const r = mannWhitneyFromCounts(counts(people.flatMap((p) => p.after), people.flatMap((p) => p.before)));
    close(r.p, mw.rows.p);
    expect(r.p).toBeLessThan(mw.person.p);
  });
});
