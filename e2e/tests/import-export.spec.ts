import { expect, test, type Page } from '@playwright/test';
import ExcelJS from 'exceljs';
import { chartsReady, chooseTable, confirmCreation, gradeCounts, trpcQuery, uploadFile, type Counts } from './helpers.ts';

/**
 * Another company's data: an English HR-system export (the IBM HR sample's columns) with its own
 * job titles, a 1–4 performance rating and no score. It is imported as a flat sheet for the year
 * 2024 through the rating scale the user confirms; the demo's own figures are left alone (new
 * roles, new departments, the year cycle), and every check below filters on the new roles.
 */
const TITLES = ['Sales Executive', 'Research Scientist', 'Laboratory Technician'] as const;
const DEPARTMENT: Record<(typeof TITLES)[number], string> = {
  'Sales Executive': 'Sales',
  'Research Scientist': 'Research & Development',
  'Laboratory Technician': 'Research & Development',
};

interface Person {
  id: string;
  title: (typeof TITLES)[number];
  rating: 3 | 4;
}
// 20 people; every fourth one rated 4 (5 of them), the rest 3.
const PEOPLE: Person[] = Array.from({ length: 20 }, (_, i) => ({ id: String(9101 + i), title: TITLES[i % 3]!, rating: i % 4 === 3 ? 4 : 3 }));

function hrExport(): string {
  const lines = ['EmployeeNumber,Department,JobRole,PerformanceRating,Gender,Age,MonthlyIncome'];
  PEOPLE.forEach((p, i) => lines.push([p.id, DEPARTMENT[p.title], p.title, p.rating, i % 2 ? 'Female' : 'Male', 25 + i, 2000 + 250 * i].join(',')));
  return lines.join('\n') + '\n';
}

const count = (rating: 3 | 4, title?: string) => PEOPLE.filter((p) => p.rating === rating && (!title || p.title === title)).length;

interface Role {
  code: string;
  nameEn: string;
  schemeId: string | null;
  builtin: boolean;
  assessments: number;
}
interface Grades {
  cycle?: string;
  groups: Array<{ total: number; counts: Counts }>;
}

/** Opens a row's grade select in the scale table and picks a grade (the dropdown is the visible one). */
async function setScaleGrade(page: Page, value: string, grade: string): Promise<void> {
  await page.getByTestId(`scale-grade-${value}`).click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: new RegExp(`^${grade} · `) }).click();
}

