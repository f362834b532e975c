/**
 * Screenshots of every page in both languages at 1440×900, for a human to look at.
 * Usage: PERFLENS_TOKEN=plt_… node --import tsx e2e/screenshots.ts http://127.0.0.1:8321 /tmp/shots
 * (the token, made on the account page, signs every request in)
 */
import { chromium } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { launchOptions } from './launch.ts';

const base = process.argv[2] ?? 'http://127.0.0.1:8321';
const out = process.argv[3] ?? '/tmp/perflens-shots';
mkdirSync(out, { recursive: true });
const signedIn: Record<string, string> = process.env.PERFLENS_TOKEN ? { authorization: `Bearer ${process.env.PERFLENS_TOKEN}` } : {};

const browser = await chromium.launch(launchOptions);
for (const lang of ['zh', 'en'] as const) {
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, extraHTTPHeaders: signedIn });
  await ctx.addInitScript((l) => localStorage.setItem('perflens.lang', l), lang);
  const page = await ctx.newPage();
  page.on('pageerror', (e) => console.error('pageerror', e.message));
  page.on('console', (m) => m.type() === 'error' && console.error('console', m.text()));
  await page.goto(`${base}/`);
  await page.waitForFunction(() => {
    const c = [...document.querySelectorAll('[data-chart-ready]')];
    return c.length >= 4 && c.every((e) => e.getAttribute('data-chart-ready') === 'true');
  }, undefined, { timeout: 30_000 });
  await page.screenshot({ path: `${out}/overview-${lang}.png` });
  await page.screenshot({ path: `${out}/overview-full-${lang}.png`, fullPage: true });
  await page.getByTestId('chart-grades').locator('canvas').first().click({ position: { x: 200, y: 200 } });
  await page.waitForTimeout(1500);
  await page.screenshot({ path: `${out}/drill-${lang}.png` });
  await page.goto(`${base}/data`);
  await page.waitForTimeout(1500);
  await page.screenshot({ path: `${out}/data-${lang}.png`, fullPage: true });
  await ctx.close();
}
await browser.close();
console.log('screenshots in', out);
