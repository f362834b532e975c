/**
 * Cell values for the spreadsheets and CSV files PerfLens writes, safe to open in Excel. A text
 * that starts with = + - @ (or a tab or carriage return, which Excel skips before looking) is run
 * as a formula when the file is opened: an imported cell `=HYPERLINK("http://…"&A1,"click")` or
 * `-2+3+cmd|' /C calc'!A0`, written back in an error report, would run on the HR user's machine.
 * Such text gets a leading apostrophe, Excel's own mark for "this is text" (OWASP's advice for
 * CSV injection). Numbers stay numbers, and a text that is just a number ("-5", "+1.5e3") is
 * left as it is: Excel reads it as that number, which runs nothing.
 */

const TRIGGER = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** A text as it may be written into a cell. */
export function safeCellText(text: string): string {
  return TRIGGER.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
}

/** Any cell value: text is made safe, numbers, dates, booleans and empty cells pass unchanged. */
export function safeCell<T>(value: T): T | string {
  return typeof value === 'string' ? safeCellText(value) : value;
}

/** A row of cell values (ExcelJS addRow), each made safe. */
export function safeRow<T>(values: readonly T[]): Array<T | string> {
  return values.map(safeCell);
}

interface CellLike {
  value: unknown;
}
interface WorkbookLike {
  eachSheet(cb: (sheet: { eachRow(opts: { includeEmpty: boolean }, cb: (row: { eachCell(cb: (cell: CellLike) => void): void }) => void): void }) => void): void;
}

/**
 * Every text cell of an ExcelJS workbook made safe, just before it is written: one pass covers
 * each row the writer added (names of units, policies and scenarios, reasons, actors) and any it
 * adds later. Inside an XLSX a text cell is not run as it stands, but it is the moment someone
 * edits it, and a copy pasted into another sheet or saved as CSV is.
 */
export function safeWorkbook<W extends WorkbookLike>(wb: W): W {
  wb.eachSheet((sheet) =>
    sheet.eachRow({ includeEmpty: false }, (row) =>
      row.eachCell((cell) => {
        if (typeof cell.value === 'string') cell.value = safeCellText(cell.value);
      }),
    ),
  );
  return wb;
}
