import { z } from 'zod';
import { TRPCError } from '@trpc/server';
import { evaluateScheme, periodIdSchema, type Scheme, SchemeCompileError, SchemeEvaluationError, schemeSchema } from '@perflens/core';
import { employeeFacts, getScheme, runSimulation, SimulationInputError, type Warehouse } from '@perflens/warehouse';
import { router } from '../trpc.ts';
import { procedure } from '../access.ts';
import { schemeIdSchema, zodToIssues } from './scheme.ts';

/**
 * Filters and options of a run; also what a saved scenario remembers. Strict, as every API input;
 * the scenarios saved before it was strict were stored from its parsed output, so hold no other keys.
 */
export const simulationSettingsSchema = z.strictObject({
  baseline: z.enum(['recorded', 'base']).default('base'),
  from: periodIdSchema.optional(),
  to: periodIdSchema.optional(),
  orgUnitId: z.string().min(1).max(64).optional(),
});

export const simulationRunInputSchema = simulationSettingsSchema.extend({
  /** Base scheme on file; or `base` as a full definition. */
  baseSchemeId: schemeIdSchema.optional(),
  base: z.unknown().optional(),
  /** The edited scheme; omitted = the base scheme itself. */
  scheme: z.unknown().optional(),
  page: z.number().int().min(1).max(100_000).default(1),
  pageSize: z.number().int().min(1).max(200).default(20),
  sortBy: z.enum(['score', 'bonus']).default('score'),
});

function parseScheme(value: unknown, what: string): Scheme {
  const r = schemeSchema.safeParse(value);
  if (r.success) return r.data;
  const lines = zodToIssues(r.error.issues).map((i) => `${what} ${i.path.join('.') || '(scheme)'}: ${i.zh} / ${i.en}`);
  throw new TRPCError({ code: 'BAD_REQUEST', message: lines.join('\n') });
}

export async function resolveSchemes(wh: Warehouse, input: { baseSchemeId?: string; base?: unknown; scheme?: unknown }): Promise<{ base: Scheme; scenario: Scheme }> {
  let base: Scheme;
  if (input.base !== undefined) base = parseScheme(input.base, 'base');
  else if (input.baseSchemeId !== undefined) {
    const s = await getScheme(wh, input.baseSchemeId);
    if (!s) throw new TRPCError({ code: 'NOT_FOUND', message: `方案 ${input.baseSchemeId} 不存在 / scheme ${input.baseSchemeId} not found` });
    base = s;
  } else throw new TRPCError({ code: 'BAD_REQUEST', message: '请提供基准方案 baseSchemeId 或 base / give baseSchemeId or base' });
  const scenario = input.scheme !== undefined ? parseScheme(input.scheme, 'scheme') : base;
  return { base, scenario };
}

function userError(err: unknown): never {
  if (err instanceof SchemeCompileError || err instanceof SimulationInputError) throw new TRPCError({ code: 'BAD_REQUEST', message: err.message, cause: err });
  throw err;
}

export async function simulate(wh: Warehouse, input: z.infer<typeof simulationRunInputSchema>) {
  const { base, scenario } = await resolveSchemes(wh, input);
  const t0 = performance.now();
  const result = await runSimulation(wh, {
    base,
    scenario,
    baseline: input.baseline,
    from: input.from,
    to: input.to,
    orgUnitId: input.orgUnitId,
    page: input.page,
    pageSize: input.pageSize,
    sortBy: input.sortBy,
  }).catch(userError);
  return { ...result, baseSchemeId: base.id, role: scenario.role, timing: { ms: Math.round(performance.now() - t0) } };
}

export const simulationRouter = router({
  run: procedure('simulation.run').input(simulationRunInputSchema).query(({ ctx, input }) => simulate(ctx.wh, input)),

  /** One employee's months under both schemes, line by line, next to what is on file. */
  explain: procedure('simulation.run')
    .input(
      z.strictObject({
        baseSchemeId: schemeIdSchema.optional(),
        base: z.unknown().optional(),
        scheme: z.unknown().optional(),
        employeeId: z.string().min(1).max(64),
        periodId: periodIdSchema.optional(),
      }),
    )
    .query(async ({ ctx, input }) => {
      const { base, scenario } = await resolveSchemes(ctx.wh, input);
      const facts = await employeeFacts(ctx.wh, input.employeeId, input.periodId);
      if (facts.length === 0)
        throw new TRPCError({ code: 'NOT_FOUND', message: `员工 ${input.employeeId} 在所选期间没有 KPI 数据 / employee ${input.employeeId} has no KPI data in that period` });
      // A bonus input the data lacks (e.g. no order total) still leaves the score lines to explain.
      const score = (s: Scheme, f: (typeof facts)[number]) => {
        try {
          return { ok: true as const, result: evaluateScheme(s, f.inputs), bonusError: null };
        } catch (e) {
          if (!(e instanceof SchemeEvaluationError)) throw e;
          try {
            return { ok: true as const, result: evaluateScheme({ ...s, bonus: [] }, f.inputs), bonusError: { zh: e.zh, en: e.en } };
          } catch (e2) {
            if (e2 instanceof SchemeEvaluationError) return { ok: false as const, error: { zh: e2.zh, en: e2.en } };
            throw e2;
          }
        }
      };
      return facts.map((f) => ({
        employeeId: f.employeeId,
        name: f.name,
        periodId: f.periodId,
        orgUnitId: f.orgUnitId,
        recorded: f.recorded,
        base: score(base, f),
        scenario: score(scenario, f),
      }));
    }),
});
