import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { TRPCError } from '@trpc/server';
import { getScenarios, listSchemes, listScenarios, saveScenario, scenarioWorkbook, type Warehouse } from '@perflens/warehouse';
import { router } from '../trpc.ts';
import { auditExport, procedure } from '../access.ts';
import { currentActor } from '@perflens/warehouse';
import { schemeIdSchema } from './scheme.ts';
import { resolveSchemes, simulate, simulationSettingsSchema } from './simulation.ts';

const scenarioIdSchema = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/);
const compareInput = z.strictObject({ ids: z.array(scenarioIdSchema).min(1).max(3), pageSize: z.number().int().min(1).max(50).default(10) });

export const scenarioRouter = router({
  save: procedure('scenario.write')
    .input(
      z.strictObject({
        id: scenarioIdSchema.optional(),
        name: z.string().trim().min(1).max(120),
        baseSchemeId: schemeIdSchema,
        scheme: z.unknown(),
        settings: simulationSettingsSchema.default({ baseline: 'base' }),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      // Validates the scheme the same way a run does, so nothing unrunnable is saved.
      const { scenario } = await resolveSchemes(ctx.wh, { baseSchemeId: input.baseSchemeId, scheme: input.scheme });
      const id = input.id ?? randomUUID();
      await saveScenario(ctx.wh, { id, name: input.name, baseSchemeId: input.baseSchemeId, scheme: scenario, settings: input.settings, createdBy: currentActor()?.userId ?? null });
      return { id };
    }),

  list: procedure('scheme.read').query(async ({ ctx }) =>
    (await listScenarios(ctx.wh)).map((s) => ({ id: s.id, name: s.name, baseSchemeId: s.baseSchemeId, role: s.scheme.role, settings: s.settings, createdAt: s.createdAt, scheme: s.scheme })),
  ),

  /** Up to three saved scenarios, each re-run with its saved settings, side by side. */
  compare: procedure('simulation.run').input(compareInput).query(({ ctx, input }) => compare(ctx.wh, input)),

  /** The comparison as an XLSX workbook, base64 (tRPC carries JSON only). */
  exportXlsx: procedure(['simulation.run', 'export']).input(compareInput).query(async ({ ctx, input }) => {
    const items = await compare(ctx.wh, input);
    const schemeNames = new Map((await listSchemes(ctx.wh)).map((x) => [x.id, x.name[ctx.lang]]));
    const buf = await scenarioWorkbook(items, ctx.lang, schemeNames);
    await auditExport(ctx, 'scenario', input.ids.join(','));
    return { fileName: `perflens-scenarios-${new Date().toISOString().slice(0, 10)}.xlsx`, base64: buf.toString('base64') };
  }),
});

async function compare(wh: Warehouse, input: z.infer<typeof compareInput>) {
  const found = await getScenarios(wh, input.ids);
  const missing = input.ids.filter((id) => !found.some((s) => s.id === id));
  if (missing.length) throw new TRPCError({ code: 'NOT_FOUND', message: `方案模拟 ${missing.join('、')} 不存在 / scenario ${missing.join(', ')} not found` });
  const out = [];
  // Sequential: each run already uses every DuckDB thread.
  for (const s of found) {
    const settings = simulationSettingsSchema.parse(s.settings);
    const result = await simulate(wh, { ...settings, baseSchemeId: s.baseSchemeId ?? undefined, scheme: s.scheme, page: 1, pageSize: input.pageSize, sortBy: 'score' });
    out.push({ id: s.id, name: s.name, baseSchemeId: s.baseSchemeId, settings, scheme: s.scheme, result });
  }
  return out;
}
