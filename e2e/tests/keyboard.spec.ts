import { expect, test, type Page } from '@playwright/test';
import { chartsReady, gradeCounts, trpcQuery } from './helpers.ts';

/*
 * A person without a mouse (or a screen reader user) can do what the charts and lists offer:
 * pick a policy, drill down from a chart, read a chart's figures as a table, sort a table.
 */

/** The test id of the element that has the focus, or of its nearest ancestor with one. */
const focusedIn = (page: Page) => page.evaluate(() => document.activeElement?.closest('[data-testid]')?.getAttribute('data-testid') ?? null);

/** Presses Tab until the focus is inside the element with test id `id` (at most `max` times). */
async function tabTo(page: Page, id: string, max = 20): Promise<void> {
  for (let i = 0; i < max; i++) {
    if ((await focusedIn(page)) === id) return;
    await page.keyboard.press('Tab');
  }
  expect(await focusedIn(page), `Tab reaches ${id}`).toBe(id);
}

/** "1,234" or "12.5%" → 1234 / 12.5 */
const figure = (s: string) => Number(s.replace(/[,%\s]/g, ''));

test('the policy list is operated with the keyboard alone: Tab to a policy, Enter picks it, arrows move', async ({ page }) => {
  await page.goto('/policy');
  const items = page.locator('[data-testid^="policy-item-"]');
  await expect(items.nth(1)).toBeVisible();
  const ids = await items.evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')!.replace('policy-item-', '')));
  await expect(items.nth(0)).toHaveClass(/active/);

  // From the "new policy" button, Tab goes through the list; the first stop in the second policy
  // must be the policy itself (its button), not its edit or delete action.
  await page.getByTestId('policy-new').focus();
  await page.keyboard.press('Tab');
  await tabTo(page, `policy-pick-${ids[0]}`, 2);
  await page.keyboard.press('Tab'); // edit
  await page.keyboard.press('Tab'); // delete
  await page.keyboard.press('Tab');
  expect(await focusedIn(page)).toBe(`policy-pick-${ids[1]}`);
  // The focus is visible where it is.
  expect(await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)).not.toBe('none');

  await page.keyboard.press('Enter');
  await expect(items.nth(1)).toHaveClass(/active/);
  await expect(page.getByTestId(`policy-pick-${ids[1]}`)).toHaveAttribute('aria-current', 'true');
  await expect(page.getByTestId(`policy-pick-${ids[0]}`)).not.toHaveAttribute('aria-current', 'true');
  await expect(page.getByTestId('policy-editor')).toBeHidden();
  // …and the analysis is the second policy's, as the API computes it.
  const second = await trpcQuery<{ summary: { zh: string } }>(page, 'policy.effect', { policyId: ids[1], outcome: 'score', unit: 'auto' });
  await expect(page.getByTestId('policy-summary')).toHaveText(second.summary.zh);

  // ↑ moves the focus back to the first policy; Space picks it.
  await page.keyboard.press('ArrowUp');
  expect(await focusedIn(page)).toBe(`policy-pick-${ids[0]}`);
  await page.keyboard.press('Space');
  await expect(items.nth(0)).toHaveClass(/active/);
  await expect(page.getByTestId(`policy-pick-${ids[0]}`)).toHaveAttribute('aria-current', 'true');
  const first = await trpcQuery<{ summary: { zh: string } }>(page, 'policy.effect', { policyId: ids[0], outcome: 'score', unit: 'auto' });
  await expect(page.getByTestId('policy-summary')).toHaveText(first.summary.zh);
});

test('a chart drills down from the keyboard: its data table lists each bar as a button', async ({ page }) => {
  await page.goto('/');
  await chartsReady(page);
  const counts = await gradeCounts(page);

  // Tab from the grade chart's heading area to its table toggle, open it with Enter.
  await page.getByTestId('card-grades').locator('h3').click();
  await tabTo(page, 'chart-grades-table-toggle');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('chart-grades-table')).toBeVisible();
  await expect(page.getByTestId('chart-grades-table-toggle')).toHaveAttribute('aria-expanded', 'true');

  // The third grade (中 / C): Tab to its row's button and press Enter: the same employee list a
  // click on the bar opens, with as many rows as the bar counts.
  await tabTo(page, 'chart-grades-drill-2');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('drill-table')).toBeVisible();
  await expect(page.getByTestId('drill-total')).toHaveAttribute('data-total', String(counts.C));
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('drill-table')).toBeHidden();

  // The org-unit box plot: Space on a unit's button lists that unit's employees.
  await page.getByTestId('card-box').locator('h3').click();
  await tabTo(page, 'chart-box-table-toggle');
  await page.keyboard.press('Space');
  await tabTo(page, 'chart-box-drill-1', 40);
  const unit = (await page.getByTestId('chart-box-drill-1').innerText()).trim();
  expect(unit.length).toBeGreaterThan(0);
  await page.keyboard.press('Space');
  await expect(page.getByTestId('drill-selection')).toContainText(`: ${unit} ·`);
  await expect(page.getByTestId('drill-table')).toBeVisible();
});

