import { expect, test, type Locator, type Page } from '@playwright/test';
import { chartsReady, chooseTable, trpcQuery, uploadFile } from './helpers.ts';

/**
 * What a user sees, beyond "the data is right" (issue 18): confirmations and toasts are styled,
 * every page works at phone width, figures carry their units, and the summary counts follow the
 * filters.
 */

const PHONE = { width: 390, height: 844 };
const PAGES = ['/', '/calibration', '/policy', '/simulation', '/data'] as const;

interface Grades {
  ungraded: number;
  groups: Array<{ total: number }>;
}
interface Brief {
  items: Array<{ outcome: { id: string }; headline: { estimate: number | null; ci: [number, number] | null }; summary: { zh: string; en: string } }>;
}

/** Computed style of the first element matching `selector` (inside the page, as the browser draws it). */
async function styleOf(loc: Locator, props: string[]): Promise<Record<string, string>> {
  return loc.evaluate((el, ps) => {
    const s = getComputedStyle(el);
    return Object.fromEntries(ps.map((p) => [p, s.getPropertyValue(p)]));
  }, props);
}

const transparent = (c: string) => c === '' || c === 'transparent' || /rgba\(\s*0,\s*0,\s*0,\s*0\s*\)/.test(c);

/** Waits until the page shows its own content (not only the header). */
async function pageReady(page: Page, path: (typeof PAGES)[number]): Promise<void> {
  const marker = { '/': 'overview', '/calibration': 'calib-tabs', '/policy': 'policy-list', '/simulation': 'simulation-page', '/data': 'batches' }[path];
  await expect(page.getByTestId(marker).first()).toBeVisible();
  if (path === '/') await chartsReady(page);
  // Lazy panels and charts settle (fonts, ECharts' first layout).
  await page.waitForLoadState('networkidle');
}

async function pageWidth(page: Page): Promise<number> {
  return page.evaluate(() => document.scrollingElement!.scrollWidth);
}

test('a confirmation is a styled, centred dialog and a toast is a styled message, not text under the footer', async ({ page }) => {
  await page.goto('/policy');
  await expect(page.getByTestId('policy-list')).toBeVisible();

  // Saving a policy says so in a toast.
  await page.getByTestId('policy-new').click();
  const editor = page.getByRole('dialog', { name: /新建政策|New policy/ });
  await editor.locator('input[data-testid="policy-name"]').or(editor.getByTestId('policy-name').locator('input')).first().fill('E2E 样式检查');
  await editor.locator('.el-date-editor input').fill('2024-03-01');
  await editor.locator('.el-date-editor input').press('Enter');
  await editor.getByTestId('policy-save').click();
  const toast = page.locator('.el-message--success').first();
  await expect(toast).toBeVisible();
  const ts = await styleOf(toast, ['position', 'background-color', 'top', 'display']);
  expect(ts.position, 'a toast floats over the page').toBe('fixed');
  expect(transparent(ts['background-color']!), `toast background ${ts['background-color']}`).toBe(false);
  const tb = (await toast.boundingBox())!;
  const vw = page.viewportSize()!.width;
  expect(tb.y, 'the toast is at the top of the window').toBeLessThan(120);
  expect(Math.abs(tb.x + tb.width / 2 - vw / 2), 'the toast is centred').toBeLessThan(4);

  // Deleting it asks first, in a styled box over a dimmed page, centred in the window.
  const item = page.locator('[data-testid^="policy-item-"]', { hasText: 'E2E 样式检查' });
  await expect(item).toBeVisible();
  await item.getByRole('button', { name: /删除|Delete/ }).click();
  const box = page.locator('.el-message-box');
  await expect(box).toBeVisible();
  const bs = await styleOf(box, ['background-color', 'border-radius', 'box-shadow']);
  expect(transparent(bs['background-color']!), `box background ${bs['background-color']}`).toBe(false);
  expect(bs['box-shadow']).not.toBe('none');
  const overlay = page.locator('.el-overlay.is-message-box');
  const os = await styleOf(overlay, ['position', 'background-color', 'z-index']);
  expect(os.position).toBe('fixed');
  expect(transparent(os['background-color']!), 'the page behind is dimmed').toBe(false);
  const bb = (await box.boundingBox())!;
  const vh = page.viewportSize()!.height;
  expect(Math.abs(bb.x + bb.width / 2 - vw / 2), 'the box is centred horizontally').toBeLessThan(4);
  expect(bb.y).toBeGreaterThan(0);
  expect(bb.y + bb.height).toBeLessThan(vh);
  // Its buttons are Element Plus buttons, the confirm one primary.
  await expect(box.locator('.el-button--primary')).toBeVisible();
  await box.locator('.el-button--primary').click();
  await expect(box).toBeHidden();
  await expect(item).toHaveCount(0);
});

