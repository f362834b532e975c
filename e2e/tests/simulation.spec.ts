import { expect, test } from '@playwright/test';
import { chartsReady, trpcQuery } from './helpers.ts';

interface Run {
  rows: number;
  changed: number;
  shareChanged: number;
  cost: { delta: string };
  matrix: Array<{ from: string; to: string; count: number }>;
}

/** Sets an el-input-number and commits it (the model updates on change/blur). */
async function setNumber(page: import('@playwright/test').Page, testId: string, value: number): Promise<void> {
  const input = page.getByTestId(testId).locator('input');
  await input.fill(String(value));
  await input.press('Tab');
}

async function settled(page: import('@playwright/test').Page): Promise<void> {
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-running', 'false');
  await expect(page.getByTestId('run-status')).toContainText('毫秒');
}

/** The page formats shares as Intl does for zh-CN (the number as written, half up). */
const pct1 = (x: number) => new Intl.NumberFormat('zh-CN', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(x);

test('edit a weight, see the migration and the cost change, save, reload and compare', async ({ page }) => {
  await page.goto('/simulation');
  await page.getByTestId('scheme-select').click();
  await page.locator('.el-select-dropdown__item', { hasText: '(merchandiser-v1)' }).first().click();
  await expect(page.getByTestId('weight-customer_satisfaction')).toBeVisible();
  await settled(page);
  // Unedited scheme against itself: nobody moves, no cost change.
  await expect(page.getByTestId('share-changed')).toHaveText('0.0%');
  await expect(page.getByTestId('cost-delta')).toHaveText('+¥0.00');
  await expect(page.getByTestId('nobody-affected')).toBeVisible();
  await expect(page.getByTestId('no-cost-change')).toBeVisible();

  // Satisfaction 30 → 40: the live sum shows 110 and says what to fix; nothing is run.
  await setNumber(page, 'weight-customer_satisfaction', 40);
  await expect(page.getByTestId('weight-sum')).toContainText('110');
  await expect(page.getByTestId('weight-error')).toContainText('-10');
  // Accuracy 30 → 20 makes it 100 again and the run follows.
  await setNumber(page, 'weight-order_accuracy', 20);
  await expect(page.getByTestId('weight-error')).toHaveCount(0);
  await expect(page.getByTestId('share-changed')).not.toHaveText('0.0%');
  await settled(page);
  await expect(page.getByTestId('nobody-affected')).toHaveCount(0);
  await expect(page.getByTestId('no-cost-change')).toHaveCount(0);

  // The page shows what the API computes for the same edit.
  const base = await trpcQuery<{ kpis: Array<{ code: string; weight: number }> }>(page, 'scheme.get', { id: 'merchandiser-v1' });
  const scheme = { ...base, kpis: base.kpis.map((k) => (k.code === 'customer_satisfaction' ? { ...k, weight: 40 } : k.code === 'order_accuracy' ? { ...k, weight: 20 } : k)) };
  const run = await trpcQuery<Run>(page, 'simulation.run', { baseSchemeId: 'merchandiser-v1', scheme });
  expect(run.changed).toBeGreaterThan(0);
  await expect(page.getByTestId('share-changed')).toHaveText(pct1(run.shareChanged));
  const moved = run.matrix.find((c) => c.from !== c.to)!;
  await expect(page.getByTestId(`cell-${moved.from}-${moved.to}`)).toHaveText(moved.count.toLocaleString('zh-CN'));
  expect(Number(run.cost.delta)).not.toBe(0);
  await expect(page.getByTestId('cost-delta')).toContainText(Math.abs(Number(run.cost.delta)).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 }));
  await chartsReady(page, 1);

  // Drill-down: the line-by-line explanation under both schemes.
  await page.getByTestId('affected-table').locator('tbody tr').first().click();
  const drawer = page.getByTestId('explain-table');
  await expect(drawer).toContainText('× 40%');
  await expect(drawer).toContainText('× 30%');
  await page.keyboard.press('Escape');

  // Save, reload, compare with a second saved scenario.
  await page.getByTestId('scenario-name').locator('input').or(page.locator('input[data-testid="scenario-name"]')).first().fill('E2E 满意度 40');
  await page.getByTestId('save-scenario').click();
  await expect(page.getByTestId('pick-E2E 满意度 40')).toBeVisible();
  await setNumber(page, 'band-min-A', 95);
  await settled(page);
  await page.getByTestId('scenario-name').locator('input').or(page.locator('input[data-testid="scenario-name"]')).first().fill('E2E 优秀 95');
  await page.getByTestId('save-scenario').click();
  await expect(page.getByTestId('pick-E2E 优秀 95')).toBeVisible();

  await page.reload();
  await page.getByTestId('pick-E2E 满意度 40').click();
  await page.getByTestId('pick-E2E 优秀 95').click();
  await page.getByTestId('compare').click();
  const table = page.getByTestId('compare-table');
  await expect(table).toContainText('E2E 满意度 40');
  await expect(table).toContainText('E2E 优秀 95');
  await expect(table).toContainText(pct1(run.shareChanged));

  const download = page.waitForEvent('download');
  await page.getByTestId('export-xlsx').click();
  expect((await download).suggestedFilename()).toMatch(/^perflens-scenarios-.*\.xlsx$/);
});
