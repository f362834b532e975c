import { z } from 'zod';
import { tableWorkbook } from '@perflens/warehouse';
import { router } from '../trpc.ts';
import { auditExport, procedure } from '../access.ts';

/** Bounds of one exported table: more than any page shows, far less than a hostile body. */
const MAX_ROWS = 20_000;
const MAX_CELLS = 400_000;

const cellSchema = z.union([z.string().max(2000), z.number(), z.null()]);
export const tableExportInputSchema = z
  .strictObject({
    /** The table's heading; names the sheet and the file. */
    title: z.string().trim().min(1).max(120),
    columns: z.array(z.strictObject({ label: z.string().max(200), numeric: z.boolean().optional() })).min(1).max(60),
    rows: z.array(z.array(cellSchema).max(60)).max(MAX_ROWS),
  })
  .refine((t) => t.rows.length * t.columns.length <= MAX_CELLS, { message: `at most ${MAX_CELLS} cells / 单元格不得超过 ${MAX_CELLS} 个` });

/**
 * `table.exportXlsx`: any table the dashboard shows, as the person sees it, as a workbook with a
 * bold frozen header and numbers as numbers (warehouse table-workbook.ts). The rows come from the
 * page, which only ever holds what its user was allowed to read, so this reads nothing itself;
 * it exists so that every table export is one format, formula-safe, and on the audit trail.
 */
export const tableRouter = router({
  exportXlsx: procedure('export', { scoped: true })
    .input(tableExportInputSchema)
    .mutation(async ({ ctx, input }) => {
      const buf = await tableWorkbook(input);
      await auditExport(ctx, 'table', input.title, { rows: input.rows.length, columns: input.columns.length });
      const slug = input.title.replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'table';
      return {
        fileName: `perflens-${slug}-${new Date().toISOString().slice(0, 10)}.xlsx`,
        mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        base64: buf.toString('base64'),
      };
    }),
});
