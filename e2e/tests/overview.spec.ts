import { expect, test } from '@playwright/test';
import { chartsReady, gradeCounts, sum, trpcQuery, type Counts } from './helpers.ts';

interface Grades {
  groups: Array<{ key: string; total: number; counts: Counts }>;
}

test('overview renders every chart with the real numbers of the demo company', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await chartsReady(page);

  const overview = await trpcQuery<{ employees: number; assessments: number }>(page, 'meta.overview');
  expect(overview.employees).toBeGreaterThan(0);
  await expect(page.getByTestId('count-employees').locator('.value')).toHaveAttribute('data-value', String(overview.employees));

  // The chart shows exactly what the API says for the unfiltered company.
  const api = await trpcQuery<Grades>(page, 'distribution.grades', { cycle: 'month' });
  // The records card counts the records in the filter (graded and ungraded, in the shown cycle).
  const records = api.groups[0]!.total + (api as unknown as { ungraded: number }).ungraded;
  await expect(page.getByTestId('count-assessments').locator('.value')).toHaveAttribute('data-value', String(records));
  expect(records).toBeLessThanOrEqual(overview.assessments);
  const counts = await gradeCounts(page);
  expect(counts).toEqual(api.groups[0]!.counts);
  expect(sum(counts)).toBe(api.groups[0]!.total);
  expect(sum(counts)).toBeGreaterThan(100);

  for (const id of ['chart-grades', 'chart-scores', 'chart-trend', 'chart-box'])
    await expect(page.getByTestId(id), id).toHaveAttribute('data-state', 'ok');
  expect(Number(await page.getByTestId('chart-trend').getAttribute('data-groups'))).toBeGreaterThan(3);
  expect(Number(await page.getByTestId('chart-box').getAttribute('data-units'))).toBeGreaterThan(1);
  await expect(page.getByTestId('score-stats')).toContainText('n = ');
  // The leniency table is paged by the server: page 2 shows the API's second page of raters.
  const raterRows = page.getByTestId('rater-table').locator('tbody tr');
  await expect(raterRows.first()).toBeVisible();
  const p2 = await trpcQuery<{ total: number; raters: Array<{ raterId: string }> }>(page, 'distribution.raters', { cycle: 'month', page: 2, pageSize: 10 });
  expect(p2.total).toBeGreaterThan(10);
  await page.getByTestId('rater-pager').locator('.el-pager li', { hasText: /^2$/ }).click();
  await expect(raterRows.first()).toContainText(p2.raters[0]!.raterId);
  await expect(page.getByTestId('rater-pager')).toContainText(String(p2.total));
  // Every section of the navigation is a live page.
  for (const s of ['overview', 'calibration', 'policy', 'simulation', 'data'])
    await expect(page.getByTestId(`nav-${s}`)).not.toHaveAttribute('aria-disabled', 'true');
  expect(errors).toEqual([]);
});

