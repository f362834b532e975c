import { basename } from 'node:path';
import type { ImportError } from '@perflens/core';
import { fileProblem, ImportInternalError, withFileName } from './file-errors.ts';
import { detectFormat } from './read.ts';

/**
 * One place that decides what a failed preview or import tells its caller (the tRPC router, the
 * preview's and the import's own catch): a problem with the file is explained, naming the file,
 * in both languages; anything else becomes a plain "internal error" that keeps the original as
 * `cause` for the server log. Nothing a reader said (paths, SQL, library text) gets through.
 */

function formatOf(path: string, fileName?: string): 'csv' | 'xlsx' | 'parquet' {
  try {
    return detectFormat(path, fileName ?? path);
  } catch {
    return 'csv'; // the upload went missing meanwhile; the message still says what to do
  }
}

/** The file's problem as "name：…" / "name: …", or null when the failure is not the file's. */
export function explainFileFailure(err: unknown, path: string, fileName?: string): { zh: string; en: string } | null {
  const problem = fileProblem(err, formatOf(path, fileName), [path]);
  return problem ? withFileName(fileName ?? basename(path), problem) : null;
}

/** The same as one file-level import error (row and column null, code 'format'). */
export function fileFailureError(err: unknown, path: string, fileName?: string): ImportError | null {
  const message = explainFileFailure(err, path, fileName);
  return message ? { row: null, column: null, code: 'format', value: null, message } : null;
}

/**
 * A DuckDB error carries the statement it failed on and often a path on the server; it is
 * replaced by a plain one (with the original as its cause). Other errors pass unchanged.
 */
export function sanitizeImportError(err: unknown, path: string, fileName?: string): unknown {
  const message = String((err as Error)?.message ?? err);
  if (err instanceof ImportInternalError) return err;
  if (/^[A-Z][A-Za-z ]* Error: /.test(message) || /\bLINE \d+:/.test(message) || message.includes(path))
    return new ImportInternalError(fileName ?? basename(path), err);
  return err;
}