test("a chart's table alternative shows the chart's own figures, and the chart is named by a summary", async ({ page }) => {
  await page.goto('/');
  await chartsReady(page);
  const counts = await gradeCounts(page);

  // The drawing is an image whose accessible name summarises it.
  const figureName = await page.getByTestId('chart-grades-figure').getAttribute('aria-label');
  expect(figureName).toContain('等级分布与指导比例');
  expect(figureName).toContain(counts.A.toLocaleString('zh-CN'));

  await page.getByTestId('chart-grades-table-toggle').click();
  const table = page.getByTestId('chart-grades-table');
  await expect(table.locator('caption')).toContainText('等级分布与指导比例');
  const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('th, td')].map((c) => c.textContent!.trim())));
  expect(rows.map((r) => r[0])).toEqual(['优', '良', '中', '基本合格', '不合格']);
  // Counts as the chart's data says them; shares add up to 100%.
  expect(rows.map((r) => figure(r[1]!))).toEqual([counts.A, counts.B, counts.C, counts.D, counts.E]);
  expect(Math.abs(rows.reduce((a, r) => a + figure(r[2]!), 0) - 100)).toBeLessThan(0.6);

  // Every other chart of the page has its table too, one row per category the chart draws.
  for (const [id, attr] of [['chart-trend', 'data-groups'], ['chart-box', 'data-units']] as const) {
    await page.getByTestId(`${id}-table-toggle`).click();
    const n = Number(await page.getByTestId(id).getAttribute(attr));
    await expect(page.getByTestId(`${id}-table`).locator('tbody tr')).toHaveCount(n);
  }
  // In English the table speaks English.
  await page.getByTestId('lang-en').click();
  await expect(table.locator('caption')).toContainText('Grade distribution vs guideline');
  await expect(page.getByTestId('chart-grades-table-toggle')).toHaveText('Hide the table');
});

test('tables sort by their headers: the leniency table (this page) and the calibration people list', async ({ page }) => {
  await page.goto('/');
  await chartsReady(page);
  const raters = page.getByTestId('rater-table');
  await expect(raters.locator('tbody tr').nth(2)).toBeVisible();
  // Column 2 is n (the server orders the page by z, not by n).
  const ns = async () => (await raters.locator('tbody tr td:nth-child(2) .num').allInnerTexts()).map(figure);
  await page.getByTestId('rater-sort-n').click();
  const up = await ns();
  expect(up).toEqual([...up].sort((a, b) => a - b));
  await expect(raters.locator('th').nth(1)).toHaveAttribute('aria-sort', 'ascending');
  await page.getByTestId('rater-sort-n').click();
  const down = await ns();
  expect(down).toEqual([...up].sort((a, b) => b - a));
  await expect(raters.locator('th').nth(1)).toHaveAttribute('aria-sort', 'descending');

  // An el-table: the proposal's people sorted by score, numerically.
  await page.goto('/calibration');
  const people = page.getByTestId('people-table');
  await expect(people.locator('tbody tr').nth(2)).toBeVisible();
  const header = people.locator('thead th', { hasText: /^分数$/ });
  const column = (await header.getAttribute('class'))!.split(/\s+/).find((c) => /column_\d+/.test(c))!;
  const scores = async () => (await people.locator(`tbody td.${column}`).allInnerTexts()).map(figure);
  await header.click();
  await expect(header).toHaveClass(/ascending/);
  const asc = await scores();
  expect(asc.length).toBeGreaterThan(2);
  expect(asc).toEqual([...asc].sort((a, b) => a - b));
  await header.click();
  await expect(header).toHaveClass(/descending/);
  expect(await scores()).toEqual([...asc].sort((a, b) => b - a));
});

test('calibration rows a click selects are selected from the keyboard too: a group, a rater', async ({ page }) => {
  await page.goto('/calibration');
  await expect(page.getByTestId('groups-table')).toBeVisible();
  const picks = page.locator('[data-testid^="group-pick-"]');
  await expect(picks.nth(1)).toBeVisible();
  const key = (await picks.nth(1).getAttribute('data-testid'))!.replace('group-pick-', '');
  const label = (await picks.nth(1).innerText()).trim();
  // Tab from the first group's button to the second's; Enter selects it and its chart follows.
  await picks.nth(0).focus();
  await tabTo(page, `group-pick-${key}`, 3);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId(`group-row-${key}`)).toHaveClass(/selected/);
  await expect(picks.nth(1)).toHaveAttribute('aria-pressed', 'true');
  await expect(page.locator('.card', { has: page.getByTestId('chart-group') }).locator('h3')).toContainText(label);

  // The raters tab (the most lenient rater is shown first): Space on the second rater's name
  // shows that rater's scores instead.
  await page.getByTestId('calib-tabs').getByRole('tab').nth(2).click();
  const raters = page.locator('[data-testid^="rater-pick-"]');
  await expect(raters.nth(1)).toBeVisible();
  await expect(raters.nth(0)).toHaveAttribute('aria-pressed', 'true');
  const id = (await raters.nth(1).getAttribute('data-testid'))!.replace('rater-pick-', '');
  // The button reads "name id" (or the id alone); the scores' heading names the rater.
  const name = (await raters.nth(1).innerText()).replace(id, '').trim() || id;
  await raters.nth(0).focus();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Space');
  await expect(raters.nth(1)).toHaveAttribute('aria-pressed', 'true');
  await expect(raters.nth(0)).toHaveAttribute('aria-pressed', 'false');
  await expect(page.locator('.card', { has: page.getByTestId('rater-scores') }).locator('h3')).toContainText(name);
});
