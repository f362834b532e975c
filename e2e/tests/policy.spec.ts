import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { chartsReady, trpcQuery } from './helpers.ts';

interface Effect {
  did: { estimate: number; ci: [number, number] } | null;
  summary: { zh: string; en: string };
}

test('create a policy in the browser, pick an outcome, see the charts and the summary', async ({ page }) => {
  await page.goto('/policy');
  await expect(page.getByTestId('policy-list')).toBeVisible();
  // The demo's two policies are listed.
  await expect(page.getByTestId('policy-item-POL-2024-MD-V2')).toBeVisible();

  await page.getByTestId('policy-new').click();
  const editor = page.getByRole('dialog', { name: '新建政策' });
  await editor.getByTestId('policy-name').locator('input').or(editor.locator('input[data-testid="policy-name"]')).first().fill('E2E 跟单一部试点');
  await editor.locator('.el-date-editor input').fill('2024-07-01');
  await editor.locator('.el-date-editor input').press('Enter');
  await editor.getByTestId('policy-scope').click();
  await page.keyboard.type('跟单一部');
  await page.getByRole('option', { name: '跟单一部', exact: true }).click();
  await editor.getByRole('heading', { name: '新建政策' }).click(); // close the dropdown
  await editor.getByTestId('policy-roles').click();
  await page.locator('.el-select-dropdown__item', { hasText: '跟单员' }).first().click();
  await editor.getByRole('heading', { name: '新建政策' }).click();
  await editor.getByTestId('policy-save').click();
  await expect(editor).toBeHidden();

  // The new policy is selected; pick order accuracy as the outcome.
  const item = page.locator('[data-testid^="policy-item-POL-"]', { hasText: 'E2E 跟单一部试点' });
  await expect(item).toBeVisible();
  await expect(item).toHaveClass(/active/);
  await page.getByTestId('policy-outcome').click();
  await page.locator('.el-select-dropdown__item', { hasText: '订单准确率（实际值）' }).first().click();

  await expect(page.getByTestId('policy-summary')).toContainText('订单准确率多上升了');
  await expect(page.getByTestId('card-did')).toBeVisible();
  await chartsReady(page, 2);

  // The page shows what the API computes for the same request.
  const id = (await item.getAttribute('data-testid'))!.replace('policy-item-', '');
  const api = await trpcQuery<Effect>(page, 'policy.effect', { policyId: id, outcome: 'kpi:order_accuracy' });
  expect(api.did!.ci[0]).toBeGreaterThan(0);
  await expect(page.getByTestId('policy-summary')).toHaveText(api.summary.zh);

  // English UI, English summary.
  await page.getByTestId('lang-en').click();
  await expect(page.getByTestId('policy-summary')).toHaveText(api.summary.en);
});

test('the executive view compares several outcomes of one policy, and both views export XLSX', async ({ page }) => {
  await page.goto('/policy');
  await page.getByTestId('policy-item-POL-2024-MD-V2').click();

  // The analysis of the chosen outcome exports as a workbook (a zip: "PK").
  await expect(page.getByTestId('policy-summary')).toBeVisible();
  let download = page.waitForEvent('download');
  await page.getByTestId('policy-export').click();
  let file = await download;
  expect(file.suggestedFilename()).toMatch(/^perflens-policy-POL-2024-MD-V2-\d{4}-\d{2}-\d{2}\.xlsx$/);
  expect(readFileSync((await file.path())!).subarray(0, 2).toString('latin1')).toBe('PK');

  await page.getByTestId('policy-tabs').getByRole('tab', { name: '高管视图' }).click();
  const exec = page.getByTestId('policy-exec');
  const cards = exec.locator('[data-testid^="exec-card-"]');
  await expect(cards.first()).toBeVisible();
  expect(await cards.count()).toBeGreaterThanOrEqual(3);

  // Each card shows what policy.brief computes; the pilot's built-in accuracy gain reads as an improvement.
  const outcomes = await Promise.all((await cards.all()).map(async (c) => (await c.getAttribute('data-testid'))!.replace('exec-card-', '')));
  const brief = await trpcQuery<{ items: Array<{ outcome: { id: string }; headline: { estimate: number | null; verdict: string } }> }>(page, 'policy.brief', {
    policyId: 'POL-2024-MD-V2',
    outcomes,
  });
  for (const it of brief.items) await expect(exec.getByTestId(`exec-card-${it.outcome.id}`)).toHaveAttribute('data-verdict', it.headline.verdict);
  await expect(exec.getByTestId('exec-card-kpi:order_accuracy')).toHaveAttribute('data-verdict', 'improved');
  await expect(exec.getByTestId('exec-card-kpi:order_accuracy')).toContainText('订单准确率');

  download = page.waitForEvent('download');
  await exec.getByTestId('exec-export').click();
  file = await download;
  expect(file.suggestedFilename()).toMatch(/\.xlsx$/);

  // English relabels the cards.
  await page.getByTestId('lang-en').click();
  await expect(exec.getByTestId('exec-card-kpi:order_accuracy')).toContainText('Improved');
});
