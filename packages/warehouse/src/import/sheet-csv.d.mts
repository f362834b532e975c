/** Types of sheet-csv.mjs (plain JavaScript, shared with the workbook worker). */
export declare const HEADER_SCAN: number;
export declare function cellText(v: unknown): string;
export declare function headerRowIndex(rows: string[][]): number;
export declare function columnIndex(letters: string): number;
export declare function columnLetters(n: number): string;
export declare class BreachError extends Error {
  constructor(breach: Record<string, unknown> & { limit: string });
  breach: Record<string, unknown> & { limit: string };
}
export interface SheetLimits {
  maxColumns: number;
  maxRows: number;
  maxCells: number;
  maxCellChars: number;
}
export interface Sink {
  write(text: string): Promise<void>;
}
export declare function sheetCsv(ws: Sink, limits: SheetLimits, sheet: string): { push(number: number, texts: string[]): Promise<void>; end(): Promise<number> };