test('an English HR export: its job titles become roles and its 1–4 rating goes through the confirmed scale', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/data');
  await uploadFile(page, 'hr-export.csv', hrExport());
  await expect(page.getByTestId('preview-rows')).toContainText('20');
  await chooseTable(page, 'flat');

  // The suggested columns show what they hold, so a wrong guess is visible before importing.
  await expect(page.getByTestId('map-role')).toContainText('JobRole');
  await expect(page.getByTestId('samples-role')).toContainText('Sales Executive');
  await expect(page.getByTestId('map-grade')).toContainText('PerformanceRating');

  // No period column: the whole file is 2024.
  await page.getByTestId('mapping-table').locator('tr', { has: page.getByTestId('field-period') }).locator('.el-switch').click();
  await page.getByTestId('const-period').fill('2024');

  // The proposed scale lists each rating with its number of rows.
  const scale = page.getByTestId('rating-scale');
  await expect(scale).toBeVisible();
  await expect(scale).toHaveAttribute('data-header', 'PerformanceRating');
  const rows = page.getByTestId('scale-table').locator('tbody tr');
  await expect(rows).toHaveCount(2);
  const lines = async () =>
    Object.fromEntries(
      await Promise.all(
        (await rows.all()).map(async (r) => [(await r.getByTestId('scale-value').innerText()).trim(), Number((await r.getByTestId('scale-count').innerText()).replace(/,/g, ''))] as const),
      ),
    );
  expect(await lines()).toEqual({ '3': count(3), '4': count(4) });
  await expect(page.getByTestId('scale-complete')).toBeVisible();

  // Read what was proposed for each value, then change the line for 3 to another grade.
  const proposed = async (value: string) => (await page.getByTestId(`scale-grade-${value}`).getAttribute('data-choice')) ?? '';
  const grade4 = await proposed('4');
  const grade3 = await proposed('3');
  expect(grade4).toMatch(/^[A-E]$/);
  const edited = grade3 === 'C' ? 'D' : 'C';
  await setScaleGrade(page, '3', edited);
  await expect(page.getByTestId('scale-grade-3')).toHaveAttribute('data-choice', edited);
  await expect(page.getByTestId('scale-grade-3')).toContainText(`${edited} · `);

  // Its two departments and 20 people are new: listed, and created once confirmed.
  await expect(page.getByTestId('create-plan')).toHaveAttribute('data-units', '2');
  await expect(page.getByTestId('create-plan')).toHaveAttribute('data-employees', '20');
  await confirmCreation(page);
  await expect(page.getByTestId('run-import')).toBeEnabled();
  await page.getByTestId('run-import').click();
  await expect(page.getByTestId('result-ok')).toBeVisible();
  await expect(page.getByTestId('result-summary')).toContainText('新增 20 条');
  await expect(page.getByTestId('result-summary')).toContainText('岗位 3 个');

  // The titles are roles now, named as the file wrote them, without a scheme.
  const roles = await trpcQuery<Role[]>(page, 'meta.roles');
  const exec = roles.find((r) => r.nameEn === 'Sales Executive');
  expect(exec?.code, 'Sales Executive is a role').toBe('sales_executive');
  expect(exec!.builtin).toBe(false);
  expect(exec!.schemeId).toBeNull();
  expect(exec!.assessments).toBe(PEOPLE.filter((p) => p.title === 'Sales Executive').length);
  // The roles section on the same page lists it.
  await expect(page.getByTestId(`role-name-${exec!.code}`)).toHaveText('Sales Executive');
  await expect(page.getByTestId(`role-no-scheme-${exec!.code}`)).toBeVisible();

  // Overview: the role is in the role filter's options; its grades follow the edited line.
  await page.getByTestId('nav-overview').click();
  await chartsReady(page);
  await page.getByTestId('filter-role').click();
  const option = page.locator('.filter-role-popper .el-select-dropdown__item', { hasText: 'Sales Executive' });
  await expect(option).toBeVisible();
  await option.click();
  await expect(page).toHaveURL(new RegExp(`role=${exec!.code}`));
  await chartsReady(page);

  const expected: Counts = { A: 0, B: 0, C: 0, D: 0, E: 0 };
  expected[grade4 as keyof Counts] += count(4, 'Sales Executive');
  expected[edited as keyof Counts] += count(3, 'Sales Executive');
  await expect.poll(() => gradeCounts(page)).toEqual(expected);
  // The data is annual: with the cycle left automatic the server used the year, and says so.
  const api = await trpcQuery<Grades>(page, 'distribution.grades', { role: exec!.code });
  expect(api.cycle).toBe('year');
  expect(api.groups[0]!.counts).toEqual(expected);
  await expect(page.getByTestId('filter-cycle-auto')).toHaveAttribute('data-used', 'year');
  await expect(page.getByTestId('filter-cycle-auto')).toContainText('年度');
  // The export has no score: the score card says so instead of "no data for the filters".
  await expect(page.getByTestId('card-scores')).toContainText('只有绩效等级、没有得分');
  expect(errors).toEqual([]);
});

