import { TRPCError } from '@trpc/server';
import { InfeasibleGuidelineError } from '@perflens/core';
import {
  CalibrationError,
  calibrationDepartments,
  calibrationDepartmentsInputSchema,
  calibrationFairness,
  calibrationFairnessInputSchema,
  calibrationRaters,
  calibrationRatersInputSchema,
  calibrationSessionAdjust,
  calibrationSessionAdjustInputSchema,
  calibrationSessionCreate,
  calibrationSessionCreateInputSchema,
  calibrationSessionExport,
  calibrationSessionExportInputSchema,
  calibrationSessionFinalise,
  calibrationSessionFinaliseInputSchema,
  calibrationSessionGet,
  calibrationSessionGetInputSchema,
  calibrationSessionList,
} from '@perflens/warehouse';
import { router } from '../trpc.ts';
import { auditExport, procedure } from '../access.ts';

/** Session errors carry a bilingual message; map their kind onto tRPC codes so HTTP status says what happened. */
async function mapped<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof CalibrationError)
      throw new TRPCError({ code: err.kind === 'not-found' ? 'NOT_FOUND' : err.kind === 'locked' ? 'CONFLICT' : 'BAD_REQUEST', message: err.message, cause: err });
    if (err instanceof InfeasibleGuidelineError) throw new TRPCError({ code: 'BAD_REQUEST', message: err.message, cause: err });
    throw err;
  }
}

/**
 * Calibration (校准): rater leniency and normalisation, department grade mix vs the guideline,
 * fairness ratios, and saved sessions. Export returns the XLSX as base64 in the JSON response.
 */
export const calibrationRouter = router({
  raters: procedure('calibration.read').input(calibrationRatersInputSchema).query(({ ctx, input }) => mapped(() => calibrationRaters(ctx.wh, input))),
  departments: procedure('calibration.read').input(calibrationDepartmentsInputSchema).query(({ ctx, input }) => calibrationDepartments(ctx.wh, input)),
  fairness: procedure('calibration.read').input(calibrationFairnessInputSchema).query(({ ctx, input }) => calibrationFairness(ctx.wh, input)),
  session: router({
    create: procedure('calibration.write').input(calibrationSessionCreateInputSchema).mutation(({ ctx, input }) => mapped(() => calibrationSessionCreate(ctx.wh, input))),
    list: procedure('calibration.read').query(({ ctx }) => calibrationSessionList(ctx.wh)),
    get: procedure('calibration.read').input(calibrationSessionGetInputSchema).query(({ ctx, input }) => mapped(() => calibrationSessionGet(ctx.wh, input))),
    adjust: procedure('calibration.write').input(calibrationSessionAdjustInputSchema).mutation(({ ctx, input }) => mapped(() => calibrationSessionAdjust(ctx.wh, input))),
    finalise: procedure('calibration.write').input(calibrationSessionFinaliseInputSchema).mutation(({ ctx, input }) => mapped(() => calibrationSessionFinalise(ctx.wh, input))),
    export: procedure(['calibration.read', 'export']).input(calibrationSessionExportInputSchema).mutation(async ({ ctx, input }) => {
      const file = await mapped(() => calibrationSessionExport(ctx.wh, input, ctx.lang));
      await auditExport(ctx, 'calibration', input.id);
      return file;
    }),
  }),
});
