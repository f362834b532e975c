import { expect, test, type APIRequest, type Browser, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { chartsReady, trpcQuery } from './helpers.ts';
import { ADMIN_STATE, authFixture, signInAs, subtreeOf, USERS, type Role } from './auth.ts';

/**
 * Who may see what (issue 16): signing in, the forced password change, what each role is shown,
 * personal API tokens and the audit trail, through the browser as people use them.
 */

const SIGNED_OUT = { cookies: [], origins: [] };

/** The first input inside a test id (Element Plus puts the attribute on the wrapper or the input). */
const input = (page: Page, id: string) => page.getByTestId(id).locator('input').or(page.locator(`input[data-testid="${id}"]`)).first();

/** Opens the drill-down behind grade bar C of the overview (as overview.spec.ts does). */
async function openDrill(page: Page): Promise<void> {
  await page.goto('/');
  await chartsReady(page);
  const box = (await page.getByTestId('chart-grades').boundingBox())!;
  const plotW = box.width - 56 - 24;
  await page.mouse.click(box.x + 56 + plotW * (2.5 / 5), box.y + box.height - 64 - 3);
  await expect(page.getByTestId('drill-table')).toBeVisible();
  await expect(page.getByTestId('drill-table').locator('tbody tr').first()).toBeVisible();
}

/** The cells of the first `n` rows of the drill-down table, by column index. */
async function drillRows(page: Page, n: number): Promise<string[][]> {
  const rows = page.getByTestId('drill-table').locator('tbody tr');
  const count = Math.min(n, await rows.count());
  const out: string[][] = [];
  for (let i = 0; i < count; i++) out.push((await rows.nth(i).locator('td').allInnerTexts()).map((s) => s.trim()));
  return out;
}

/** A request context signed in as the admin (for checks made beside a page signed in as someone else). */
async function adminRequest(playwright: { request: APIRequest }, baseURL: string) {
  return playwright.request.newContext({ baseURL, storageState: ADMIN_STATE });
}

async function signInThroughForm(page: Page, login: string, password: string): Promise<void> {
  await input(page, 'sign-in-login').fill(login);
  await input(page, 'sign-in-password').fill(password);
  await input(page, 'sign-in-password').press('Enter');
}

test.describe('signed out', () => {
  test.use({ storageState: SIGNED_OUT });

  test('the sign-in page: a wrong password is refused, a right one lands on the overview', async ({ page }) => {
    await page.goto('/');
    await expect(page).toHaveURL(/\/sign-in$/);
    // Nothing of the dashboard is shown before signing in.
    await expect(page.getByTestId('nav-overview')).toHaveCount(0);
    await expect(page.getByTestId('user-menu-button')).toHaveCount(0);
    await expect(page.getByLabel(/登录名|Login name/)).toBeFocused();

    await signInThroughForm(page, USERS.admin.login, 'not-the-password');
    await expect(page.getByTestId('sign-in-error')).toContainText('登录名或密码不正确');
    await expect(page).toHaveURL(/\/sign-in$/);
    // The password field is emptied for the next try; the login name stays.
    await expect(input(page, 'sign-in-password')).toHaveValue('');
    await expect(input(page, 'sign-in-login')).toHaveValue(USERS.admin.login);

    await input(page, 'sign-in-password').fill(USERS.admin.password);
    await page.getByTestId('sign-in-submit').click();
    await expect(page).toHaveURL(/\/$/);
    await chartsReady(page);
    await expect(page.getByTestId('user-name')).toHaveText(USERS.admin.name);
    await expect(page.getByTestId('user-role')).toHaveText('系统管理员');
  });

  test('a deep link survives signing in, and too many failures say how long to wait', async ({ page }) => {
    await page.goto('/policy?x=1');
    await expect(page).toHaveURL(/\/sign-in\?next=/);
    expect(new URL(page.url()).searchParams.get('next')).toBe('/policy?x=1');

    // Failures for one (unknown) login name lock it for a doubling delay. Run up to a lock of
    // a few seconds through the API, then try in the form while it lasts.
    const login = `e2e-nobody-${Date.now()}`;
    let counted = 0;
    while (counted < 7) {
      const r = await page.request.post('/trpc/auth.signIn', { data: { login, password: 'wrong-password-1' } });
      if (r.status() === 429) await page.waitForTimeout(1000);
      else {
        expect(r.status()).toBe(401);
        counted++;
      }
    }
    await signInThroughForm(page, login, 'wrong-password-1');
    const error = page.getByTestId('sign-in-error');
    await expect(error).toContainText(/失败次数过多/);
    await expect(error).toContainText(/\d+ 秒/);
    await expect(page.getByTestId('sign-in-submit')).toBeDisabled();
    await expect(page.getByTestId('sign-in-submit')).toContainText('秒后可重试');

    // The English page says the same in English.
    await page.getByTestId('lang-en').click();
    await expect(page.getByTestId('sign-in-page')).toContainText('Sign in');

    await input(page, 'sign-in-login').fill(USERS.admin.login);
    await input(page, 'sign-in-password').fill(USERS.admin.password);
    // The lock was on the unknown login only: the admin signs in (once the button is free again).
    await expect(page.getByTestId('sign-in-submit')).toBeEnabled({ timeout: 20_000 });
    await page.getByTestId('sign-in-submit').click();
    await expect(page).toHaveURL(/\/policy\?x=1$/);
    await expect(page.getByTestId('policy-page')).toBeVisible();
  });

  test('the API refuses a request without a session', async ({ page }) => {
    const res = await page.request.get('/trpc/meta.overview');
    expect(res.status()).toBe(401);
    const me = await page.request.get('/trpc/auth.me');
    expect(me.status()).toBe(200);
    expect(((await me.json()) as { result: { data: unknown } }).result.data).toBeNull();
  });
});

test('a session that ends mid-use sends the user to sign in and back to where they were going', async ({ page }) => {
  await page.goto('/');
  await chartsReady(page);
  // The session is gone (expired, signed out elsewhere): the next request answers 401.
  await page.context().clearCookies();
  await page.getByTestId('nav-policy').click();
  await expect(page).toHaveURL(/\/sign-in\?next=/);
  expect(new URL(page.url()).searchParams.get('next')).toBe('/policy');
  await expect(page.getByTestId('sign-in-page')).toBeVisible();
  await signInThroughForm(page, USERS.admin.login, USERS.admin.password);
  await expect.poll(() => new URL(page.url()).pathname).toBe('/policy');
});

test('each role sees the pages its permissions allow, in the header and the user menu', async ({ page }) => {
  const expected: Record<Role, { nav: string[]; menu: string[] }> = {
    admin: { nav: ['overview', 'calibration', 'policy', 'simulation', 'data'], menu: ['admin-users', 'admin-audit'] },
    hr: { nav: ['overview', 'calibration', 'policy', 'simulation', 'data'], menu: ['admin-audit'] },
    executive: { nav: ['overview', 'calibration', 'policy'], menu: [] },
    analyst: { nav: ['overview', 'calibration', 'policy', 'simulation'], menu: [] },
    manager: { nav: ['overview'], menu: [] },
    viewer: { nav: ['overview'], menu: [] },
  };
  const ALL_NAV = ['overview', 'calibration', 'policy', 'simulation', 'data'];
  for (const role of Object.keys(expected) as Role[]) {
    await signInAs(page, role);
    await page.goto('/');
    await expect(page.getByTestId('user-name'), role).toHaveText(USERS[role].name);
    for (const s of ALL_NAV) await expect(page.getByTestId(`nav-${s}`), `${role}: ${s}`).toHaveCount(expected[role].nav.includes(s) ? 1 : 0);
    await page.getByTestId('user-menu-button').click();
    await expect(page.getByTestId('menu-account')).toBeVisible();
    for (const m of ['admin-users', 'admin-audit'])
      await expect(page.getByTestId(`menu-${m}`), `${role}: ${m}`).toHaveCount(expected[role].menu.includes(m) ? 1 : 0);
    await page.keyboard.press('Escape');
    // A page the role may not open sends it back to its first page.
    if (!expected[role].menu.includes('admin-users')) {
      await page.goto('/admin/users');
      await expect(page).toHaveURL(/\/$/);
    }
  }
});

test('a manager sees only their own department subtree', async ({ page, playwright, baseURL }) => {
  const { scopeUnit, scopeSubtree } = authFixture();
  const admin = await adminRequest(playwright, baseURL!);
  const allUnits = (await (await admin.get('/trpc/meta.orgUnits')).json()).result.data as Array<{ id: string; name: string; parentId: string | null }>;
  const inScope = new Set(scopeSubtree);
  const inScopeNames = new Set(allUnits.filter((u) => inScope.has(u.id)).map((u) => u.name));
  // A unit wholly outside: neither in the subtree nor above it (asking for the company root gives
  // the manager's own rows, no more).
  const outside = allUnits.find((u) => !subtreeOf(allUnits, u.id).some((id) => inScope.has(id)))!;
  const root = allUnits.find((u) => !u.parentId)!;

  await signInAs(page, 'manager');
  // The org filter offers exactly the manager's units.
  await page.goto('/');
  await chartsReady(page);
  await page.getByTestId('filter-org').first().click();
  const options = page.locator('.el-popper.filter-org-popper').getByRole('option');
  await expect(options.first()).toBeVisible();
  const offered = (await options.allInnerTexts()).map((s) => s.trim()).filter(Boolean);
  expect(new Set(offered)).toEqual(inScopeNames);
  await page.keyboard.press('Escape');

  // The drill-down lists only people of those units (by name: managers see names).
  await openDrill(page);
  const rows = await drillRows(page, 20);
  expect(rows.length).toBeGreaterThan(0);
  for (const r of rows) expect(inScopeNames, `unit of ${r[0]}`).toContain(r[2]);

  // The API agrees: the employee list holds only in-scope people, and a unit outside is empty or refused.
  const mine = await trpcQuery<{ total: number; rows: Array<{ employeeId: string; orgUnitId: string }> }>(page, 'employees.list', { page: 1, pageSize: 200 });
  expect(mine.total).toBeGreaterThan(0);
  expect(mine.rows.length).toBeGreaterThan(0);
  for (const r of mine.rows) expect(scopeSubtree, `unit of ${r.employeeId}`).toContain(r.orgUnitId);
  const all = (await (await admin.get(`/trpc/employees.list?input=${encodeURIComponent(JSON.stringify({ page: 1, pageSize: 1 }))}`)).json()).result.data as { total: number };
  expect(mine.total).toBeLessThan(all.total);
  const other = await page.request.get(`/trpc/employees.list?input=${encodeURIComponent(JSON.stringify({ orgUnitId: outside.id, page: 1, pageSize: 20 }))}`);
  if (other.ok()) expect(((await other.json()) as { result: { data: { total: number } } }).result.data.total).toBe(0);
  else expect([403, 404]).toContain(other.status());
  const above = await trpcQuery<{ total: number }>(page, 'employees.list', { orgUnitId: root.id, page: 1, pageSize: 1 });
  expect(above.total).toBe(mine.total);
  await admin.dispose();
});

test('an analyst sees employee codes, never names', async ({ page, playwright, baseURL }) => {
  await signInAs(page, 'analyst');
  await openDrill(page);
  const rows = await drillRows(page, 10);
  expect(rows.length).toBeGreaterThan(0);
  const shown = (await page.getByTestId('drill-table').innerText()).replace(/\s+/g, ' ');

  const admin = await adminRequest(playwright, baseURL!);
  for (const [employeeId, name] of rows) {
    const q = { search: employeeId, page: 1, pageSize: 5 };
    const real = (await (await admin.get(`/trpc/employees.list?input=${encodeURIComponent(JSON.stringify(q))}`)).json()).result.data as { rows: Array<{ employeeId: string; name: string }> };
    expect(real.rows.map((r) => r.employeeId)).toContain(employeeId);
    const person = real.rows.find((r) => r.employeeId === employeeId)!;
    expect(person.name).not.toBe(employeeId);
    expect(name, `name column for ${employeeId}`).not.toBe(person.name);
    expect(shown).not.toContain(person.name);
  }
  // The API answers the analyst the same way.
  const api = await trpcQuery<{ rows: Array<{ employeeId: string; name: string | null }> }>(page, 'employees.list', { search: rows[0]![0], page: 1, pageSize: 5 });
  const real0 = (await (await admin.get(`/trpc/employees.list?input=${encodeURIComponent(JSON.stringify({ search: rows[0]![0], page: 1, pageSize: 5 }))}`)).json()).result.data as { rows: Array<{ name: string }> };
  expect(api.rows[0]!.name).not.toBe(real0.rows[0]!.name);
  await admin.dispose();
});

test("an HR user's calibration change and an executive's export are on the admin's audit page", async ({ page }) => {
  // HR: a calibration session with one person moved, with a reason.
  await signInAs(page, 'hr');
  await page.goto('/calibration');
  await expect(page.getByTestId('groups-table')).toBeVisible();
  await page.getByTestId('preset-207010').click();
  const name = `E2E 权限 ${Date.now()}`;
  await input(page, 'session-name').fill(name);
  await page.getByTestId('save-session').click();
  await expect(page.getByTestId('session-detail')).toContainText(name);
  const firstRow = page.getByTestId('session-people').locator('tbody tr').first();
  const employeeId = (await firstRow.locator('td').first().innerText()).trim();
  const before = await page.getByTestId(`final-${employeeId}`).getAttribute('data-grade');
  const target = before === 'A' ? 'B' : 'A';
  await page.getByTestId(`adjust-${employeeId}`).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByTestId(`adjust-grade-${target}`).click();
  const reason = `E2E 审计：HR 调整 ${Date.now()}`;
  await dialog.getByTestId('adjust-reason').locator('textarea').or(dialog.locator('textarea[data-testid="adjust-reason"]')).first().fill(reason);
  await dialog.getByTestId('adjust-submit').click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId(`final-${employeeId}`)).toHaveAttribute('data-grade', target);

  // Executive: opens that session and exports it (the 'export' permission).
  await signInAs(page, 'executive');
  await page.goto('/calibration');
  await page.locator('#tab-sessions').click();
  await page.getByTestId(`open-session-${name}`).click();
  await expect(page.getByTestId('session-detail')).toContainText(name);
  const download = page.waitForEvent('download');
  await page.getByTestId('export-session').click();
  expect((await download).suggestedFilename()).toMatch(/\.xlsx$/);

  // Admin: both on the audit page.
  await signInAs(page, 'admin');
  await page.goto('/admin/audit');
  const table = page.getByTestId('audit-log-table');
  await expect(table).toBeVisible();
  await input(page, 'audit-actor').fill(USERS.hr.login);
  await input(page, 'audit-action').fill('calibration.adjust');
  await expect(table.locator('tbody tr').first()).toContainText('calibration.adjust');
  await expect(table).toContainText(reason);
  await expect(table).toContainText(USERS.hr.login);

  await input(page, 'audit-actor').fill(USERS.executive.login);
  await input(page, 'audit-action').fill('');
  // Action cells show the action's name; its code is in data-code (and muted beside the name).
  const exportCell = table.locator('[data-testid="audit-action-cell"][data-code^="export."]');
  await expect(exportCell.first()).toBeVisible();
  // The executive exported the HR user's session: that is the entry, under its own name.
  const execActions = await table.getByTestId('audit-action-cell').evaluateAll((els) => els.map((e) => [e.getAttribute('data-code'), (e as HTMLElement).innerText.trim()]));
  expect(execActions).toContainEqual(['export.calibration', expect.stringMatching(/^(导出校准结果|Calibration exported)$/)]);
  // Its row opens to show what was exported.
  const exportRow = table.locator('tbody tr', { has: page.locator('[data-testid="audit-action-cell"][data-code^="export."]') }).first();
  await expect(exportRow).toContainText(USERS.executive.login);

  // The chain verifies.
  await page.getByTestId('audit-verify').click();
  await expect(page.getByTestId('audit-verify-result')).toHaveAttribute('data-ok', 'true');

  // Export the filtered trail as CSV.
  const csv = page.waitForEvent('download');
  await page.getByTestId('audit-export').click();
  expect((await csv).suggestedFilename()).toMatch(/\.csv$/);

  // The HR user may read the trail too, but not manage users.
  await signInAs(page, 'hr');
  await page.goto('/admin/audit');
  await expect(page.getByTestId('audit-log-table')).toBeVisible();
  const refused = await page.request.get('/trpc/admin.users.list');
  expect(refused.status()).toBe(403);
});

