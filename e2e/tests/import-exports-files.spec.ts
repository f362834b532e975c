import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chooseTable, confirmCreation, trpcQuery, uploadFile } from './helpers.ts';

/**
 * The other two exports the importer tests use (packages/warehouse/test/fixtures/exports), each
 * imported in one step on the Data page with the suggested mapping and the proposed scale: a US
 * review tool's word ratings with padded departments, managers and US dates, and a Chinese annual
 * sheet saved as GBK on 卓越/优秀/良好/合格/待改进/不合格.
 */
const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../../packages/warehouse/test/fixtures/exports/${name}`, import.meta.url)));

interface OrgUnit { id: string; name: string }
interface Role { code: string; nameZh: string; builtin: boolean; assessments: number }
interface Grades { cycle: string; groups: Array<{ key: string; label: string; total: number }> }

async function importFlat(page: import('@playwright/test').Page, name: string): Promise<void> {
  await page.goto('/data');
  await uploadFile(page, name, fixture(name));
  await chooseTable(page, 'flat');
  // The grade column's values are all on the proposed scale.
  await expect(page.getByTestId('scale-complete')).toBeVisible();
  // Its departments and people are new: listed, and created once confirmed.
  await confirmCreation(page);
  await expect(page.getByTestId('run-import')).toBeEnabled();
  await page.getByTestId('run-import').click();
  await expect(page.getByTestId('result-ok')).toBeVisible();
}

test('a US review export on word ratings, padded departments, managers and US dates imports in one step', async ({ page }) => {
  await importFlat(page, 'reviews-us.csv');
  await expect(page.getByTestId('result-summary')).toContainText('新增 60 条');
  const units = (await trpcQuery<OrgUnit[]>(page, 'meta.orgUnits')).map((u) => u.name);
  // 'Production       ' and 'Production' are one department, '  Sales' is 'Sales'.
  expect(units.filter((n) => n === 'Production')).toHaveLength(1);
  expect(units).not.toContain('Production       ');
  expect(units).toEqual(expect.arrayContaining(['IT/IS', 'Software Engineering']));
  const roles = await trpcQuery<Role[]>(page, 'meta.roles');
  expect(roles.find((r) => r.nameZh === 'Area Sales Manager')?.assessments).toBe(20);
  // The managers named in the sheet are the raters, on the quarterly data.
  const raters = await trpcQuery<{ cycle: string; raters: Array<{ raterName: string | null }> }>(page, 'distribution.raters', { from: '2024-Q1', to: '2024-Q2', cycle: 'quarter', minN: 1 });
  expect(raters.raters.map((r) => r.raterName)).toEqual(expect.arrayContaining(['Jane Smith', 'Rahul Mehta', 'Lucia Gomez', 'Tom Baker']));
});

test('a Chinese annual sheet (GBK) on 卓越/优秀/良好/合格/待改进/不合格 imports in one step', async ({ page }) => {
  await importFlat(page, 'kaohe-zh.csv');
  await expect(page.getByTestId('result-summary')).toContainText('新增 80 条');
  const g = await trpcQuery<Grades>(page, 'distribution.grades', { from: '2023', to: '2023', cycle: 'year', groupBy: 'orgUnit' });
  expect(g.groups.map((x) => x.label)).toEqual(expect.arrayContaining(['华东销售部', '华南销售部', '研发中心', '财务部']));
  const roles = await trpcQuery<Role[]>(page, 'meta.roles');
  expect(roles.filter((r) => !r.builtin).map((r) => r.nameZh)).toEqual(expect.arrayContaining(['区域销售经理', '研发工程师', '会计']));
});
