import { expect, type Page } from '@playwright/test';

export type Counts = Record<'A' | 'B' | 'C' | 'D' | 'E', number>;

/** Waits until every chart on the page has drawn its current data (no animation under webdriver). */
export async function chartsReady(page: Page, min = 4): Promise<void> {
  await page.waitForFunction(
    (n) => {
      const charts = [...document.querySelectorAll('[data-chart-ready]')];
      return charts.length >= n && charts.every((c) => c.getAttribute('data-chart-ready') === 'true' && c.getAttribute('data-state') !== 'loading');
    },
    min,
    { timeout: 30_000 },
  );
}

export async function gradeCounts(page: Page): Promise<Counts> {
  const raw = await page.getByTestId('chart-grades').getAttribute('data-counts');
  expect(raw, 'grade chart exposes its counts').toBeTruthy();
  return JSON.parse(raw!) as Counts;
}

export const sum = (c: Counts): number => Object.values(c).reduce((a, b) => a + b, 0);

/** Calls a tRPC query the way curl would (no transformer: plain JSON). */
export async function trpcQuery<T>(page: Page, path: string, input?: unknown): Promise<T> {
  const qs = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  const res = await page.request.get(`/trpc/${path}${qs}`);
  expect(res.ok(), `${path} → ${res.status()}`).toBeTruthy();
  return ((await res.json()) as { result: { data: T } }).result.data;
}


/** Uploads a file built in the test on the Data page and waits for its preview. */
export async function uploadFile(page: Page, name: string, content: string | Buffer, mimeType = 'text/csv'): Promise<void> {
  const buffer = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  await page.getByTestId('upload').locator('input[type=file]').setInputFiles({ name, mimeType, buffer });
  await expect(page.getByTestId('preview')).toBeVisible();
}

/** Picks the import target (unless the server already suggested it) and waits for the mapping table. */
export async function chooseTable(page: Page, table: string): Promise<void> {
  const select = page.getByTestId('target-table');
  const mapping = page.getByTestId('mapping');
  await expect(mapping).toHaveAttribute('data-busy', 'false');
  if ((await select.getAttribute('data-table')) !== table) {
    await select.click();
    await page.getByTestId(`table-option-${table}`).click();
  }
  await expect(select).toHaveAttribute('data-table', table);
  await expect(page.getByTestId('mapping-table')).toBeVisible();
  // The preview for this table (its suggestions, the grade column's values) has arrived.
  await expect(mapping).toHaveAttribute('data-busy', 'false');
}

/**
 * Confirms the departments and employees an import creates, when it lists any (the Data page asks
 * before anything new is created), once the list for the current mapping has arrived.
 */
export async function confirmCreation(page: Page): Promise<void> {
  await expect(page.getByTestId('mapping')).toHaveAttribute('data-busy', 'false');
  const box = page.getByTestId('confirm-create');
  if (await box.isVisible()) await box.click();
  await expect(page.getByTestId('run-import')).toHaveAttribute('data-needs-confirm', 'false');
}