test('a new user must change the one-time password before anything else', async ({ page }) => {
  await page.goto('/admin/users');
  await expect(page.getByTestId('user-table')).toBeVisible();
  const login = `e2e.new${Date.now() % 100000}`;
  const name = 'E2E 新同事';

  // A manager needs a department: the form says so.
  await page.getByTestId('user-new').click();
  await input(page, 'user-id').fill(login);
  await input(page, 'user-name').fill(name);
  await page.getByTestId('user-form-role').click();
  await page.getByTestId('user-form-role-option-manager').click();
  await page.getByTestId('user-save').click();
  await expect(page.getByTestId('user-form-error')).toContainText('至少需要一个部门');
  await page.getByTestId('user-form-role').click();
  await page.getByTestId('user-form-role-option-analyst').click();
  await page.getByTestId('user-save').click();

  const secret = page.getByTestId('one-time-password-value');
  await expect(secret).toBeVisible();
  const oneTime = (await secret.innerText()).trim();
  expect(oneTime.length).toBeGreaterThanOrEqual(8);
  await expect(page.getByTestId(`user-status-${login}`)).toContainText('需修改密码');
  await expect(page.getByTestId(`user-role-${login}`)).toHaveText('分析师');

  // The new user signs in with it and is held on the password page.
  await page.context().clearCookies();
  await page.goto('/sign-in');
  await signInThroughForm(page, login, oneTime);
  await expect(page).toHaveURL(/\/account\/password/);
  await expect(page.getByTestId('password-forced')).toBeVisible();
  await page.goto('/calibration');
  await expect(page).toHaveURL(/\/account\/password/);
  // The server holds them too.
  expect((await page.request.get('/trpc/meta.overview')).status()).toBe(403);

  // A weak password is refused with the rule it breaks.
  await input(page, 'pw-current').fill(oneTime);
  await input(page, 'pw-next').fill('short1');
  await input(page, 'pw-confirm').fill('short1');
  await page.getByTestId('pw-submit').click();
  await expect(page.getByTestId('pw-error')).toContainText('至少 10 个字符');
  await expect(page.locator('[data-rule="length"]')).toHaveAttribute('data-ok', 'false');

  const chosen = 'Maple-Orbit-7731-x';
  await input(page, 'pw-next').fill(chosen);
  await input(page, 'pw-confirm').fill(chosen);
  await expect(page.locator('[data-rule="length"]')).toHaveAttribute('data-ok', 'true');
  await page.getByTestId('pw-submit').click();
  // The path itself (the password page's own URL ends in ?next=/calibration).
  await expect.poll(() => new URL(page.url()).pathname).toBe('/calibration');
  await expect(page.getByTestId('user-name')).toHaveText(name);
  await expect(page.getByTestId('user-role')).toHaveText('分析师');

  // The one-time password no longer works; the chosen one does.
  await page.context().clearCookies();
  const old = await page.request.post('/trpc/auth.signIn', { data: { login, password: oneTime } });
  expect(old.status()).toBe(401);
  const ok = await page.request.post('/trpc/auth.signIn', { data: { login, password: chosen } });
  expect(ok.status()).toBe(200);
});

