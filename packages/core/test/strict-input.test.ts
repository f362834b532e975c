import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  BUILTIN_SCHEMES,
  analysisFiltersSchema,
  guidelineSchema,
  policyCreateSchema,
  policyEffectInputSchema,
  policyUpdateSchema,
  roleCodeSchema,
  schemeSchema,
} from '../src/index.ts';

const unknownKeys = (r: { success: boolean; error?: z.ZodError }) =>
  (r.error?.issues ?? []).filter((i) => i.code === 'unrecognized_keys').map((i) => ({ path: i.path, keys: (i as { keys: string[] }).keys }));

/**
 * API inputs are built from shared strict objects with extend/omit/prefault/default; zod's
 * strictness lives in the object's catchall, and these checks pin that zod 4.6 carries it
 * through each of those (a future zod that dropped it would reopen silent key dropping).
 */
describe('strictness survives schema composition (zod 4.6)', () => {
  const base = z.strictObject({ a: z.number().optional() });
  const cases: Record<string, z.ZodType> = {
    strictObject: base,
    extend: base.extend({ b: z.string().default('x') }),
    'extend + prefault': base.extend({ b: z.string().default('x') }).prefault({}),
    'extend + refine + prefault': base.extend({ b: z.string().optional() }).refine(() => true).prefault({}),
    omit: base.extend({ b: z.string() }).omit({ b: true }),
    pick: base.extend({ b: z.string() }).pick({ a: true }),
    partial: base.partial(),
    default: base.default({}),
  };
  for (const [name, schema] of Object.entries(cases))
    it(name, () => expect(unknownKeys(schema.safeParse({ zzz: 1 }))).toEqual([{ path: [], keys: ['zzz'] }]));

  it('a strict object nested under default() or prefault() is still strict', () => {
    const s = z.strictObject({ people: z.strictObject({ limit: z.number().default(1) }).prefault({}), sort: z.strictObject({ f: z.string() }).default({ f: 'x' }) });
    expect(unknownKeys(s.safeParse({ people: { limt: 5 } }))).toEqual([{ path: ['people'], keys: ['limt'] }]);
    expect(unknownKeys(s.safeParse({ sort: { f: 'y', order: 'asc' } }))).toEqual([{ path: ['sort'], keys: ['order'] }]);
    // The defaults themselves still apply.
    expect(s.parse({})).toEqual({ people: { limit: 1 }, sort: { f: 'x' } });
  });
});

describe('the shared API schemas are strict', () => {
  it('analysis filters name an unknown key, and cycle is optional (absent = resolved by the warehouse)', () => {
    expect(unknownKeys(analysisFiltersSchema.safeParse({ orgUnit: 'HQ' }))).toEqual([{ path: [], keys: ['orgUnit'] }]);
    expect(analysisFiltersSchema.parse({})).toEqual({});
    expect(analysisFiltersSchema.parse({ cycle: 'year' })).toEqual({ cycle: 'year' });
  });

  it('policy fields: a misspelt scope is refused, not stored company-wide', () => {
    const fields = { name: 'pilot', effectiveFrom: '2024-07-01' };
    expect(unknownKeys(policyCreateSchema.safeParse({ ...fields, scope: ['OU-1'] }))).toEqual([{ path: [], keys: ['scope'] }]);
    expect(unknownKeys(policyUpdateSchema.safeParse({ ...fields, id: 'P1', roles: ['sales'] }))).toEqual([{ path: [], keys: ['roles'] }]);
    expect(unknownKeys(policyEffectInputSchema.safeParse({ policyId: 'P1', outcome: 'score', controls: ['X'] }))).toEqual([{ path: [], keys: ['controls'] }]);
  });

  it('policy scope roles are any role code, up to 200', () => {
    const fields = { name: 'pilot', effectiveFrom: '2024-07-01' };
    expect(policyCreateSchema.parse({ ...fields, scopeRoles: [' warehouse_clerk '] }).scopeRoles).toEqual(['warehouse_clerk']);
    expect(policyCreateSchema.safeParse({ ...fields, scopeRoles: Array.from({ length: 201 }, (_, i) => `r${i}`) }).success).toBe(false);
    expect(roleCodeSchema.safeParse('').success).toBe(false);
    expect(roleCodeSchema.safeParse('x'.repeat(65)).success).toBe(false);
  });

  it('guidelines: unknown keys at the top and inside a range', () => {
    expect(unknownKeys(guidelineSchema.safeParse({ mode: 'shares', shares: { A: 10 }, share: {} }))).toEqual([{ path: [], keys: ['share'] }]);
    expect(unknownKeys(guidelineSchema.safeParse({ mode: 'ranges', ranges: { A: { max: 0.1, maximum: 0.2 } } }))).toEqual([{ path: ['ranges', 'A'], keys: ['maximum'] }]);
  });

  it('schemes: every built-in parses, an unknown key deep inside one is named with its path', () => {
    for (const s of BUILTIN_SCHEMES) expect(schemeSchema.safeParse(s).success).toBe(true);
    const s = structuredClone(BUILTIN_SCHEMES[0]!) as unknown as { kpis: Array<{ rule: Record<string, unknown> }> };
    s.kpis[0]!.rule.weigth = 3;
    expect(unknownKeys(schemeSchema.safeParse(s))).toEqual([{ path: ['kpis', 0, 'rule'], keys: ['weigth'] }]);
    // A company's own role is a valid scheme role (the API checks it against the roles table).
    expect(schemeSchema.safeParse({ ...BUILTIN_SCHEMES[0]!, role: 'warehouse_clerk' }).success).toBe(true);
  });
});
