import { describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { tableCell, tableWorkbook } from '../src/table-workbook.ts';

describe('a displayed table as XLSX', () => {
  it('reads formatted figures back into numbers with a format that prints them the same way', () => {
    expect(tableCell('1,234')).toEqual({ value: 1234, numFmt: '#,##0' });
    expect(tableCell('12.5%')).toEqual({ value: 0.125, numFmt: '0.0%' });
    expect(tableCell('−3.20')).toEqual({ value: -3.2, numFmt: '0.00' });
    expect(tableCell('+0.45')).toEqual({ value: 0.45, numFmt: '0.00' });
    expect(tableCell('1,500,337.50')).toEqual({ value: 1500337.5, numFmt: '#,##0.00' });
    expect(tableCell(7)).toEqual({ value: 7 });
    // Identifiers, periods, units and dashes stay text.
    for (const text of ['007', '2024-01', '¥4,000.00', '150.13 万元', '–', 'E0012', '1.2.3', '']) expect(tableCell(text)).toEqual({ value: text });
  });

  it('writes a bold, frozen header, numbers as numbers, and neutralises formulas in names', async () => {
    const buf = await tableWorkbook({
      title: 'Rater leniency: 2024/Q1 [all]',
      columns: [{ label: '评分人' }, { label: 'n', numeric: true }, { label: 'A share', numeric: true }],
      rows: [
        ['张三', '1,234', '12.5%'],
        ['=HYPERLINK("http://x","click")', '5', '0.0%'],
        ['@SUM(A1)', null, '–'],
      ],
    });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    expect(ws.name).toBe('Rater leniency  2024 Q1  all');
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(ws.getRow(1).font?.bold).toBe(true);
    expect(ws.getRow(1).values).toEqual([undefined, '评分人', 'n', 'A share']);
    expect(ws.getCell('B2').value).toBe(1234);
    expect(ws.getCell('B2').numFmt).toBe('#,##0');
    expect(ws.getCell('C2').value).toBe(0.125);
    expect(ws.getCell('C2').numFmt).toBe('0.0%');
    expect(ws.getCell('A3').value).toBe(`'=HYPERLINK("http://x","click")`);
    expect(ws.getCell('A4').value).toBe(`'@SUM(A1)`);
    expect(ws.getCell('B4').value).toBeNull();
    expect(ws.getCell('C4').value).toBe('–');
  });
});
