import { z } from 'zod';
import { GRADES } from '../domain.ts';
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

/** One line of a rating scale: the company's value → canonical grade (null: not a grade, e.g. "not rated"). */
export const scaleEntrySchema = z.strictObject({
  value: z.string().min(1).max(200),
  grade: z.enum(GRADES).nullable(),
  label: z.string().max(200).optional(),
});
/** A confirmed rating scale, as the mapping step or the CLI's --grade-map gives it. */
export const gradeMapSchema = z.array(scaleEntrySchema).max(500);
export const scaleNameSchema = z.string().trim().min(1).max(100);
/** How slash dates in the file are ordered: 01/17/19 (MDY) or 17/01/2019 (DMY); absent = read from the column. */
export const dateFormatSchema = z.enum(['YMD', 'MDY', 'DMY']);

export const previewInputSchema = z.strictObject({
  uploadId: uploadIdSchema,
  table: importTargetSchema.optional(),
  sheet: sheetSchema,
  /** The user's own choices so far: they win over suggestions and keep their headers. */
  mapping: mappingSchema.optional(),
  constants: constantsSchema.optional(),
});

export const mappingNameSchema = z.string().trim().min(1).max(100);

/** Consent to the org units (by name) and the number of employees an import creates; see runInputSchema. */
export const confirmCreateSchema = z.union([
  z.literal(true),
  z.strictObject({
    orgUnits: z.array(z.string().min(1).max(200)).max(10_000),
    employees: z.number().int().min(0),
  }),
]);
export type ConfirmCreate = z.infer<typeof confirmCreateSchema>;

export const runInputSchema = z.strictObject({
  uploadId: uploadIdSchema,
  table: importTargetSchema,
  mapping: mappingSchema.default({}),
  constants: constantsSchema.default({}),
  onDuplicate: onDuplicateSchema.default('reject'),
  sheet: sheetSchema,
  saveMappingAs: mappingNameSchema.optional(),
  /** The rating scale the user confirmed; absent = the proposed one (or gradeScale). */
  gradeMap: gradeMapSchema.optional(),
  /** A preset or saved scale by name. */
  gradeScale: scaleNameSchema.optional(),
  dateFormat: dateFormatSchema.optional(),
  /** Create the org units a metrics file names that do not exist yet. */
  createMissing: z.boolean().optional(),
  /**
   * The org units and employees the caller agreed to create (the preview's `creates`): an import
   * that would create any other is refused, so a typo never becomes a department unseen.
   * `true` accepts whatever the file names (scripts that have checked it themselves).
   */
  confirmCreate: confirmCreateSchema.optional(),
});
export type RunInput = z.infer<typeof runInputSchema>;

export const saveMappingInputSchema = z.strictObject({
  name: mappingNameSchema,
  table: importTargetSchema,
  mapping: mappingSchema,
  constants: constantsSchema.default({}),
  gradeMap: gradeMapSchema.optional(),
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
