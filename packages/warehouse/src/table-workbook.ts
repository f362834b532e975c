import ExcelJS from 'exceljs';
import { safeWorkbook } from './safe-cell.ts';

/**
 * Any table the dashboard shows, as an XLSX workbook (issue: every table exports to XLSX with
 * formatted headers, a frozen top row and numbers as numbers). The dashboard sends the table as
 * it displays it, so figures arrive formatted ("1,234", "12.5%", "−3.2"): each is read back into
 * the number it shows, with a number format that prints it the same way in Excel; anything else
 * (names, "¥4,000.00 万元", "2024-01", "–") stays text. Every text cell is made formula-safe.
 */
export interface TableExport {
  title: string;
  columns: Array<{ label: string; numeric?: boolean }>;
  rows: Array<Array<string | number | null>>;
}

/** A Unicode minus (U+2212) and thin spaces are how formatted numbers may arrive. */
const NUMBER = /^([+\-−]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(%?)$/;

/** A cell as it should be stored: a number with its format, or the text as it was. */
export function tableCell(value: string | number | null): { value: string | number | null; numFmt?: string } {
  if (value === null) return { value: null };
  if (typeof value === 'number') return Number.isFinite(value) ? { value } : { value: null };
  const text = value.trim().replace(/[\u2009\u202f]/g, '');
  const m = NUMBER.exec(text);
  // A leading zero (an employee number "007", a period "2024") is an identifier, not a quantity.
  if (!m || (/^0\d/.test(m[2]!) && !m[3])) return { value };
  const [, sign, int, frac = '', pct] = m;
  const n = Number(`${sign === '−' ? '-' : sign}${int!.replace(/,/g, '')}${frac ? `.${frac}` : ''}`);
  if (!Number.isFinite(n)) return { value };
  const decimals = frac.length ? `.${'0'.repeat(frac.length)}` : '';
  const grouped = int!.includes(',') || Math.abs(n) >= 1000 ? '#,##0' : '0';
  if (pct) return { value: n / 100, numFmt: `${grouped}${decimals}%` };
  return { value: n, numFmt: `${grouped}${decimals}` };
}

/** Excel's sheet names: at most 31 characters, none of : \ / ? * [ ]. */
function sheetName(title: string): string {
  return title.replace(/[:\\/?*[\]]/g, ' ').trim().slice(0, 31) || 'PerfLens';
}

export async function tableWorkbook(t: TableExport): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'PerfLens';
  const ws = wb.addWorksheet(sheetName(t.title));
  const header = ws.addRow(t.columns.map((c) => c.label));
  header.font = { bold: true };
  header.alignment = { vertical: 'middle', wrapText: true };
  header.eachCell((cell) => {
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFF3F4F6' } };
    cell.border = { bottom: { style: 'thin', color: { argb: 'FF9CA3AF' } } };
  });
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  const widths = t.columns.map((c) => Math.max(8, [...c.label].length * 2));
  for (const row of t.rows) {
    const cells = t.columns.map((_, i) => tableCell(row[i] ?? null));
    const r = ws.addRow(cells.map((c) => c.value));
    cells.forEach((c, i) => {
      if (c.numFmt) r.getCell(i + 1).numFmt = c.numFmt;
      // Wide characters count double so Chinese names fit their column.
      const shown = typeof row[i] === 'string' ? [...(row[i] as string)].reduce((w, ch) => w + (ch.charCodeAt(0) > 0x2e80 ? 2 : 1), 0) : String(row[i] ?? '').length;
      widths[i] = Math.max(widths[i]!, Math.min(60, shown + 2));
    });
  }
  ws.columns.forEach((col, i) => {
    col.width = widths[i];
    if (t.columns[i]?.numeric) col.alignment = { horizontal: 'right' };
  });
  if (t.rows.length) ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: t.columns.length } };
  safeWorkbook(wb);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
