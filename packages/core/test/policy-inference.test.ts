import { describe, expect, it } from 'vitest';
import { analysePolicy, differenceInDifferences, eventStudy, type GradeCounts, type PanelObservation } from '../src/policy/index.ts';

/*
 * "Numbers an executive can stake a decision on": no p-value the design cannot support.
 * One treated and one control department over 24 months, as the demo company's pilot analysed per
 * org unit: the old code reported a classical OLS p (about 1e-30) from 48 "observations".
 */
const g = (): GradeCounts => ({ A: 0, B: 0, C: 0, D: 0, E: 0 });
const noDist = { scores: { treated: [], control: [] }, grades: { treated: { before: g(), after: g() }, control: { before: g(), after: g() } } };

function panel(units: Array<[string, boolean]>, months = 24): PanelObservation[] {
  const rows: PanelObservation[] = [];
  units.forEach(([unit, treated], u) => {
    for (let e = -months / 2; e < months / 2; e++) {
      const wiggle = (((u * 37 + (e + 50) * 11) % 9) - 4) / 20;
      rows.push({ unit, rel: e, periodId: `p${e}`, treated, value: 80 + u + 0.05 * e + (treated && e >= 0 ? 3 : 0) + wiggle, n: 30 });
    }
  });
  return rows;
}

describe('one treated vs one control unit (1-vs-1 panel)', () => {
  const rows = panel([
    ['OU-MD1|T', true],
    ['OU-MD2|C', false],
  ]);
  it('DiD: the estimate, but pValue null with the reason (was a classical p ≈ 1e-30)', () => {
    const d = differenceInDifferences(rows)!;
    expect(d.estimate).toBeCloseTo(3, 1);
    expect(d.p).toBeNull();
    expect(d.pValue).toBeNull();
    expect(d.ci).toBeNull();
    expect(d.inference.method).toBe('none');
    expect(d.reason!.code).toBe('single_treated_cluster');
    expect(d.reason!.en).toMatch(/Only one treated unit/);
  });
  it('event study: estimates only, no pre-trend p', () => {
    const es = eventStudy(rows);
    if (es) {
      expect(es.points.every((p) => p.p === null && p.ci === null)).toBe(true);
      expect(es.preTrend).toBeNull();
    }
  });
  it('analysePolicy: no p-value anywhere in the summary, a no_p_value warning saying why', () => {
    const a = analysePolicy({ panel: rows, outcomeLabel: { zh: '得分', en: 'score' }, unit: 'orgUnit', distribution: noDist, overlaps: [] });
    expect(a.did!.p).toBeNull();
    expect(a.summary.en).not.toMatch(/p [<=]/);
    expect(a.summary.en).toMatch(/no p-value: Only one treated unit/);
    expect(a.summary.zh).toMatch(/不报告 p 值/);
    expect(a.warnings.map((w) => w.code)).toContain('no_p_value');
  });
  it('one treated unit against many controls: still no p-value', () => {
    const d = differenceInDifferences(panel([['T', true], ...Array.from({ length: 8 }, (_, i): [string, boolean] => [`C${i}`, false])]))!;
    expect(d.p).toBeNull();
    expect(d.reason!.code).toBe('single_treated_cluster');
  });
});

describe('few clusters', () => {
  const rows = panel(Array.from({ length: 6 }, (_, i): [string, boolean] => [`U${i}`, i < 3]));
  it('2 ≤ clusters per side, fewer than 30 in all: the wild cluster bootstrap gives p and CI, reproducibly', () => {
    const a = differenceInDifferences(rows)!;
    const b = differenceInDifferences(rows)!;
    expect(a.inference.method).toBe('wild_bootstrap');
    expect(a.inference.bootstrap!.weights).toBe('webb');
    expect(a.p).not.toBeNull();
    expect(a.p).toBe(b.p);
    expect(a.ci).toEqual(b.ci);
    expect(a.ci![0]).toBeLessThan(a.estimate);
  });
  it('with the bootstrap switched off there is no p-value, and the reason says so', () => {
    const d = differenceInDifferences(rows, { bootstrapReps: 0, bootstrapSeed: 1, itsSe: 'hac' })!;
    expect(d.p).toBeNull();
    expect(d.reason!.code).toBe('bootstrap_off');
  });
});
