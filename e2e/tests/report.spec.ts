import { execFileSync } from 'node:child_process';
import { expect, test, type Page } from '@playwright/test';
import { trpcQuery } from './helpers.ts';

interface Effect {
  policy: { name: string };
  summary: { zh: string; en: string };
}

/** Picks a month in one of the dialog's period selects (only the open dropdown's options are visible). */
async function pickMonth(page: Page, testId: string, month: string): Promise<void> {
  const select = page.getByTestId('report-dialog').getByTestId(testId);
  await expect(async () => {
    await select.click();
    await page.locator('.el-select-dropdown__item:visible', { hasText: new RegExp(`^${month}$`) }).click({ timeout: 2000 });
    await expect(select).toContainText(month, { timeout: 1000 });
  }).toPass({ timeout: 15_000 });
}

/** The PDF's text as pdftotext extracts it, whitespace collapsed (wrapped cells read as one run). */
function pdfText(file: string): string {
  return execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
}

test('the Policy page downloads the PDF report of the chosen policy, in the chosen language', async ({ page }) => {
  await page.goto('/policy');
  await page.getByTestId('policy-item-POL-2024-MD-V2').click();
  await expect(page.getByTestId('policy-summary')).toBeVisible();

  await page.getByTestId('policy-report').click();
  const dialog = page.getByTestId('report-dialog');
  await expect(dialog).toBeVisible();
  // A styled dialog (Element's CSS loaded), with the chosen policy already selected.
  expect(await dialog.evaluate((el) => getComputedStyle(el).position)).not.toBe('static');
  await expect(dialog.getByTestId('report-policies')).toContainText('跟单');

  // A range that runs backwards is caught before anything is asked of the server.
  await pickMonth(page, 'report-from', '2025-06');
  await pickMonth(page, 'report-to', '2024-01');
  await expect(dialog.getByRole('alert')).toContainText('起始期间晚于结束期间');
  await expect(dialog.getByTestId('report-create')).toBeDisabled();
  await pickMonth(page, 'report-to', '2025-12');

  await dialog.getByTestId('report-lang').getByText('English').click();
  const download = page.waitForEvent('download');
  await dialog.getByTestId('report-create').click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^perflens-report-\d{4}-\d{2}-\d{2}-en\.pdf$/);
  await expect(dialog).toBeHidden();
  await expect(page.locator('.el-message--success')).toBeVisible();

  const text = pdfText((await file.path())!);
  expect(text).toContain('Performance analysis report');
  expect(text).toContain('2025-06 – 2025-12');
  // The policy section carries the analysis the page shows (the page's outcome: the score).
  const effect = await trpcQuery<Effect>(page, 'policy.effect', { policyId: 'POL-2024-MD-V2', outcome: 'score' });
  expect(text).toContain(effect.policy.name);
  expect(text).toContain(effect.summary.en.replace(/\s+/g, ' ').slice(0, 40));
});

test('the Overview page’s report follows the filters and is in Chinese by default', async ({ page }) => {
  await page.goto('/?from=2024-01&to=2024-12');
  await page.getByTestId('overview-report').click();
  const dialog = page.getByTestId('report-dialog');
  await expect(dialog.getByTestId('report-from')).toContainText('2024-01');
  const download = page.waitForEvent('download');
  await dialog.getByTestId('report-create').click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/-zh\.pdf$/);
  const text = pdfText((await file.path())!);
  expect(text).toContain('绩效分析报告');
  expect(text).toContain('2024-01 – 2024-12');
  const grades = await trpcQuery<{ ungraded: number; groups: Array<{ total: number }> }>(page, 'distribution.grades', { from: '2024-01', to: '2024-12' });
  expect(text).toContain((grades.groups[0]!.total + grades.ungraded).toLocaleString('en-US'));
});
