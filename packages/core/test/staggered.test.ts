import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { analysePolicy, staggeredDid, type GradeCounts, type PanelObservation } from '../src/policy/index.ts';

/*
 * Callaway & Sant'Anna on a simulated roll-out (pilot cohort at period 0, roll-out at period 4,
 * never-treated units; effect 1 + 0.4·e, growing with exposure). Reference: explicit 2×2 DiD
 * regressions in statsmodels and the multiplier bootstrap on the same seeded stream
 * (fixtures/reference/make_staggered_reference.py).
 */
const ref = JSON.parse(readFileSync(new URL('./fixtures/reference/staggered_reference.json', import.meta.url), 'utf8'));
const rows = ref.rows as PanelObservation[];
const close = (a: number | null | undefined, b: number, tol = 1e-8) => {
  expect(a).not.toBeNull();
  expect(Math.abs(a! - b)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b)));
};
const opts = { bootstrapReps: ref.bootstrap.reps, bootstrapSeed: ref.bootstrap.seed };

describe("staggered adoption: Callaway & Sant'Anna", () => {
  const cs = staggeredDid(rows, opts)!;
  it('ATT(g,t): every 2×2 comparison equals its statsmodels regression', () => {
    expect(cs.cohorts).toEqual(ref.cohorts);
    expect(cs.attGt).toHaveLength(ref.attGt.length);
    cs.attGt.forEach((a, i) => {
      const r = ref.attGt[i];
      expect([a.cohort, a.rel, a.base, a.treatedUnits, a.controlUnits]).toEqual([r.cohort, r.rel, r.base, r.treatedUnits, r.controlUnits]);
      close(a.estimate, r.estimate);
    });
  });
  it('event-time aggregation and the overall effect with multiplier-bootstrap SEs (same seeded stream)', () => {
    expect(cs.eventStudy.map((p) => p.e)).toEqual(ref.eventStudy.map((p: { e: number }) => p.e));
    cs.eventStudy.forEach((p, i) => {
      close(p.estimate, ref.eventStudy[i].estimate);
      close(p.se, ref.eventStudy[i].se);
      close(p.p, ref.eventStudy[i].p);
    });
    close(cs.overall.estimate, ref.overall.estimate);
    close(cs.overall.se, ref.overall.se);
  });
  it('recovers the known, time-varying effect (within 3 SE per event time); two-way FE does not', () => {
    for (const [i, p] of cs.eventStudy.entries()) expect(Math.abs(p.estimate - ref.eventStudy[i].truth)).toBeLessThan(3 * p.se!);
    expect(Math.abs(cs.overall.estimate - ref.overall.truth)).toBeLessThan(3 * cs.overall.se!);
    // The static TWFE DiD on the same panel is biased by the growing effect (already-treated controls).
    expect(Math.abs(ref.twfeStatic - ref.overall.truth)).toBeGreaterThan(5 * cs.overall.se!);
  });
  it('is the headline of analysePolicy, with the TWFE DiD beside it and the reason in the summary', () => {
    const g = (): GradeCounts => ({ A: 0, B: 0, C: 0, D: 0, E: 0 });
    const a = analysePolicy({
      panel: rows,
      outcomeLabel: { zh: '得分', en: 'score' },
      unit: 'employee',
      distribution: { scores: { treated: [], control: [] }, grades: { treated: { before: g(), after: g() }, control: { before: g(), after: g() } } },
      overlaps: [{ id: 'ROLL', name: 'roll-out', effectiveFrom: '2025-01-01' }],
      inference: opts,
    });
    expect(a.staggered.headline).toBe('cs');
    expect(a.staggered.cs!.overall.estimate).toBe(cs.overall.estimate);
    expect(a.did).not.toBeNull();
    expect(a.summary.en).toMatch(/^The policy started at different dates in different units \(staggered\), so the headline is the Callaway–Sant’Anna estimate/);
    expect(a.summary.en).toMatch(/two-way fixed-effects DiD beside it/);
    expect(a.methods.staggered).toMatch(/Callaway & Sant'Anna/);
    expect(a.warnings.map((w) => w.code)).toContain('staggered');
  });
});