test.describe('phone width (390 px)', () => {
  test.use({ viewport: PHONE });

  test('no page scrolls sideways; the navigation is one row and the language switch is on screen', async ({ page }) => {
    for (const path of PAGES) {
      await page.goto(path);
      await pageReady(page, path);
      expect(await pageWidth(page), `${path} is no wider than the phone`).toBeLessThanOrEqual(PHONE.width + 1);

      // Each navigation label on one line (not one character per line), in a single row.
      const nav = page.getByTestId('nav');
      const items = nav.locator('.nav-item');
      const n = await items.count();
      expect(n).toBeGreaterThanOrEqual(5);
      const tops = new Set<number>();
      for (let i = 0; i < n; i++) {
        const b = (await items.nth(i).boundingBox())!;
        expect(b.height, `nav item ${i} on ${path} is one line`).toBeLessThan(40);
        tops.add(Math.round(b.y));
      }
      expect(tops.size, `the navigation on ${path} is one row`).toBe(1);

      // The language switch is inside the screen.
      for (const id of ['lang-zh', 'lang-en']) {
        const b = (await page.getByTestId(id).boundingBox())!;
        expect(b.x, `${id} on ${path}`).toBeGreaterThanOrEqual(0);
        expect(b.x + b.width, `${id} on ${path}`).toBeLessThanOrEqual(PHONE.width);
      }
    }
    // …and it works: the navigation scrolls, the switch switches.
    await page.getByTestId('lang-en').click();
    await expect(page.getByTestId('nav-overview')).toHaveText('Overview');
    await page.getByTestId('nav-data').scrollIntoViewIfNeeded();
    await page.getByTestId('nav-data').click();
    await expect(page).toHaveURL(/\/data$/);
    expect(await pageWidth(page)).toBeLessThanOrEqual(PHONE.width + 1);
  });

  test('charts are full width and stacked; the executive view reads as one column', async ({ page }) => {
    await page.goto('/');
    await chartsReady(page);
    const boxes = await Promise.all(['chart-grades', 'chart-scores', 'chart-trend', 'chart-box'].map(async (id) => (await page.getByTestId(id).boundingBox())!));
    for (const b of boxes) {
      expect(b.width, 'a chart takes the width of the phone').toBeGreaterThan(PHONE.width * 0.8);
      expect(b.x + b.width).toBeLessThanOrEqual(PHONE.width);
    }
    for (let i = 1; i < boxes.length; i++) expect(boxes[i]!.y, 'charts are stacked').toBeGreaterThan(boxes[i - 1]!.y + boxes[i - 1]!.height - 1);

    await page.goto('/policy');
    await page.getByTestId('policy-item-POL-2024-MD-V2').click();
    await page.getByRole('tab', { name: /高管视图|Executive/ }).click();
    const cards = page.locator('[data-testid^="exec-card-"]');
    await expect(cards.first()).toBeVisible();
    const c0 = (await cards.nth(0).boundingBox())!;
    const c1 = (await cards.nth(1).boundingBox())!;
    expect(c0.width).toBeGreaterThan(PHONE.width * 0.8);
    expect(c1.y, 'one card per row').toBeGreaterThan(c0.y + c0.height - 1);
    expect(await pageWidth(page)).toBeLessThanOrEqual(PHONE.width + 1);
  });

  test('a confirmation fits the phone screen', async ({ page }) => {
    await page.goto('/policy');
    await page.getByTestId('policy-item-POL-2024-MD-V2').getByRole('button', { name: /删除|Delete/ }).click();
    const box = page.locator('.el-message-box');
    await expect(box).toBeVisible();
    const b = (await box.boundingBox())!;
    expect(b.x, 'the box starts on screen').toBeGreaterThanOrEqual(0);
    expect(b.x + b.width, 'the box ends on screen').toBeLessThanOrEqual(PHONE.width);
    await box.getByRole('button', { name: /取消|Cancel/ }).click();
    await expect(box).toBeHidden();
    await expect(page.getByTestId('policy-item-POL-2024-MD-V2')).toBeVisible();
  });

  test('the mapping table on the Data page scrolls inside its own box', async ({ page }) => {
    await page.goto('/data');
    await uploadFile(page, 'polish-phone.csv', '工号,姓名,部门,岗位\nP001,测试一,跟单一部,跟单员\n');
    await chooseTable(page, 'employees');
    const wrap = page.getByTestId('mapping-table').locator('.el-table__body-wrapper .el-scrollbar__wrap').first();
    const m = await wrap.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
    expect(m.scroll, 'the table is wider than its box…').toBeGreaterThan(m.client);
    expect(await pageWidth(page), '…and the page is not').toBeLessThanOrEqual(PHONE.width + 1);
  });
});

