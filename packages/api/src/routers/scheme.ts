import { z } from 'zod';
import { TRPCError } from '@trpc/server';
import { type SchemeIssue, schemeSchema, sourceIssues } from '@perflens/core';
import { ensureSimulationLayout, getScheme, kpiSlots, listSchemes, simSource } from '@perflens/warehouse';
import { router } from '../trpc.ts';
import { procedure } from '../access.ts';

export const schemeIdSchema = z.string().min(1).max(80).regex(/^[a-z][a-z0-9_-]*$/, 'scheme ids look like merchandiser-v1');

/** zod issues → the validator's bilingual form (cross-field messages already carry "zh / en"). */
export function zodToIssues(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): SchemeIssue[] {
  return issues.map((i) => {
    const path = i.path.filter((p): p is string | number => typeof p !== 'symbol');
    const at = path.join('.') || '(scheme)';
    if (i.message.includes(' / ')) {
      const [zh, en] = i.message.split(' / ', 2);
      return { path, zh: zh!, en: en! };
    }
    return { path, zh: `字段 ${at} 无效：${i.message}`, en: `field ${at} is invalid: ${i.message}` };
  });
}

export const schemeRouter = router({
  list: procedure('scheme.read').query(({ ctx }) => listSchemes(ctx.wh)),

  get: procedure('scheme.read').input(z.strictObject({ id: schemeIdSchema })).query(async ({ ctx, input }) => {
    const s = await getScheme(ctx.wh, input.id);
    if (!s) throw new TRPCError({ code: 'NOT_FOUND', message: `方案 ${input.id} 不存在 / scheme ${input.id} not found` });
    return s;
  }),

  /**
   * Rules (weights = 100, tiers, bands …) and data availability (every KPI code exists in the
   * role's history). Never throws for an invalid scheme: the form shows the issues in place.
   */
  validate: procedure('scheme.read').input(z.strictObject({ scheme: z.unknown() })).query(async ({ ctx, input }) => {
    const parsed = schemeSchema.safeParse(input.scheme);
    if (!parsed.success) return { ok: false, issues: zodToIssues(parsed.error.issues) };
    await ensureSimulationLayout(ctx.wh);
    const slots = await kpiSlots(ctx.wh, parsed.data.role);
    const issues = sourceIssues(parsed.data, simSource('sim_facts', slots, []));
    return { ok: issues.length === 0, issues };
  }),
});
