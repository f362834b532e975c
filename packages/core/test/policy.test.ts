import { describe, expect, it } from 'vitest';
import {
  analysePolicy,
  cellMean,
  cleanPanel,
  differenceInDifferences,
  eventStudy,
  fSf,
  interruptedTimeSeries,
  mannWhitneyFromCounts,
  twoWayFe,
  type GradeCounts,
  type PanelObservation,
} from '../src/policy/index.ts';
import { chiSquareIndependence, mannWhitneyU } from '../src/stats/index.ts';

/*
 * Reference values were computed independently with NumPy 2.4 / SciPy 1.17 (script kept out of the
 * repo; formulas restated here): explicit-dummy OLS via pinv(X'X), classical V = (X'X)⁻¹·RSS/(n − rank),
 * CR1 V = (X'X)⁻¹ Σ_g X_g'u_g u_g'X_g (X'X)⁻¹ · G/(G−1)·(n−1)/(n−rank), t(G−1); Wald F = b'V⁻¹b/q with
 * scipy.stats.f.sf; scipy.stats.mannwhitneyu(method='asymptotic'|'exact'); chi2_contingency(correction=False).
 * The panel: 12 units (U00–U04 treated), periods −4…3, cells dropped where (7u + 3e) mod 11 = 0 (unbalanced),
 * y = 50 + unit effect + 0.5e + 2·treated·post + a pre-trend in even treated units + N(0,1), rounded to 0.01.
 */
const RAW = [
  'U00 -4 1 48.3', 'U00 -3 1 48.53', 'U00 -2 1 48.71', 'U00 -1 1 49.05', 'U00 1 1 51.51', 'U00 2 1 53.06',
  'U00 3 1 54.84', 'U01 -4 1 46.4', 'U01 -3 1 48.01', 'U01 -2 1 48.37', 'U01 -1 1 48.62', 'U01 0 1 50.09',
  'U01 1 1 51.49', 'U01 2 1 52.71', 'U01 3 1 51.17', 'U02 -4 1 45.18', 'U02 -3 1 46.6', 'U02 -2 1 46.84',
  'U02 0 1 50.85', 'U02 1 1 50.32', 'U02 2 1 52.36', 'U02 3 1 52.74', 'U03 -4 1 45.11', 'U03 -3 1 47.59',
  'U03 -2 1 48.58', 'U03 -1 1 49.24', 'U03 0 1 50.1', 'U03 1 1 51.65', 'U03 2 1 51.65', 'U03 3 1 52.32',
  'U04 -4 1 49.31', 'U04 -3 1 50.89', 'U04 -1 1 52.51', 'U04 0 1 53.54', 'U04 1 1 54.51', 'U04 2 1 55.23',
  'U04 3 1 55.69', 'U05 -4 0 45.63', 'U05 -3 0 47.41', 'U05 -2 0 45.0', 'U05 -1 0 47.91', 'U05 0 0 47.67',
  'U05 1 0 47.41', 'U05 2 0 50.55', 'U06 -4 0 48.33', 'U06 -2 0 50.6', 'U06 -1 0 51.6', 'U06 0 0 51.34',
  'U06 1 0 52.71', 'U06 2 0 52.46', 'U06 3 0 53.69', 'U07 -4 0 50.2', 'U07 -3 0 51.58', 'U07 -2 0 51.41',
  'U07 -1 0 52.5', 'U07 0 0 51.69', 'U07 1 0 52.8', 'U07 3 0 54.18', 'U08 -3 0 51.44', 'U08 -2 0 49.47',
  'U08 -1 0 50.5', 'U08 0 0 52.44', 'U08 1 0 50.31', 'U08 2 0 52.33', 'U08 3 0 53.2', 'U09 -4 0 51.2',
  'U09 -3 0 50.69', 'U09 -2 0 51.15', 'U09 -1 0 51.76', 'U09 0 0 54.04', 'U09 2 0 53.09', 'U09 3 0 53.71',
  'U10 -4 0 48.58', 'U10 -3 0 49.01', 'U10 -2 0 48.59', 'U10 -1 0 50.19', 'U10 0 0 50.26', 'U10 1 0 52.37',
  'U10 2 0 52.36', 'U10 3 0 52.18', 'U11 -4 0 49.0', 'U11 -3 0 50.89', 'U11 -2 0 50.33', 'U11 -1 0 51.42',
  'U11 1 0 50.55', 'U11 2 0 52.68', 'U11 3 0 51.15',
];
const panel: PanelObservation[] = RAW.map((s) => {
  const [unit, rel, t, v] = s.split(' ');
  return { unit: unit!, rel: Number(rel), periodId: `p${rel}`, treated: t === '1', value: Number(v), n: 1 };
});
const close = (a: number | null | undefined, b: number, tol = 1e-6) => {
  expect(a).not.toBeNull();
  expect(Math.abs(a! - b)).toBeLessThanOrEqual(tol);
};

