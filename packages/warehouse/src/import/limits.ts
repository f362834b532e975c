/**
 * Bounds on what an import file may hold. Each stops a file that would otherwise take the server
 * down (a 1.7 KB workbook whose one merged range is 17 billion cells, a CSV of 100,000 columns
 * that runs DuckDB out of memory) with a clear message, in bounded time and memory, before the
 * expensive reader sees it. The defaults are far above what a company's own files hold and were
 * measured (README, Importing data → Limits; apps/server/test/fuzz/measure.ts).
 *
 * They are read from the environment here rather than in the server's config so the CLI and the
 * server apply the same bounds; a bad value is refused when this module loads, which stops the
 * start and names the variable, as the server's own configuration does.
 */
export interface ImportLimits {
  /** Columns of a table: a text file's fields per line, a sheet's cells per row, a Parquet file's columns. */
  maxColumns: number;
  /** Rows (lines of a text file, sheet rows, Parquet rows) in one file. */
  maxRows: number;
  /**
   * Cells (rows × columns) in one file. A workbook's empty rows become empty CSV records so row
   * numbers stay right: two cells, in A1 and in row 1,048,576 under a 1,000-column header, would
   * otherwise be a 1 GB conversion.
   */
  maxCells: number;
  /** Characters in one value (Excel's own cell limit). */
  maxCellChars: number;
  /** Merged ranges in one sheet (ExcelJS checks each new merge against all earlier ones: quadratic). */
  maxMergedRanges: number;
  /** Cells covered by the merged ranges of one sheet (ExcelJS makes an object for each). */
  maxMergedCells: number;
  /** Total uncompressed size of a workbook's zip entries, in bytes. */
  maxXlsxExpandedBytes: number;
  /** Uncompressed : compressed size of one zip entry larger than 1 MB. */
  maxXlsxRatio: number;
  /** Wall-clock time for turning one workbook into CSV, in ms. */
  xlsxTimeoutMs: number;
  /** V8 heap of the worker that reads a workbook, in MB. */
  xlsxWorkerHeapMb: number;
}

interface Spec {
  key: keyof ImportLimits;
  env: string;
  default: number;
  /** Environment value → stored value (MB → bytes, s → ms). */
  scale?: number;
  min: number;
  max: number;
}

/** Each bound, its variable and its default (in the variable's unit). */
export const LIMIT_SPECS: readonly Spec[] = [
  { key: 'maxColumns', env: 'PERFLENS_MAX_COLUMNS', default: 1000, min: 1, max: 16_384 },
  { key: 'maxRows', env: 'PERFLENS_MAX_ROWS', default: 20_000_000, min: 1, max: 2_000_000_000 },
  { key: 'maxCells', env: 'PERFLENS_MAX_CELLS', default: 100_000_000, min: 1, max: 100_000_000_000 },
  { key: 'maxCellChars', env: 'PERFLENS_MAX_CELL_CHARS', default: 32_767, min: 1, max: 2_000_000 },
  { key: 'maxMergedRanges', env: 'PERFLENS_MAX_MERGED_RANGES', default: 5000, min: 0, max: 1_000_000 },
  { key: 'maxMergedCells', env: 'PERFLENS_MAX_MERGED_CELLS', default: 500_000, min: 0, max: 100_000_000 },
  { key: 'maxXlsxExpandedBytes', env: 'PERFLENS_MAX_XLSX_EXPANDED_MB', default: 1024, scale: 1 << 20, min: 1, max: 1 << 20 },
  { key: 'maxXlsxRatio', env: 'PERFLENS_MAX_XLSX_RATIO', default: 200, min: 2, max: 100_000 },
  { key: 'xlsxTimeoutMs', env: 'PERFLENS_XLSX_TIMEOUT_S', default: 120, scale: 1000, min: 1, max: 86_400 },
  { key: 'xlsxWorkerHeapMb', env: 'PERFLENS_XLSX_WORKER_MB', default: 512, min: 64, max: 65_536 },
];

const specOf = (key: keyof ImportLimits) => LIMIT_SPECS.find((s) => s.key === key)!;

/** The variable that sets a bound, for messages ("… more than 1,000 (PERFLENS_MAX_COLUMNS)"). */
export const limitEnv = (key: keyof ImportLimits): string => specOf(key).env;

/** The bounds as set in `env` (defaults for unset variables); a bad value throws naming its variable. */
export function readImportLimits(env: Record<string, string | undefined> = process.env): ImportLimits {
  const out = {} as ImportLimits;
  for (const s of LIMIT_SPECS) {
    const raw = env[s.env]?.trim();
    let v = s.default;
    if (raw !== undefined && raw !== '') {
      v = Number(raw.replace(/_/g, ''));
      if (!Number.isInteger(v) || v < s.min || v > s.max)
        throw new Error(`${s.env}=${raw}: expected a whole number from ${s.min} to ${s.max}. / ${s.env}=${raw}：应为 ${s.min} 到 ${s.max} 之间的整数。`);
    }
    out[s.key] = v * (s.scale ?? 1);
  }
  return out;
}

// Checked once at load, so a bad value stops `perflens serve` at start rather than failing the first import.
readImportLimits();

/** The bounds in force (read per call, so a test or an operator's change applies to the next file). */
export function importLimits(overrides: Partial<ImportLimits> = {}): ImportLimits {
  return { ...readImportLimits(), ...overrides };
}
