import { z } from 'zod';
import { TRPCError } from '@trpc/server';
import { IMPORT_FIELDS, IMPORT_TARGETS, mappingNameSchema, parseDateFormatOption, previewInputSchema, runInputSchema, saveMappingInputSchema } from '@perflens/core';
import {
  deleteMapping, errorsToCsv, ImportFileError, importFile, listBatches, listMappings, listScales, previewImport, refreshDerivedInBackground, resolveUpload, saveMapping,
  storeReport,
} from '@perflens/warehouse';
import { CreationNotConfirmedError } from '@perflens/warehouse/import/creation';
import { explainFileFailure, fileFailureError } from '@perflens/warehouse/import/failure';
import { ImportInternalError } from '@perflens/warehouse/import/file-errors';
import { router } from '../trpc.ts';
import { auditAction, procedure } from '../access.ts';

function notFound(err: unknown): never {
  throw new TRPCError({ code: 'NOT_FOUND', message: (err as Error).message, cause: err });
}

/** The error at the bottom of a chain of causes: what the server log should show. */
function rootCause(err: unknown): unknown {
  let e = err;
  for (let i = 0; i < 10 && e instanceof Error && e.cause !== undefined; i++) e = e.cause;
  return e;
}

/**
 * A failure that is not the file's: the caller gets a plain message without the reader's words
 * (server paths, SQL), the log gets the original (the server's tRPC onError logs the cause of
 * every INTERNAL_SERVER_ERROR; a write conflict in it still becomes CONFLICT, see trpc.ts).
 */
function internalError(err: unknown, fileName: string, lang: 'zh' | 'en'): TRPCError {
  const plain = err instanceof ImportInternalError ? err : new ImportInternalError(fileName, err);
  const cause = rootCause(err);
  return new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: lang === 'en' ? plain.en : plain.zh, cause: cause instanceof Error ? cause : plain });
}

export const importRouter = router({
  /** Field definitions for the mapping screen. */
  tables: procedure('data.import').query(() => IMPORT_TARGETS.map((t) => ({ table: t, fields: IMPORT_FIELDS[t] }))),

  preview: procedure('data.import').input(previewInputSchema).query(async ({ ctx, input }) => {
    let upload;
    try {
      upload = resolveUpload(ctx.wh, input.uploadId);
    } catch (err) {
      notFound(err);
    }
    try {
      return {
        fileName: upload.fileName,
        ...(await previewImport(ctx.wh, upload.path, { table: input.table, sheet: input.sheet, fileName: upload.fileName, mapping: input.mapping, constants: input.constants })),
      };
    } catch (err) {
      if (err instanceof ImportFileError) throw new TRPCError({ code: 'BAD_REQUEST', message: ctx.lang === 'en' ? err.en : err.zh, cause: err });
      // A read of the file that fails after the head was read (the grade column's values) is the file's too.
      const problem = explainFileFailure(err, upload.path, upload.fileName);
      if (problem) throw new TRPCError({ code: 'BAD_REQUEST', message: ctx.lang === 'en' ? problem.en : problem.zh, cause: err });
      throw internalError(err, upload.fileName, ctx.lang);
    }
  }),

  run: procedure('data.import').input(runInputSchema).mutation(async ({ ctx, input }) => {
    let upload;
    try {
      upload = resolveUpload(ctx.wh, input.uploadId);
    } catch (err) {
      notFound(err);
    }
    let result;
    try {
      result = await importFile(ctx.wh, upload.path, {
        table: input.table, mapping: input.mapping, constants: input.constants, onDuplicate: input.onDuplicate,
        sheet: input.sheet, fileName: upload.fileName, source: 'upload',
        gradeMap: input.gradeMap, gradeScale: input.gradeScale, createMissing: input.createMissing,
        // Nothing is created unconfirmed: without a confirmation an import that would create org
        // units or employees is refused (the preview's `creates` lists them for the user).
        confirmCreate: input.confirmCreate ?? { orgUnits: [], employees: 0 },
        dateFormat: input.dateFormat ? (parseDateFormatOption(input.dateFormat) ?? undefined) : undefined,
      });
    } catch (err) {
      // What the import would create, said in the caller's language; nothing was written.
      if (err instanceof CreationNotConfirmedError) throw new TRPCError({ code: 'BAD_REQUEST', message: ctx.lang === 'en' ? err.en : err.zh, cause: err });
      // The file's problem, found on a road the importer does not translate itself (the KPI
      // route's first read): the same one format error any other unreadable file gets.
      const problem = fileFailureError(err, upload.path, upload.fileName);
      if (!problem) throw internalError(err, upload.fileName, ctx.lang);
      result = { ok: false as const, rowCount: 0, errorCount: 1, counts: { format: 1 }, errors: [problem] };
    }
    if (!result.ok) {
      const reportId = storeReport(errorsToCsv(result.errors));
      return { ok: false as const, errorCount: result.errorCount, counts: result.counts, rowCount: result.rowCount, errors: result.errors, reportId };
    }
    if (input.saveMappingAs) await saveMapping(ctx.wh, { name: input.saveMappingAs, table: input.table, mapping: input.mapping, constants: input.constants, gradeMap: input.gradeMap });
    // The tables the calibration and simulation pages read are rebuilt now, not in the next request.
    void refreshDerivedInBackground(ctx.wh);
    await auditAction(ctx, 'import.run', 'import_batch', result.batchId === undefined ? null : String(result.batchId), {
      table: input.table, fileName: upload.fileName, rows: result.rowCount,
    });
    return result;
  }),

  batches: procedure('data.import')
    .input(z.strictObject({ page: z.number().int().min(1).default(1) }).default({ page: 1 }))
    .query(({ ctx, input }) => listBatches(ctx.wh, input.page)),

  mappings: procedure('data.import').query(({ ctx }) => listMappings(ctx.wh)),

  /** Rating-scale presets and the scales saved with mappings, for the mapping step's picker. */
  scales: procedure('data.import').query(({ ctx }) => listScales(ctx.wh)),

  saveMapping: procedure('data.import').input(saveMappingInputSchema).mutation(async ({ ctx, input }) => {
    await saveMapping(ctx.wh, input);
    await auditAction(ctx, 'mapping.save', 'mapping', input.name, { table: input.table, mapping: input.mapping });
    return { ok: true as const };
  }),

  deleteMapping: procedure('data.import')
    .input(z.strictObject({ name: mappingNameSchema }))
    .mutation(async ({ ctx, input }) => {
      const deleted = await deleteMapping(ctx.wh, input.name);
      if (deleted) await auditAction(ctx, 'mapping.delete', 'mapping', input.name);
      return { deleted };
    }),
});