describe('F distribution', () => {
  it('upper tail matches scipy.stats.f.sf', () => {
    close(fSf(2.5, 3, 40), 0.07325435201794983, 1e-12);
    close(fSf(0.7, 5, 9), 0.6373043919894352, 1e-12);
    close(fSf(10, 1, 3), 0.05078186628649377, 1e-12);
    close(fSf(1.3, 17, 190), 0.1958292564162431, 1e-12);
  });
});

describe('difference-in-differences', () => {
  it('clustered by unit with the nested-FE CR1 factor; 12 clusters (< 30): wild cluster bootstrap p and CI', () => {
    const r = differenceInDifferences(panel)!;
    expect(r.seType).toBe('cluster');
    expect(r.clusters).toBe(12);
    expect(r.observations).toBe(87);
    expect(r.units).toEqual({ treated: 5, control: 7 });
    close(r.estimate, 2.177842442644943);
    // statsmodels' CR1 SE (K = 4 counted) rescaled to K = 2: the intercept and treated dummy are a
    // group effect nested in the unit clusters (reghdfe / fixest).
    close(r.se, 0.356168636376133 * Math.sqrt(83 / 85));
    expect(r.inference.method).toBe('wild_bootstrap');
    expect(r.inference.bootstrap).toMatchObject({ reps: 999, weights: 'rademacher', restricted: true, ci: 'test_inversion' });
    expect(r.pValue).toBe(r.p);
    expect(r.p).toBeGreaterThan(0);
    expect(r.p).toBeLessThan(0.01);
    expect(r.ci![0]).toBeGreaterThan(0);
    expect(r.ci![0]).toBeLessThan(r.estimate);
    expect(r.ci![1]).toBeGreaterThan(r.estimate);
  });

  it('fewer than 12 clusters use Webb six-point weights', () => {
    const few = panel.filter((r) => ['U00', 'U01', 'U02', 'U07', 'U08', 'U09'].includes(r.unit));
    const d = differenceInDifferences(few)!;
    expect(d.seType).toBe('cluster');
    expect(d.inference.bootstrap!.weights).toBe('webb');
  });

  it('equals the difference of the four cell means on a balanced panel (hand-computed)', () => {
    // Treated unit A: pre 10, 12 → 11; post 15, 17 → 16. Treated B: pre 20, 20; post 24, 26 → 25.
    // Control C: pre 5, 7 → 6; post 8, 8. Control D: pre 30, 30; post 31, 33 → 32.
    // Treated change: (16 + 25)/2 − (11 + 20)/2 = 5; control change: (8 + 32)/2 − (6 + 30)/2 = 2; DiD = 3.
    const cells: Array<[string, boolean, number[]]> = [
      ['A', true, [10, 12, 15, 17]],
      ['B', true, [20, 20, 24, 26]],
      ['C', false, [5, 7, 8, 8]],
      ['D', false, [30, 30, 31, 33]],
    ];
    const rows = cells.flatMap(([unit, treated, ys]) => ys.map((value, i) => ({ unit, treated, value, rel: i - 2, periodId: `p${i}`, n: 1 })));
    close(differenceInDifferences(rows)!.estimate, 3, 1e-12);
  });

  it('drops missing values and units seen on one side only', () => {
    const extra: PanelObservation[] = [
      { unit: 'U00', rel: 0, periodId: 'p0', treated: true, value: Number.NaN, n: 0 },
      { unit: 'ONLY-PRE', rel: -2, periodId: 'p-2', treated: false, value: 99, n: 1 },
    ];
    const c = cleanPanel([...panel, ...extra]);
    expect(c.droppedMissing).toBe(1);
    expect(c.droppedUnits).toEqual({ treated: 0, control: 1 });
    close(differenceInDifferences(c.rows)!.estimate, 2.177842442644943);
  });
});

