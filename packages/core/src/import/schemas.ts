import { z } from 'zod';
import { IMPORT_TARGETS } from './fields.ts';

/** Input contracts of the import API, shared by the tRPC router, the CLI and the web app. */
export const importTargetSchema = z.enum(IMPORT_TARGETS);
export const onDuplicateSchema = z.enum(['reject', 'replace']);
export type OnDuplicate = z.infer<typeof onDuplicateSchema>;

const fieldName = z.string().regex(/^[a-z_]+$/, 'field names are lower_snake_case');
/** field → the file's own header text. */
export const mappingSchema = z.record(fieldName, z.string().min(1).max(200));
/** field → a value used for every row (e.g. period=2024-03 when the file has no period column). */
export const constantsSchema = z.record(fieldName, z.string().max(200));

export const uploadIdSchema = z.string().regex(/^[a-f0-9]{32}$/, 'not an upload id');
export const sheetSchema = z.string().min(1).max(100).optional();

export const previewInputSchema = z.object({
  uploadId: uploadIdSchema,
  table: importTargetSchema.optional(),
  sheet: sheetSchema,
});

export const mappingNameSchema = z.string().trim().min(1).max(100);

export const runInputSchema = z.object({
  uploadId: uploadIdSchema,
  table: importTargetSchema,
  mapping: mappingSchema.default({}),
  constants: constantsSchema.default({}),
  onDuplicate: onDuplicateSchema.default('reject'),
  sheet: sheetSchema,
  saveMappingAs: mappingNameSchema.optional(),
});
export type RunInput = z.infer<typeof runInputSchema>;

export const saveMappingInputSchema = z.object({
  name: mappingNameSchema,
  table: importTargetSchema,
  mapping: mappingSchema,
  constants: constantsSchema.default({}),
});

export const IMPORT_ERROR_CODES = [
  'type',
  'required',
  'range',
  'enum',
  'reference',
  'duplicate_in_file',
  'duplicate_existing',
  'mapping',
  /** The file's structure: a quote that never closes, a row with more fields than the header. */
  'format',
] as const;
export type ImportErrorCode = (typeof IMPORT_ERROR_CODES)[number];

export interface ImportError {
  /** As the user sees it in Excel: header = row 1, first data row = row 2; null for file-level errors. */
  row: number | null;
  /** The file's own header (or the field name for constants / unmapped fields). */
  column: string | null;
  code: ImportErrorCode;
  message: { zh: string; en: string };
  value: string | null;
}
