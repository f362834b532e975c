import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { expect, test, type Download } from '@playwright/test';
import { chartsReady, trpcQuery } from './helpers.ts';
import { signInAs } from './auth.ts';

async function workbook(file: Download): Promise<ExcelJS.Worksheet> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(readFileSync((await file.path())!) as unknown as ArrayBuffer);
  return wb.worksheets[0]!;
}

test('a chart’s figures and the leniency table download as XLSX: bold frozen header, numbers as numbers', async ({ page }) => {
  await page.goto('/?from=2024-01&to=2024-12');
  await chartsReady(page);

  let download = page.waitForEvent('download');
  await page.getByTestId('chart-grades-xlsx').click();
  let file = await download;
  expect(file.suggestedFilename()).toMatch(/\.xlsx$/);
  await expect(page.locator('.el-message--success')).toBeVisible();
  let ws = await workbook(file);
  expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
  expect(ws.getRow(1).font?.bold).toBe(true);
  // Counts and shares are the API's, as numbers (the chart table shows them formatted).
  const grades = await trpcQuery<{ grades: string[]; groups: Array<{ counts: Record<string, number>; shares: Record<string, number> }> }>(page, 'distribution.grades', {
    from: '2024-01',
    to: '2024-12',
  });
  const g = grades.groups[0]!;
  grades.grades.forEach((gr, i) => {
    expect(ws.getCell(i + 2, 2).value).toBe(g.counts[gr]);
    expect(ws.getCell(i + 2, 3).value as number).toBeCloseTo(g.shares[gr]!, 3);
    expect(ws.getCell(i + 2, 3).numFmt).toMatch(/%$/);
  });
  expect(ws.getCell(2, 1).value).toBe('优');

  download = page.waitForEvent('download');
  await page.getByTestId('rater-xlsx').click();
  file = await download;
  ws = await workbook(file);
  expect(ws.getRow(1).values).toContain('评分人');
  expect(typeof ws.getCell(2, 3).value).toBe('number');
  const audit = await trpcQuery<{ rows: Array<{ action: string }> }>(page, 'admin.audit.list', { action: 'export.table' });
  expect(audit.rows.length).toBeGreaterThanOrEqual(2);
});

test('a role that may not export sees no XLSX button', async ({ page }) => {
  await signInAs(page, 'viewer');
  await page.goto('/');
  await chartsReady(page);
  await expect(page.getByTestId('chart-grades-table-toggle')).toBeVisible();
  await expect(page.getByTestId('chart-grades-xlsx')).toHaveCount(0);
});

test('a rater’s scores come a page at a time, sorted on the server, and the export holds every one in that order', async ({ page }) => {
  await page.goto('/calibration');
  await chartsReady(page, 1);
  await page.getByTestId('calib-tabs').getByRole('tab').nth(2).click();
  const table = page.getByTestId('rater-scores');
  await expect(table.locator('tbody tr').first()).toBeVisible();
  const pager = page.getByTestId('rater-scores-pager');
  const total = Number((await pager.locator('.el-pagination__total').innerText()).replace(/\D/g, ''));
  // The demo's most lenient supervisor rates more people in a month than one page shows.
  expect(total).toBeGreaterThan(50);
  await expect(table.locator('tbody tr')).toHaveCount(50);

  // Sorting by the raw score sorts all of them on the server, not the fifty on screen.
  const raw = async () => (await table.locator('tbody tr td:nth-child(3)').allInnerTexts()).map((s) => Number(s.replace(/[^\d.-]/g, '')));
  await table.locator('thead th').nth(2).click();
  await expect.poll(async () => { const r = await raw(); return r.every((x, i) => i === 0 || r[i - 1]! <= x); }).toBe(true);
  const firstPage = await raw();
  await pager.locator('.btn-next').click();
  await expect.poll(async () => (await raw())[0]).toBeGreaterThanOrEqual(firstPage.at(-1)!);
  const secondPage = await raw();
  expect(Math.min(...secondPage)).toBeGreaterThanOrEqual(Math.max(...firstPage));

  // The raters sort on the server (over every rater, then paged): fewest scores first.
  const raterTable = page.getByTestId('raters-table');
  await raterTable.locator('thead th').nth(1).click();
  const counts = async () => (await raterTable.locator('tbody tr td:nth-child(2)').allInnerTexts()).map((s) => Number(s.replace(/\D/g, '')));
  await expect.poll(async () => { const c = await counts(); return c.length > 1 && c.every((x, i) => i === 0 || c[i - 1]! <= x); }).toBe(true);

  // The raters' table exports every rater, not the page shown.
  const ratersTotal = Number((await page.getByTestId('raters-pager').locator('.el-pagination__total').innerText()).replace(/\D/g, ''));
  expect(ratersTotal).toBeGreaterThan(1);
  const ratersFile = page.waitForEvent('download');
  await page.getByTestId('raters-xlsx').click();
  expect((await workbook(await ratersFile)).rowCount).toBe(ratersTotal + 1);

  const download = page.waitForEvent('download');
  await page.getByTestId('rater-scores-xlsx').click();
  const ws = await workbook(await download);
  expect(ws.rowCount).toBe(total + 1);
  const exported = Array.from({ length: total }, (_, i) => ws.getCell(i + 2, 3).value as number);
  expect(exported.every((x, i) => typeof x === 'number' && (i === 0 || exported[i - 1]! <= x))).toBe(true);
  expect(exported.slice(50, 100).map((x) => Math.round(x * 100) / 100)).toEqual(secondPage);
});
