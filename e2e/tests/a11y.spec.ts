import { expect, test, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { chartsReady } from './helpers.ts';

/**
 * Every page of the dashboard, in both languages, has no serious or critical accessibility issue
 * as axe-core sees it (WCAG 2.1 A and AA rules): contrast, labels, names, roles.
 */
async function seriousIssues(page: Page): Promise<string[]> {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')} ${n.html.slice(0, 60)}`).join(' | ')}`);
}

const PAGES: Array<{ path: string; ready: (page: Page) => Promise<void> }> = [
  { path: '/', ready: (page) => chartsReady(page) },
  { path: '/calibration', ready: (page) => expect(page.getByTestId('calibration-page')).toBeVisible() },
  { path: '/policy', ready: (page) => expect(page.getByTestId('policy-page')).toBeVisible() },
  { path: '/simulation', ready: (page) => expect(page.getByTestId('simulation-page')).toBeVisible() },
  { path: '/data', ready: (page) => expect(page.getByTestId('batch-table')).toBeVisible() },
  { path: '/account', ready: (page) => expect(page.getByTestId('account-page')).toBeVisible() },
];

for (const lang of ['zh', 'en'] as const)
  test(`no serious or critical axe issue on any page (${lang})`, async ({ page }) => {
    await page.addInitScript((l) => localStorage.setItem('perflens.lang', l), lang);
    const found: Record<string, string[]> = {};
    for (const p of PAGES) {
      await page.goto(p.path);
      await p.ready(page);
      // Late panels (tables filled after the first paint) are part of what a person meets.
      await page.waitForLoadState('networkidle');
      const issues = await seriousIssues(page);
      if (issues.length) found[p.path] = issues;
    }
    expect(found).toEqual({});
  });
