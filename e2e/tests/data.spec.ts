import { expect, test, type Page } from '@playwright/test';
import ExcelJS from 'exceljs';
import { confirmCreation, trpcQuery } from './helpers.ts';

interface Overview {
  employees: number;
  orgUnits: number;
  periods: number;
  assessments: number;
}

async function uploadCsv(page: Page, name: string, content: string): Promise<void> {
  await page.getByTestId('upload').locator('input[type=file]').setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(content, 'utf8') });
  await expect(page.getByTestId('preview')).toBeVisible();
}

async function chooseFlat(page: Page): Promise<void> {
  const select = page.getByTestId('target-table');
  if (!(await select.innerText()).match(/考核总表|Flat assessment sheet/)) {
    await select.click();
    await page.getByTestId('table-option-flat').click();
  }
  await expect(page.getByTestId('mapping-table')).toBeVisible();
}

/** Imports the previewed file as a flat sheet and checks the first listed error: its row number and text. */
async function expectFirstError(page: Page, row: string, text: string): Promise<void> {
  await chooseFlat(page);
  await confirmCreation(page);
  await page.getByTestId('run-import').click();
  await expect(page.getByTestId('result-failed')).toBeVisible();
  const first = page.getByTestId('error-table').locator('tbody tr').first();
  await expect(first).toContainText(text);
  expect((await first.locator('td').first().innerText()).trim()).toBe(row);
}

test('a broken file is rejected row by row and nothing is written', async ({ page }) => {
  await page.goto('/data');
  const before = await trpcQuery<Overview>(page, 'meta.overview');
  // No department column (required), a non-numeric score on data row 2, an unknown grade on row 3.
  const csv = ['工号,姓名,岗位,考核期间,得分,等级', 'X90001,测试甲,sales,2025-12,88,良', 'X90002,测试乙,sales,2025-12,abc,良', 'X90003,测试丙,sales,2025-12,75,Z'].join('\n');
  await uploadCsv(page, 'broken.csv', csv);
  await expect(page.getByTestId('preview-table')).toContainText('测试乙');
  await chooseFlat(page);
  await page.getByTestId('run-import').click();

  // The missing required column is reported first, by name, before any row is looked at.
  await expect(page.getByTestId('result-failed')).toBeVisible();
  await expect(page.getByTestId('error-table')).toContainText('部门');

  // Give the department as a constant: now the row-level problems surface, with row numbers.
  await page.getByTestId('mapping-table').locator('tr', { has: page.getByTestId('field-department') }).locator('.el-switch').click();
  await page.getByTestId('const-department').fill('E2E 测试部');
  await confirmCreation(page);
  await page.getByTestId('run-import').click();
  await expect(page.getByTestId('error-table')).toContainText('abc');
  const rows = page.getByTestId('error-table').locator('tbody tr');
  const cells = async (i: number) => (await rows.nth(i).locator('td').allInnerTexts()).map((s) => s.trim());
  const all = await Promise.all(Array.from({ length: await rows.count() }, (_, i) => cells(i)));
  // Excel numbering: header = row 1, so the bad score is on row 3 and the bad grade on row 4.
  expect(all.find((r) => r[3] === 'abc')?.slice(0, 2)).toEqual(['3', '得分']);
  expect(all.find((r) => r[3] === 'Z')?.slice(0, 2)).toEqual(['4', '等级']);
  for (const r of all) expect(r[2]!.length, 'a readable message').toBeGreaterThan(4);
  await expect(page.getByTestId('report-link')).toHaveAttribute('href', /\/api\/import-report\/.+\.csv$/);

  const after = await trpcQuery<Overview>(page, 'meta.overview');
  expect(after).toEqual(before);
});

test('a file whose structure is broken is refused by line: an unquoted comma shifts a row, a quote never closes', async ({ page }) => {
  await page.goto('/data');
  const before = await trpcQuery<Overview>(page, 'meta.overview');
  // Row 3's name holds an unquoted comma, so its fields shift one to the right.
  const wide = ['工号,姓名,部门,岗位,考核期间,得分', 'X91001,测试甲,E2E 测试部,sales,2025-12,88', 'X91002,测试,乙,E2E 测试部,sales,2025-12,80'].join('\n');
  await uploadCsv(page, 'wide.csv', wide);
  await expectFirstError(page, '3', '第 3 行：有 7 个字段，而表头只有 6 列');
  expect(await trpcQuery<Overview>(page, 'meta.overview')).toEqual(before);

  // A quote that never closes: DuckDB alone would read the file and silently drop its tail.
  await page.goto('/data');
  await page.getByTestId('upload').locator('input[type=file]').setInputFiles({ name: 'quote.csv', mimeType: 'text/csv', buffer: Buffer.from('工号,姓名,部门\nX91003,"测试丙,E2E 测试部\nX91004,测试丁,E2E 测试部\n', 'utf8') });
  await expect(page.getByTestId('data-error')).toContainText('quote.csv：第 2 行：以英文双引号开始的内容一直没有结束');
  expect(await trpcQuery<Overview>(page, 'meta.overview')).toEqual(before);
});

