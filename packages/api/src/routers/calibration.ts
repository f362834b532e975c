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
import { publicProcedure, router } from '../trpc.ts';

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
  raters: publicProcedure.input(calibrationRatersInputSchema).query(({ ctx, input }) => mapped(() => calibrationRaters(ctx.wh, input))),
  departments: publicProcedure.input(calibrationDepartmentsInputSchema).query(({ ctx, input }) => calibrationDepartments(ctx.wh, input)),
  fairness: publicProcedure.input(calibrationFairnessInputSchema).query(({ ctx, input }) => calibrationFairness(ctx.wh, input)),
  session: router({
    create: publicProcedure.input(calibrationSessionCreateInputSchema).mutation(({ ctx, input }) => mapped(() => calibrationSessionCreate(ctx.wh, input))),
    list: publicProcedure.query(({ ctx }) => calibrationSessionList(ctx.wh)),
    get: publicProcedure.input(calibrationSessionGetInputSchema).query(({ ctx, input }) => mapped(() => calibrationSessionGet(ctx.wh, input))),
    adjust: publicProcedure.input(calibrationSessionAdjustInputSchema).mutation(({ ctx, input }) => mapped(() => calibrationSessionAdjust(ctx.wh, input))),
    finalise: publicProcedure.input(calibrationSessionFinaliseInputSchema).mutation(({ ctx, input }) => mapped(() => calibrationSessionFinalise(ctx.wh, input))),
    export: publicProcedure.input(calibrationSessionExportInputSchema).mutation(({ ctx, input }) => mapped(() => calibrationSessionExport(ctx.wh, input))),
  }),
});