test('roles from an import are merged, renamed and given a scheme, then simulated from that template', async ({ page }) => {
  await page.goto('/data');
  // Two spellings of one job; the rating in English words (a preset scale explains all of them).
  const csv = [
    'Staff ID,Department,Job title,Period,Overall rating',
    ...['Account Executive', 'Account Executive', 'Account Executive', 'Acct. Executive', 'Acct. Executive'].map((title, i) => `AE${i + 1},Key Accounts,${title},2024,${i % 2 ? 'Exceeds' : 'Fully Meets'}`),
  ].join('\n');
  await uploadFile(page, 'accounts.csv', csv);
  await chooseTable(page, 'flat');
  await expect(page.getByTestId('scale-complete')).toBeVisible();
  await confirmCreation(page);
  await page.getByTestId('run-import').click();
  await expect(page.getByTestId('result-ok')).toBeVisible();

  const roles = async () => trpcQuery<Array<Role & { nameZh: string; aliases: string[] }>>(page, 'meta.roles');
  const before = await roles();
  const main = before.find((r) => r.nameEn === 'Account Executive')!;
  const other = before.find((r) => r.nameEn === 'Acct. Executive')!;
  expect(main.assessments).toBe(3);
  expect(other.assessments).toBe(2);

  // Merge the second spelling into the first, through a confirmation that says what moves.
  const table = page.getByTestId('roles-table');
  await table.locator('tr', { has: page.getByTestId(`role-name-${other.code}`) }).locator('.el-checkbox').click();
  await page.getByTestId('roles-merge').click();
  await page.getByTestId('role-merge-into').click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: 'Account Executive' }).click();
  await page.getByTestId('role-merge-save').click();
  const box = page.locator('.el-message-box');
  await expect(box).toBeVisible();
  await expect(box).toContainText('Acct. Executive');
  // Styled as a dialog (the message box's own CSS is loaded), not as bare text at the page's end.
  expect(await box.evaluate((e) => getComputedStyle(e).backgroundColor)).not.toBe('rgba(0, 0, 0, 0)');
  await box.locator('.el-button--primary').click();
  await expect(page.getByTestId(`role-name-${other.code}`)).toHaveCount(0);
  const merged = (await roles()).find((r) => r.code === main.code)!;
  expect(merged.assessments).toBe(5);
  expect(merged.aliases).toContain('Acct. Executive');

  // Rename: the Chinese name shows in the Chinese UI.
  await page.getByTestId(`role-rename-${main.code}`).click();
  const rename = page.getByTestId('role-rename-dialog');
  await rename.getByTestId('role-name-zh').locator('input').or(rename.locator('input[data-testid="role-name-zh"]')).first().fill('客户经理');
  await rename.getByTestId('role-rename-save').click();
  await expect(page.getByTestId(`role-name-${main.code}`)).toHaveText('客户经理');

  // Simulation: a role without a scheme is not run; starting from a built-in template assigns it.
  await page.goto('/simulation');
  await page.getByTestId('sim-role').click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: '客户经理' }).click();
  await expect(page.getByTestId('no-scheme')).toContainText('客户经理');
  await expect(page.getByTestId('summary')).toHaveCount(0);
  await page.getByTestId('template-select').click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: '(sales-v1)' }).click();
  await page.getByTestId('apply-template').click();
  await expect(page.getByTestId('no-scheme')).toHaveCount(0);
  // The role now has a scheme of its own, copied from the template, and it is the one loaded and run.
  await expect.poll(async () => (await roles()).find((r) => r.code === main.code)!.schemeId).not.toBeNull();
  const schemeId = (await roles()).find((r) => r.code === main.code)!.schemeId!;
  await expect(page.getByTestId('scheme-select')).toContainText(schemeId);
  // The copy is open for editing and checked against this role's own history, which has grades
  // but no KPI lines: the editor names the KPIs to change rather than running on nothing.
  await expect(page.getByTestId('weight-sum')).toContainText('100');
  await expect(page.getByTestId('kpi-table')).toContainText(main.code);
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-running', 'false');
});

interface OrgUnit {
  id: string;
  name: string;
}

