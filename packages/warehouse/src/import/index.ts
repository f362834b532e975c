export { importFile } from './engine.ts';
export type { ImportOptions, ImportResult, ImportSuccess, ImportFailure } from './engine.ts';
export { ImportFileError, previewImport } from './preview.ts';
export type { ImportPreview } from './preview.ts';
export { errorsToCsv } from './report.ts';
export { listMappings, getMapping, saveMapping, deleteMapping, listBatches, listScales } from './mappings.ts';
export type { SavedMapping, BatchRow, ScaleListing } from './mappings.ts';
export { detectEncoding, detectFormat, sniffDelimiter, cellText } from './read.ts';
export { uploadDir, newUploadId, uploadFile, writeUploadMeta, resolveUpload, pruneUploads, UPLOAD_MAX_AGE_MS, storeReport, getReport } from './uploads.ts';