describe('event study (two-way fixed effects)', () => {
  const events = [-4, -3, -2, 0, 1, 2, 3];
  it('matches the explicit-dummy regression, clustered (SEs rescaled to the nested-FE K = 7 + 7)', () => {
    const r = eventStudy(panel)!;
    expect(r.reference).toBe(-1);
    const b = [-0.712471768766727, -0.6533498175468994, 0.5310052910053334, 1.267371410998725, 1.9230404263556666, 1.8105038409896146, 2.167820914160421];
    const se = [0.8237104647035575, 0.5146889015412216, 0.4838404172942976, 0.7787824310043513, 0.5787374980438252, 0.5652629719707584, 0.8413814164761635];
    const pts = r.points.filter((p) => !p.reference);
    expect(pts.map((p) => p.rel)).toEqual(events);
    // Explicit dummies count K = 7 + 12 + 8 − 1 = 26; the unit effects are nested in the clusters: K = 14.
    const nested = Math.sqrt((87 - 26) / (87 - 14));
    pts.forEach((p, i) => {
      close(p.estimate, b[i]!);
      close(p.se, se[i]! * nested);
    });
    expect(r.points.find((p) => p.reference)).toMatchObject({ rel: -1, estimate: 0 });
    close(r.preTrend!.f, 1.722781258492554 / nested ** 2);
    expect(r.preTrend!.bootstrap).toBe(true);
    expect(r.preTrend!.q).toBe(3);
    expect(r.preTrend!.df).toBe(11);
  });

  it('classical errors count the absorbed fixed effects', () => {
    const rows = panel.map((r) => r);
    const units = [...new Set(rows.map((r) => r.unit))];
    const rels = [...new Set(rows.map((r) => r.rel))].sort((a, b) => a - b);
    const X = rows.map((r) => events.map((e) => (r.treated && r.rel === e ? 1 : 0)));
    const fit = twoWayFe(X, rows.map((r) => r.value), rows.map((r) => units.indexOf(r.unit)), rows.map((r) => rels.indexOf(r.rel)));
    expect(fit.df).toBe(61);
    const se = [0.6836758773093764, 0.6836758773093757, 0.6985812342663844, 0.71033118681226, 0.683675877309376, 0.6836758773093756, 0.6836758773093762];
    fit.se.forEach((s, i) => close(s, se[i]!));
    close(fit.coef[0], -0.712471768766727);
  });

  it('flags a pre-trend: a treated group drifting up before the date fails the test', () => {
    // 12 units, 8 periods, no noise apart from a deterministic wiggle; treated units rise 1 point per period before the date.
    const rows: PanelObservation[] = [];
    for (let u = 0; u < 12; u++)
      for (let e = -4; e < 4; e++) {
        const treated = u < 6;
        const wiggle = (((u * 31 + (e + 4) * 17) % 7) - 3) / 10;
        rows.push({ unit: `u${u}`, rel: e, periodId: `p${e}`, treated, value: 10 + u + (treated && e < 0 ? e : 0) + wiggle, n: 1 });
      }
    const es = eventStudy(rows)!;
    expect(es.preTrend!.passed).toBe(false);
    const a = analysePolicy({ panel: rows, outcomeLabel: { zh: '得分', en: 'score' }, unit: 'orgUnit', distribution: emptyDistribution(), overlaps: [] });
    expect(a.warnings.map((w) => w.code)).toContain('pre_trend');
  });
});

describe('interrupted time series', () => {
  it('segmented regression on the treated per-period means (classical errors on request)', () => {
    const r = interruptedTimeSeries(panel, { itsSe: 'classical' })!;
    close(r.preSlope.estimate, 0.8786000000000378);
    close(r.levelChange.estimate, 0.7021999999998485);
    close(r.slopeChange.estimate, -0.1059000000000424);
    close(r.levelChange.se, 0.6485373350856495);
    close(r.slopeChange.se, 0.276537248847238);
    close(r.levelChange.p, 0.3398289910114499);
    expect(r.levelChange.df).toBe(4);
    expect(r.periods).toEqual({ pre: 4, post: 4 });
  });
  it('needs two periods on each side', () => {
    expect(interruptedTimeSeries(panel.filter((r) => r.rel >= -1))).toBeNull();
  });
});

describe('cell means', () => {
  it('classical t interval with fewer than 10 units', () => {
    const m = cellMean(panel, true, false)!;
    expect(m.seType).toBe('classical');
    close(m.estimate, 48.21333333333334);
    close(m.ci![0], 47.308353815177234);
    close(m.ci![1], 49.11831285148944);
  });
  it('a single observation has no interval', () => {
    const m = cellMean([{ unit: 'a', rel: 0, periodId: 'p', treated: true, value: 3, n: 1 }], true, true)!;
    expect([m.estimate, m.ci]).toEqual([3, null]);
  });
});

