import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  analysePolicy,
  BOOTSTRAP_REPS,
  BOOTSTRAP_SEED,
  bootstrapInference,
  policyEffectInputSchema,
  type GradeCounts,
  type PanelObservation,
} from '../src/index.ts';

/*
 * The wild cluster bootstrap's replications and seed are optional, bounded inputs of policy.effect
 * (and of policy.brief / exportXlsx, whose schemas derive from it); absent, the estimators use 999
 * and the fixed seed, and the method note says which were used and what is allowed.
 */
const base = { policyId: 'P1', outcome: 'score' };
const issues = (r: { success: boolean; error?: z.ZodError }) => (r.error?.issues ?? []).map((i) => ({ path: i.path, code: i.code }));

describe('policy.effect bootstrap settings', () => {
  it('are optional: absent, the defaults apply', () => {
    const p = policyEffectInputSchema.parse(base);
    expect(p.bootstrap).toBeUndefined();
    expect(bootstrapInference(p.bootstrap)).toEqual({ bootstrapReps: BOOTSTRAP_REPS, bootstrapSeed: BOOTSTRAP_SEED });
    expect(BOOTSTRAP_REPS).toBe(999);
    // Either one alone: the other keeps its default.
    expect(bootstrapInference(policyEffectInputSchema.parse({ ...base, bootstrap: { seed: 7 } }).bootstrap)).toEqual({ bootstrapReps: 999, bootstrapSeed: 7 });
    expect(bootstrapInference(policyEffectInputSchema.parse({ ...base, bootstrap: {} }).bootstrap)).toEqual({ bootstrapReps: 999, bootstrapSeed: BOOTSTRAP_SEED });
  });

  it('bound the replications to 99–9999 with B + 1 a multiple of 100', () => {
    for (const replicates of [99, 199, 999, 4999, 9999]) expect(policyEffectInputSchema.safeParse({ ...base, bootstrap: { replicates } }).success).toBe(true);
    for (const replicates of [0, 98, 100, 500, 1000, 10_099, 99.5, -99]) {
      const r = policyEffectInputSchema.safeParse({ ...base, bootstrap: { replicates } });
      expect(r.success, String(replicates)).toBe(false);
      expect(issues(r)[0]!.path).toEqual(['bootstrap', 'replicates']);
    }
    const msg = policyEffectInputSchema.safeParse({ ...base, bootstrap: { replicates: 500 } }).error!.issues[0]!.message;
    expect(msg).toMatch(/multiple of 100/);
    expect(msg).toMatch(/自助法/);
  });

  it('take any unsigned 32-bit seed', () => {
    for (const seed of [0, 1, 0xffff_ffff]) expect(policyEffectInputSchema.safeParse({ ...base, bootstrap: { seed } }).success).toBe(true);
    for (const seed of [-1, 2 ** 32, 1.5]) expect(policyEffectInputSchema.safeParse({ ...base, bootstrap: { seed } }).success).toBe(false);
  });

  it('are a strict object: a misspelt key is refused, not silently ignored', () => {
    expect(issues(policyEffectInputSchema.safeParse({ ...base, bootstrap: { reps: 199 } }))).toEqual([{ path: ['bootstrap'], code: 'unrecognized_keys' }]);
    expect(issues(policyEffectInputSchema.safeParse({ ...base, bootstrapReps: 199 }))).toEqual([{ path: [], code: 'unrecognized_keys' }]);
  });
});

describe('the analysis uses them and says so', () => {
  const g = (): GradeCounts => ({ A: 0, B: 0, C: 0, D: 0, E: 0 });
  const noDist = { scores: { treated: [], control: [] }, grades: { treated: { before: g(), after: g() }, control: { before: g(), after: g() } } };
  // Six units, three treated: the DiD's p-value comes from the wild cluster bootstrap.
  const rows: PanelObservation[] = [];
  for (let u = 0; u < 6; u++)
    for (let e = -6; e < 6; e++)
      rows.push({ unit: `U${u}`, rel: e, periodId: `p${e}`, treated: u < 3, value: 80 + u + 0.05 * e + (u < 3 && e >= 0 ? 1 : 0) + (((u * 37 + (e + 50) * 11) % 9) - 4) / 10, n: 30 });
  const run = (bootstrap?: { replicates?: number; seed?: number }) =>
    analysePolicy({ panel: rows, outcomeLabel: { zh: '得分', en: 'score' }, unit: 'orgUnit', distribution: noDist, overlaps: [], inference: bootstrapInference(bootstrap) });

  it('defaults: B = 999 and the fixed seed, in the result and the method note with the allowed range', () => {
    const a = run();
    expect(a.did!.inference.method).toBe('wild_bootstrap');
    expect(a.did!.inference.bootstrap).toMatchObject({ reps: 999, seed: BOOTSTRAP_SEED });
    expect(a.methods.inference).toContain(`B = 999, seed ${BOOTSTRAP_SEED}.`);
    expect(a.methods.inference).toMatch(/default 999, 99–9999 with B \+ 1 a multiple of 100/);
    expect(a.methods.inference).toContain(`default ${BOOTSTRAP_SEED}`);
  });

  it('a chosen B and seed reach the estimator: the same seed reproduces p, another moves it only by Monte Carlo error', () => {
    const a = run({ replicates: 199, seed: 7 });
    expect(a.did!.inference.bootstrap).toMatchObject({ reps: 199, seed: 7 });
    expect(a.methods.inference).toContain('B = 199, seed 7.');
    expect(run({ replicates: 199, seed: 7 }).did!.p).toBe(a.did!.p);
    // The p-value is a count over B replications.
    expect(Math.abs(a.did!.p! * 199 - Math.round(a.did!.p! * 199))).toBeLessThan(1e-9);
    const other = run({ replicates: 9999, seed: 12345 }).did!.p!;
    const ref = run({ replicates: 9999 }).did!.p!;
    expect(Math.abs(other - ref)).toBeLessThan(4 * Math.sqrt((ref * (1 - ref)) / 9999) + 1e-3);
  });
});