test('filters change the grade chart, live in the URL, and the back button undoes them', async ({ page }) => {
  await page.goto('/');
  await chartsReady(page);
  const all = await gradeCounts(page);

  // Role
  await page.getByTestId('filter-role').click();
  await page.locator('.filter-role-popper').getByTestId('role-option-sales').click();
  await expect(page).toHaveURL(/role=sales/);
  await chartsReady(page);
  const sales = await trpcQuery<Grades>(page, 'distribution.grades', { cycle: 'month', role: 'sales' });
  await expect.poll(() => gradeCounts(page)).toEqual(sales.groups[0]!.counts);
  expect(sum(sales.groups[0]!.counts)).toBeLessThan(sum(all));

  // Org unit (subtree), picked in the tree
  const units = await trpcQuery<Array<{ id: string; name: string; depth: number }>>(page, 'meta.orgUnits');
  const unit = units.find((u) => u.depth === 1)!;
  await page.getByTestId('filter-org').first().click();
  await page.locator('.el-popper.filter-org-popper').getByRole('option', { name: unit.name, exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`org=${encodeURIComponent(unit.id)}`));
  await chartsReady(page);
  const both = await trpcQuery<Grades>(page, 'distribution.grades', { cycle: 'month', role: 'sales', orgUnitId: unit.id });
  await expect.poll(() => gradeCounts(page)).toEqual(both.groups[0]!.counts);

  // Period range: a shared link opens with the same filters
  const periods = await trpcQuery<Array<{ id: string; kind: string }>>(page, 'meta.periods');
  const months = periods.filter((p) => p.kind === 'month').map((p) => p.id);
  const from = months[months.length - 6]!;
  await page.goto(`/?from=${from}&role=sales`);
  await chartsReady(page);
  const recent = await trpcQuery<Grades>(page, 'distribution.grades', { cycle: 'month', role: 'sales', from });
  await expect.poll(() => gradeCounts(page)).toEqual(recent.groups[0]!.counts);
  await expect(page.getByTestId('filter-from')).toContainText(from);

  // Back: the org + role view again
  await page.goBack();
  await expect(page).toHaveURL(/org=/);
  await chartsReady(page);
  await expect.poll(() => gradeCounts(page)).toEqual(both.groups[0]!.counts);
});

test('drill-down lists the employees behind a grade bar, sorted and paged on the server', async ({ page }) => {
  await page.goto('/');
  await chartsReady(page);
  const counts = await gradeCounts(page);

  // Click the bottom of bar C (index 2 of 5) inside the grid (left 56, right 24, bottom 64).
  const box = (await page.getByTestId('chart-grades').boundingBox())!;
  const plotW = box.width - 56 - 24;
  await page.mouse.click(box.x + 56 + plotW * (2.5 / 5), box.y + box.height - 64 - 3);
  const drawer = page.getByTestId('drill-table');
  await expect(drawer).toBeVisible();
  await expect(page.getByTestId('drill-total')).toHaveAttribute('data-total', String(counts.C));

  const scores = async () =>
    (await page.getByTestId('drill-table').getByTestId('drill-score').allInnerTexts()).map((s) => Number(s.replace(/,/g, '')));
  // Default: score descending
  await expect.poll(async () => (await scores()).length).toBe(Math.min(20, counts.C));
  const desc = await scores();
  expect(desc).toEqual([...desc].sort((a, b) => b - a));

  // Sort ascending by clicking the score header's ascending caret
  await page.getByTestId('drill-table').locator('th', { hasText: /得分|Score/ }).locator('.ascending').click();
  await expect.poll(async () => (await scores())[0]).toBeLessThan(desc[desc.length - 1]! + 0.0001);
  const asc = await scores();
  expect(asc).toEqual([...asc].sort((a, b) => a - b));

  // Page 2 continues where page 1 stopped
  await page.getByTestId('drill-pager').locator('.el-pager li', { hasText: /^2$/ }).click();
  await expect.poll(async () => (await scores())[0]).toBeGreaterThanOrEqual(asc[asc.length - 1]!);
  const p2 = await scores();
  expect(p2).toEqual([...p2].sort((a, b) => a - b));
});

test('switching to English relabels the dashboard and is remembered', async ({ page }) => {
  await page.goto('/');
  await chartsReady(page);
  await expect(page.getByTestId('nav-overview')).toHaveText('总览');
  await page.getByTestId('lang-en').click();
  await expect(page.getByTestId('nav-overview')).toHaveText('Overview');
  await expect(page.getByTestId('count-employees')).toContainText('Employees');
  await expect(page.getByTestId('card-grades')).toContainText('Grade distribution vs guideline');
  await chartsReady(page);
  await page.reload();
  await expect(page.getByTestId('nav-data')).toHaveText('Data');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await page.getByTestId('lang-zh').click();
  await expect(page.getByTestId('nav-data')).toHaveText('数据');
});