test('the executive cards show each figure in its unit, rounded as the summary rounds it', async ({ page }) => {
  await page.goto('/policy');
  await page.getByTestId('policy-item-POL-2024-MD-V2').click();
  await page.getByRole('tab', { name: /高管视图|Executive/ }).click();
  await expect(page.getByTestId('exec-card-score')).toBeVisible();
  const brief = await trpcQuery<Brief>(page, 'policy.brief', {
    policyId: 'POL-2024-MD-V2',
    outcomes: ['score', 'kpi:order_accuracy', 'metric:satisfaction', 'metric:turnover_rate', 'metric:complaints', 'metric:sales'],
  });
  const item = (id: string) => brief.items.find((i) => i.outcome.id === id)!;
  const text = (id: string) => page.getByTestId(`exec-card-${id}`).getByTestId('exec-estimate');

  // Score: points with the sign, three significant digits.
  const score = item('score').headline.estimate!;
  await expect(text('score')).toHaveText(`+${score.toFixed(2)} 分`);
  // A rate: percentage points, never the raw fraction (+0.0372).
  const acc = item('kpi:order_accuracy').headline.estimate!;
  await expect(text('kpi:order_accuracy')).toHaveText(`+${(acc * 100).toFixed(2)} 个百分点`);
  // Turnover fell: a negative difference in percentage points.
  const turnover = item('metric:turnover_rate').headline.estimate!;
  expect(turnover).toBeLessThan(0);
  await expect(text('metric:turnover_rate')).toHaveText(/^-\d\.\d{3} 个百分点$/);
  // The interval under it in the same unit.
  await expect(page.getByTestId('exec-card-kpi:order_accuracy')).toContainText('个百分点 · p');

  // The sentence under each card says the same figure as its headline.
  for (const id of ['score', 'kpi:order_accuracy']) {
    const shown = (await text(id).innerText()).replace(/^[+-]/, '');
    await expect(page.getByTestId(`exec-card-${id}`).locator('.summary')).toContainText(shown);
  }

  // English: the same figures in English units.
  await page.getByTestId('lang-en').click();
  await expect(text('kpi:order_accuracy')).toHaveText(`+${(acc * 100).toFixed(2)} pp`);
  await expect(text('score')).toHaveText(`+${score.toFixed(2)} points`);
});

test('the summary cards count the filtered records, and say which counts are company-wide', async ({ page }) => {
  await page.goto('/');
  await chartsReady(page);
  const all = await trpcQuery<Grades>(page, 'distribution.grades', {});
  const allRecords = all.groups[0]!.total + all.ungraded;
  await expect(page.getByTestId('count-assessments').locator('.value')).toHaveAttribute('data-value', String(allRecords));

  // One department: the records card follows, the company totals say they are company-wide.
  const units = await trpcQuery<Array<{ id: string; name: string; depth: number }>>(page, 'meta.orgUnits');
  const unit = units.find((u) => u.depth === 1)!;
  await page.goto(`/?org=${encodeURIComponent(unit.id)}`);
  await chartsReady(page);
  const one = await trpcQuery<Grades>(page, 'distribution.grades', { orgUnitId: unit.id });
  const records = one.groups[0]!.total + one.ungraded;
  expect(records).toBeLessThan(allRecords);
  const card = page.getByTestId('count-assessments');
  await expect(card.locator('.value')).toHaveAttribute('data-value', String(records));
  await expect(card.locator('.value')).toHaveText(records.toLocaleString('zh-CN'));
  await expect(card).toContainText('当前筛选范围内');
  for (const k of ['employees', 'orgUnits', 'raterScores']) {
    const c = page.getByTestId(`count-${k}`);
    await expect(c).toHaveAttribute('data-scope', 'company');
    await expect(c).toContainText('全公司');
  }
  // Reset: the company again, no scope notes.
  await page.getByTestId('filter-reset').click();
  await expect(card.locator('.value')).toHaveAttribute('data-value', String(allRecords));
  await expect(page.getByTestId('count-employees')).not.toContainText('全公司');
});