test('a workbook with a title above its table: the header row is found and errors name sheet rows', async ({ page }) => {
  await page.goto('/data');
  const before = await trpcQuery<Overview>(page, 'meta.overview');
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('汇总');
  ws.getRow(1).values = ['2025年12月绩效考核汇总表'];
  ws.mergeCells('A1:F1');
  ws.getRow(2).values = ['制表：人力资源部'];
  ws.getRow(3).values = ['工号', '姓名', '部门', '岗位', '考核月份', '考核得分'];
  ws.getRow(4).values = ['X92001', '测试甲', 'E2E 测试部', '销售', '2025-12', 88];
  ws.getRow(6).values = ['X92002', '测试乙', 'E2E 测试部', '销售', '2025-12', 'abc']; // row 5 left empty
  const buffer = Buffer.from(await wb.xlsx.writeBuffer());
  await page.getByTestId('upload').locator('input[type=file]').setInputFiles({ name: 'titled.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer });
  await expect(page.getByTestId('preview-header-row')).toContainText('表头在第 3 行');
  await expect(page.getByTestId('preview-table')).toContainText('测试乙');
  await expectFirstError(page, '6', 'abc');
  expect(await trpcQuery<Overview>(page, 'meta.overview')).toEqual(before);
});

test('a good flat sheet is imported and the counts rise', async ({ page }) => {
  await page.goto('/data');
  const before = await trpcQuery<Overview>(page, 'meta.overview');
  type Grades = { groups: Array<{ total: number }>; ungraded: number };
  const monthly = (g: Grades) => g.groups[0]!.total + g.ungraded;
  const recordsBefore = monthly(await trpcQuery<Grades>(page, 'distribution.grades', { cycle: 'month' }));
  const csv = [
    'Employee ID,Name,Department,Role,Period,Score,Grade',
    'X80001,E2E Alpha,E2E 测试部,sales,2025-12,92,A',
    'X80002,E2E Beta,E2E 测试部,sales,2025-12,84,B',
    'X80003,E2E Gamma,E2E 测试部,merchandiser,2025-12,73,C',
  ].join('\n');
  await uploadCsv(page, 'good.csv', csv);
  await expect(page.getByTestId('preview-rows')).toContainText('3');
  await chooseFlat(page);
  await confirmCreation(page);
  await page.getByTestId('run-import').click();
  await expect(page.getByTestId('result-ok')).toBeVisible();
  await expect(page.getByTestId('result-summary')).toContainText('3');

  const after = await trpcQuery<Overview>(page, 'meta.overview');
  expect(after.assessments).toBe(before.assessments + 3);
  expect(after.employees).toBe(before.employees + 3);
  await expect(page.getByTestId('batch-table')).toContainText('good.csv');

  // The dashboard shows the new totals (queries were invalidated, not stale): the records card
  // counts the monthly records in the filter, which the three new rows join.
  await page.getByTestId('nav-overview').click();
  await expect(page.getByTestId('count-assessments').locator('.value')).toHaveAttribute('data-value', String(recordsBefore + 3));
});

test('KPI lines: a clean file is imported, the same file again is refused as duplicates', async ({ page }) => {
  await page.goto('/data');
  const before = await trpcQuery<Overview & { kpiLines: number }>(page, 'meta.overview');
  const csv = ['工号,考核月份,指标,得分,权重', 'E000001,2025-12,e2e_kpi,91.5,20', 'E000002,2025-12,e2e_kpi,78,20'].join('\n');
  const importIt = async () => {
    await uploadCsv(page, 'kpi.csv', csv);
    const select = page.getByTestId('target-table');
    await select.click();
    await page.getByTestId('table-option-kpi_results').click();
    await expect(page.getByTestId('mapping-table')).toBeVisible();
    await page.getByTestId('run-import').click();
  };
  await importIt();
  await expect(page.getByTestId('result-ok')).toBeVisible();
  const after = await trpcQuery<Overview & { kpiLines: number }>(page, 'meta.overview');
  expect(after.kpiLines).toBe(before.kpiLines + 2);
  await expect(page.getByTestId('batch-table')).toContainText('kpi.csv');

  // Re-importing must not double-count: with the default policy the stored keys are reported by row.
  await page.goto('/data');
  await importIt();
  await expect(page.getByTestId('result-failed')).toBeVisible();
  await expect(page.getByTestId('error-table')).toContainText('已存在');
  expect((await trpcQuery<{ kpiLines: number }>(page, 'meta.overview')).kpiLines).toBe(after.kpiLines);
});