test('a personal API token is shown once, works with curl, and stops working when revoked', async ({ page, playwright, baseURL }) => {
  await page.goto('/account');
  await expect(page.getByTestId('account-login')).toHaveText(USERS.admin.login);
  const tokenName = `E2E 脚本 ${Date.now()}`;
  await input(page, 'token-name').fill(tokenName);
  await page.getByTestId('token-create').click();
  const value = page.getByTestId('token-value');
  await expect(value).toBeVisible();
  const token = (await value.innerText()).trim();
  expect(token).toMatch(/^plt_/);
  await expect(page.getByTestId('token-curl')).toContainText(`curl -H "Authorization: Bearer ${token}" `);
  await expect(page.getByTestId('token-curl')).toContainText('/trpc/meta.overview');

  // The token works without any cookie, as a script would use it.
  const script = await playwright.request.newContext({ baseURL, storageState: SIGNED_OUT, extraHTTPHeaders: { authorization: `Bearer ${token}` } });
  expect((await script.get('/trpc/meta.overview')).status()).toBe(200);

  // Listed (by name, never by value) and not shown again after a reload.
  const row = page.getByTestId('token-table').locator('tbody tr', { hasText: tokenName });
  await expect(row).toBeVisible();
  await page.reload();
  await expect(page.getByTestId('token-value')).toHaveCount(0);
  await expect(page.getByTestId('token-table')).not.toContainText(token);

  // Revoke, confirming in the dialog.
  await page.getByTestId('token-table').locator('tbody tr', { hasText: tokenName }).getByRole('button').click();
  const box = page.locator('.el-message-box');
  await expect(box).toBeVisible();
  await expect(box).toContainText(tokenName);
  await box.locator('.el-button--danger, .el-button--primary').last().click();
  await expect(page.getByTestId('token-table').locator('tbody tr', { hasText: tokenName })).toContainText('已于');
  expect((await script.get('/trpc/meta.overview')).status()).toBe(401);
  await script.dispose();
});