test('a typo in a department is shown beside the name it is close to, and nothing new is imported unconfirmed', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/data');
  const unitsBefore = (await trpcQuery<OrgUnit[]>(page, 'meta.orgUnits')).map((u) => u.name);
  expect(unitsBefore, 'the demo company has 跟单一部').toContain('跟单一部');
  expect(unitsBefore).not.toContain('跟单一布');

  // Another system's export: a notes sheet first, then the results under a title row, one of them
  // typed 跟单一布 for 跟单一部 (布 and 部 are one keystroke apart in pinyin input).
  const wb = new ExcelJS.Workbook();
  wb.addWorksheet('填表说明').addRows([['本文件由绩效系统导出，请勿修改表头'], ['说明', '各部门负责人核对后提交']]);
  const sheet = wb.addWorksheet('绩效明细');
  sheet.addRows([
    ['2025年11月绩效考核明细'],
    ['员工编号', '员工姓名', '所属部门', '岗位名称', '考核周期', '综合得分'],
    ['T7001', '测试赵', '跟单一部', '跟单员', '2025-11', 88],
    ['T7002', '测试钱', '跟单一布', '跟单员', '2025-11', 79],
    ['T7003', '测试孙', '跟单一部', '跟单员', '2025-11', 91],
  ]);
  const buffer = Buffer.from(await wb.xlsx.writeBuffer());
  // The column suggestions for the target are held back: until they arrive, Import cannot run.
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  await page.route(
    (url) => url.pathname.includes('import.preview'),
    async (route) => {
      if (decodeURIComponent(route.request().url()).includes('"table":"flat"')) await held;
      await route.continue();
    },
  );
  await uploadFile(page, '绩效系统导出.xlsx', buffer, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');

  // The results sheet is read, and its headers make it a flat sheet without being asked.
  await expect(page.getByTestId('preview-table')).toContainText('测试钱');
  await expect(page.getByTestId('target-table')).toHaveAttribute('data-table', 'flat');
  const run = page.getByTestId('run-import');
  await expect(run).toBeDisabled();
  await expect(run).toHaveAttribute('data-ready', 'false');
  release();
  await expect(page.getByTestId('mapping')).toHaveAttribute('data-busy', 'false');
  await expect(page.getByTestId('map-department')).toContainText('所属部门');

  // What the import would create is listed, the typo flagged with the name it is close to.
  const plan = page.getByTestId('create-plan');
  await expect(plan).toBeVisible();
  await expect(plan).toHaveAttribute('data-units', '1');
  await expect(plan).toHaveAttribute('data-employees', '3');
  const typo = plan.locator('[data-testid="create-unit"][data-name="跟单一布"]');
  await expect(typo).toContainText('跟单一布');
  await expect(typo.getByTestId('create-near')).toHaveAttribute('data-similar', '跟单一部');
  await expect(typo.getByTestId('create-near')).toContainText('是否应为现有部门“跟单一部”');
  await expect(page.getByTestId('create-near-alert')).toBeVisible();
  await expect(page.getByTestId('create-employees')).toContainText('T7001 测试赵');

  // The import waits for the confirmation, and says so.
  await expect(run).toHaveAttribute('data-ready', 'true');
  await expect(run).toBeDisabled();
  await expect(page.getByTestId('run-blocker')).toContainText('请先核对本次导入将新建的部门和员工');
  expect((await trpcQuery<OrgUnit[]>(page, 'meta.orgUnits')).map((u) => u.name)).not.toContain('跟单一布');

  // The same in English.
  await page.getByTestId('lang-en').click();
  await expect(typo.getByTestId('create-near')).toContainText('did you mean the existing "跟单一部"?');
  await expect(page.getByTestId('run-blocker')).toContainText('Check the departments and employees this import creates');
  await page.getByTestId('lang-zh').click();

  await page.getByTestId('confirm-create').click();
  await expect(run).toBeEnabled();
  await run.click();
  await expect(page.getByTestId('result-ok')).toBeVisible();
  await expect(page.getByTestId('result-summary')).toContainText('新增 3 条');
  const unitsAfter = (await trpcQuery<OrgUnit[]>(page, 'meta.orgUnits')).map((u) => u.name);
  expect(unitsAfter.filter((n) => n === '跟单一布')).toHaveLength(1);
  expect(errors).toEqual([]);
});
