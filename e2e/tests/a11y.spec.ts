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
  { path: '/admin/users', ready: (page) => expect(page.getByTestId('user-table')).toBeVisible() },
  { path: '/admin/audit', ready: (page) => expect(page.getByTestId('audit-log-table')).toBeVisible() },
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

/**
 * What opens over a page is part of it too: the charts' data tables, the employee drawer, the
 * policy editor, a calibration session's move and finalise dialogs, the simulation's explanation
 * drawer. Each is scanned while open, in both languages.
 */
const DIALOGS: Array<{ name: string; open: (page: Page) => Promise<void> }> = [
  {
    name: 'overview: chart tables and the employee drawer',
    open: async (page) => {
      await page.goto('/');
      await chartsReady(page);
      for (const id of ['chart-grades', 'chart-scores', 'chart-trend', 'chart-box']) await page.getByTestId(`${id}-table-toggle`).click();
      await page.getByTestId('chart-grades-drill-1').click();
      await expect(page.getByTestId('drill-table').locator('tbody tr').first()).toBeVisible();
    },
  },
  {
    name: 'policy editor',
    open: async (page) => {
      await page.goto('/policy');
      await expect(page.locator('[data-testid^="policy-item-"]').first()).toBeVisible();
      await page.getByTestId('policy-new').click();
      await expect(page.getByRole('dialog')).toBeVisible();
    },
  },
  {
    name: 'calibration: move dialog',
    open: async (page) => {
      await page.goto('/calibration');
      await expect(page.getByTestId('groups-table')).toBeVisible();
      await page.getByTestId('session-name').locator('input').or(page.locator('input[data-testid="session-name"]')).first().fill(`a11y ${Date.now()}`);
      await page.getByTestId('save-session').click();
      await expect(page.getByTestId('session-detail')).toBeVisible();
      await page.getByTestId('session-people').locator('[data-testid^="adjust-"]').first().click();
      await expect(page.getByTestId('adjust-dialog')).toBeVisible();
    },
  },
  {
    name: 'calibration: finalise dialog',
    open: async (page) => {
      // The session saved by the step before is open in the sessions tab.
      await page.keyboard.press('Escape');
      await expect(page.getByTestId('adjust-dialog')).toBeHidden();
      await page.getByTestId('finalise').click();
      await expect(page.getByTestId('finalise-dialog')).toBeVisible();
    },
  },
  {
    name: 'simulation: explanation drawer',
    open: async (page) => {
      await page.goto('/simulation');
      await page.getByTestId('scheme-select').click();
      await page.getByTestId('scheme-opt-functional-v1').click();
      const min = page.getByTestId('band-min-A').locator('input');
      await min.fill('95');
      await min.press('Tab');
      await page.getByTestId('affected-table').locator('tbody tr').first().click();
      await expect(page.getByTestId('explain-table')).toBeVisible();
    },
  },
];

for (const lang of ['zh', 'en'] as const)
  test(`no serious or critical axe issue in open dialogs, drawers and chart tables (${lang})`, async ({ page }) => {
    await page.addInitScript((l) => localStorage.setItem('perflens.lang', l), lang);
    const found: Record<string, string[]> = {};
    for (const d of DIALOGS) {
      await d.open(page);
      await page.waitForLoadState('networkidle');
      // Dialogs and drawers slide in: scan once they stand still.
      await page.waitForTimeout(400);
      const issues = await seriousIssues(page);
      if (issues.length) found[d.name] = issues;
    }
    expect(found).toEqual({});
  });