test('sign-in, account and admin pages fit a 390 px phone screen', async ({ browser, baseURL }) => {
  const check = async (b: Browser, path: string, role: Role | null, ready: string) => {
    const ctx = await b.newContext({ baseURL, viewport: { width: 390, height: 844 }, storageState: role ? ADMIN_STATE : SIGNED_OUT });
    const page = await ctx.newPage();
    if (role && role !== 'admin') await signInAs(page, role);
    await page.goto(path);
    await expect(page.getByTestId(ready)).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, `${path} scrolls sideways by ${overflow}px`).toBeLessThanOrEqual(0);
    await ctx.close();
  };
  await check(browser, '/sign-in', null, 'sign-in-page');
  await check(browser, '/account', 'admin', 'account-page');
  await check(browser, '/admin/users', 'admin', 'admin-users-page');
  await check(browser, '/admin/audit', 'admin', 'audit-page');
});

test.describe('accessibility', () => {
  async function seriousIssues(page: Page): Promise<string[]> {
    const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}, ${v.nodes.length} nodes)`);
  }

  test('no serious or critical axe issues on sign-in, admin users and audit', async ({ browser, page, baseURL }) => {
    const ctx = await browser.newContext({ baseURL, storageState: SIGNED_OUT });
    const signIn = await ctx.newPage();
    await signIn.goto('/sign-in');
    await expect(signIn.getByTestId('sign-in-page')).toBeVisible();
    expect(await seriousIssues(signIn), 'sign-in').toEqual([]);
    await ctx.close();

    await page.goto('/admin/users');
    await expect(page.getByTestId('user-table').locator('tbody tr').first()).toBeVisible();
    expect(await seriousIssues(page), 'admin users').toEqual([]);

    await page.goto('/admin/audit');
    await expect(page.getByTestId('audit-log-table').locator('tbody tr').first()).toBeVisible();
    expect(await seriousIssues(page), 'audit').toEqual([]);
  });
});