describe('distribution shift', () => {
  it('Mann–Whitney from value counts with ties equals SciPy and the expanded test', () => {
    const x = [70.5, 70.5, 70.5, 72, 72, 72, 72, 72, 80, 80, 65, 90, 90, 90, 90];
    const y = [70.5, 70.5, 60, 60, 60, 72, 75.5, 75.5, 75.5, 75.5, 75.5, 75.5, 65, 65];
    const values = [...new Set([...x, ...y])];
    const counts = values.map((value) => ({ value, x: x.filter((v) => v === value).length, y: y.filter((v) => v === value).length }));
    const r = mannWhitneyFromCounts(counts);
    expect(r.u).toBe(143.5);
    close(r.p, 0.0927285342999302, 1e-12);
    const e = mannWhitneyU(x, y);
    close(r.p, e.p, 1e-14);
    // Cliff's delta by direct pair counting.
    let d = 0;
    for (const a of x) for (const b of y) d += Math.sign(a - b);
    close(r.cliffsDelta, d / (x.length * y.length), 1e-14);
  });
  it('small samples without ties use the exact distribution', () => {
    const r = mannWhitneyFromCounts([1.5, 2.5, 9, 3, 4, 5, 6].map((value, i) => ({ value, x: i < 3 ? 1 : 0, y: i < 3 ? 0 : 1 })));
    expect(r.method).toBe('exact');
    expect(r.u).toBe(4);
    close(r.p, 0.6285714285714286, 1e-12);
  });
  it('grade mix chi-square and Cramér V', () => {
    const c = chiSquareIndependence([
      [3, 10, 25, 8, 4],
      [6, 12, 24, 5, 3],
    ]);
    close(c.chi2, 2.0373911802483233, 1e-10);
    close(c.p, 0.7288815560274449, 1e-10);
    close(c.cramersV, 0.14273721239565818, 1e-10);
  });
});

function emptyDistribution() {
  const g = (): GradeCounts => ({ A: 0, B: 0, C: 0, D: 0, E: 0 });
  return { scores: { treated: [], control: [] }, grades: { treated: { before: g(), after: g() }, control: { before: g(), after: g() } } };
}

describe('analysePolicy', () => {
  it('summarises the DiD in both languages and flags staggered adoption', () => {
    const a = analysePolicy({
      panel,
      outcomeLabel: { zh: '订单准确率', en: 'order accuracy' },
      unit: 'orgUnit',
      distribution: emptyDistribution(),
      overlaps: [{ id: 'P2', name: 'Forced ranking', effectiveFrom: '2025-01-01' }],
    });
    expect(a.itsFallback).toBe(false);
    expect(a.summary.en).toMatch(/^Order accuracy rose 2\.18 more in treated departments than in control ones; 95% CI 1\.\d\d–2\.\d\d; p [<=] 0\.0\d\d, very unlikely to be chance\.$/);
    expect(a.summary.zh).toMatch(/多上升了 2\.18；95% 置信区间 1\.\d\d–2\.\d\d/);
    expect(a.methods.did).toMatch(/wild cluster bootstrap/);
    expect(a.staggered.flagged).toBe(true);
    expect(a.warnings.map((w) => w.code)).toContain('staggered');
    expect(a.means).toHaveLength(4);
    expect(a.series.map((s) => s.rel)).toEqual([-4, -3, -2, -1, 0, 1, 2, 3]);
  });
  it('writes a negative interval with "to" / "至", not a dash that reads as a minus', () => {
    const a = analysePolicy({
      panel: panel.map((o) => ({ ...o, value: -o.value })),
      outcomeLabel: { zh: '离职率', en: 'turnover rate' },
      unit: 'orgUnit',
      distribution: emptyDistribution(),
      overlaps: [],
    });
    expect(a.summary.en).toMatch(/^Turnover rate fell 2\.18 more in treated departments than in control ones; 95% CI -2\.\d\d to -1\.\d\d; p/);
    expect(a.summary.zh).toMatch(/多下降了 2\.18；95% 置信区间 -2\.\d\d 至 -1\.\d\d/);
  });
  it('falls back to the interrupted time series without a control group', () => {
    const a = analysePolicy({ panel: panel.filter((r) => r.treated), outcomeLabel: { zh: '得分', en: 'score' }, unit: 'orgUnit', distribution: emptyDistribution(), overlaps: [] });
    expect(a.did).toBeNull();
    expect(a.itsFallback).toBe(true);
    expect(a.warnings.map((w) => w.code)).toContain('no_control');
    // Newey–West errors (lag ⌊4·(8/100)^(2/9)⌋ = 2), not the classical ±1.80.
    expect(a.its!.seType).toBe('hac');
    expect(a.summary.en).toMatch(/^No usable control group\. As an interrupted time series, score in the treated group rose by 0\.70 when the policy took effect; 95% CI -0\.23 to 1\.64; p = 0\.105, could well be chance\./);
  });
});
