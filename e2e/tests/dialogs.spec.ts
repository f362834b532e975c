import { expect, test, type Locator, type Page } from '@playwright/test';
import { chartsReady, confirmCreation, trpcQuery, uploadFile } from './helpers.ts';
import { signInAs } from './auth.ts';

/**
 * Issue 18, point 1: confirmation dialogs and toasts were unstyled (ElMessage/ElMessageBox are
 * called as functions, so the on-demand style resolver never saw them) and nothing noticed. Every
 * confirmation, dialog and toast the app has is opened here, in its success and its error case,
 * and checked as the browser draws it: visible, floating (fixed) over the page, with a background —
 * not plain text under the footer. Error cases are produced by answering the one request with a
 * server error (page.route), so no test breaks the shared demo data.
 *
 * Point 5: the audit page and a calibration session's trail name actions ("调整等级"), not codes
 * (`calibration.adjust`), and a move shows grade names and the person's name.
 */

const transparent = (c: string) => c === '' || c === 'transparent' || /rgba\(\s*0,\s*0,\s*0,\s*0\s*\)/.test(c);

async function styleOf(loc: Locator, props: string[]): Promise<Record<string, string>> {
  return loc.evaluate((el, ps) => {
    const s = getComputedStyle(el);
    return Object.fromEntries(ps.map((p) => [p, s.getPropertyValue(p)]));
  }, props);
}

/** A toast of `kind` saying `text`: visible, fixed at the top centre, on a coloured background. */
async function expectToast(page: Page, kind: 'success' | 'error' | 'warning', text?: string | RegExp): Promise<void> {
  let toasts = page.locator(`.el-message.el-message--${kind}`);
  if (text !== undefined) toasts = toasts.filter({ hasText: text });
  // The newest toast is the last one; an earlier toast of the same kind may be fading out and leave
  // the page between two reads (a detached element has no computed style), so the checks retry.
  const toast = toasts.last();
  await expect(toast).toBeVisible();
  await expect(async () => {
    const s = await styleOf(toast, ['position', 'background-color', 'z-index', 'display']);
    expect(s.position, `${kind} toast floats over the page`).toBe('fixed');
    expect(transparent(s['background-color']!), `${kind} toast background ${s['background-color']}`).toBe(false);
    expect(Number(s['z-index']), `${kind} toast is above the page`).toBeGreaterThan(0);
    expect(s.display).toBe('flex');
    const b = (await toast.boundingBox())!;
    // Toasts stack downwards, so a later one may sit below earlier ones: in the top half, not under the footer.
    expect(b.y, `${kind} toast is at the top of the window`).toBeLessThan(page.viewportSize()!.height / 2);
    expect(Math.abs(b.x + b.width / 2 - page.viewportSize()!.width / 2), `${kind} toast is centred`).toBeLessThan(4);
  }).toPass({ timeout: 5000 });
}

/** The confirmation box: a styled box over a dimmed, fixed overlay, with Element buttons. */
async function expectConfirmBox(page: Page, text?: string | RegExp): Promise<Locator> {
  const box = page.locator('.el-message-box');
  await expect(box).toBeVisible();
  if (text !== undefined) await expect(box).toContainText(text);
  const bs = await styleOf(box, ['position', 'background-color', 'box-shadow']);
  expect(bs.position, 'the box is laid out, not static text').not.toBe('static');
  expect(transparent(bs['background-color']!), `box background ${bs['background-color']}`).toBe(false);
  expect(bs['box-shadow']).not.toBe('none');
  const os = await styleOf(page.locator('.el-overlay.is-message-box'), ['position', 'background-color']);
  expect(os.position).toBe('fixed');
  expect(transparent(os['background-color']!), 'the page behind is dimmed').toBe(false);
  await expect(box.locator('.el-button--primary')).toBeVisible();
  return box;
}

/** An el-dialog (its test id is on the dialog element): a white panel over a fixed overlay. */
async function expectDialog(dialog: Locator): Promise<void> {
  await expect(dialog).toBeVisible();
  const s = await styleOf(dialog, ['position', 'background-color', 'box-shadow']);
  expect(s.position).not.toBe('static');
  expect(transparent(s['background-color']!), `dialog background ${s['background-color']}`).toBe(false);
  expect(s['box-shadow']).not.toBe('none');
  const overlay = await dialog.evaluate((el) => {
    const o = el.closest('.el-overlay');
    return o ? { position: getComputedStyle(o).position, bg: getComputedStyle(o).backgroundColor } : null;
  });
  expect(overlay, 'the dialog sits in an overlay').not.toBeNull();
  expect(overlay!.position).toBe('fixed');
  expect(transparent(overlay!.bg), 'the page behind is dimmed').toBe(false);
}

/**
 * Answers the next request to `procedure` with a server error carrying `message` (the shape
 * tRPC sends, batched or not), so the page's error path shows its toast.
 */
async function failNext(page: Page, procedure: string, message: string): Promise<void> {
  const esc = procedure.replace(/\./g, '\\.');
  await page.route(
    new RegExp(`/trpc/([^?]*,)?${esc}(,[^?]*)?(\\?|$)`),
    async (route) => {
      const path = new URL(route.request().url()).pathname.replace(/^\/trpc\//, '');
      const err = { error: { message, code: -32603, data: { code: 'INTERNAL_SERVER_ERROR', httpStatus: 500, path: procedure } } };
      const batch = route.request().url().includes('batch=1');
      await route.fulfill({ status: 500, contentType: 'application/json', body: JSON.stringify(batch ? decodeURIComponent(path).split(',').map(() => err) : err) });
    },
    { times: 1 },
  );
}

/** The first input inside a test id (Element Plus puts the attribute on the wrapper or the input). */
const input = (page: Page | Locator, id: string) => page.getByTestId(id).locator('input, textarea').or(page.locator(`input[data-testid="${id}"], textarea[data-testid="${id}"]`)).first();

test('policy: save toast (success and error), delete confirmation (cancel, error, confirm)', async ({ page }) => {
  await page.goto('/policy');
  await expect(page.getByTestId('policy-list')).toBeVisible();
  const name = `E2E 对话框 ${Date.now()}`;
  await page.getByTestId('policy-new').click();
  const editor = page.getByRole('dialog', { name: /新建政策|New policy/ });
  await expect(editor).toBeVisible();
  await input(editor, 'policy-name').fill(name);
  await editor.locator('.el-date-editor input').fill('2024-03-01');
  await editor.locator('.el-date-editor input').press('Enter');

  await failNext(page, 'policy.create', 'E2E 保存失败');
  await editor.getByTestId('policy-save').click();
  await expectToast(page, 'error', 'E2E 保存失败');
  await editor.getByTestId('policy-save').click();
  await expectToast(page, 'success');

  const item = page.locator('[data-testid^="policy-item-"]', { hasText: name });
  await expect(item).toBeVisible();
  // Cancel keeps it.
  await item.getByRole('button', { name: /删除|Delete/ }).click();
  let box = await expectConfirmBox(page, name);
  await box.getByRole('button', { name: /取消|Cancel/ }).click();
  await expect(box).toBeHidden();
  await expect(item).toBeVisible();
  // A failed delete says why and keeps it.
  await failNext(page, 'policy.delete', 'E2E 删除失败');
  await item.getByRole('button', { name: /删除|Delete/ }).click();
  box = await expectConfirmBox(page);
  await box.locator('.el-button--primary').click();
  await expectToast(page, 'error', 'E2E 删除失败');
  await expect(item).toBeVisible();
  // Confirmed, it goes.
  await item.getByRole('button', { name: /删除|Delete/ }).click();
  box = await expectConfirmBox(page);
  await box.locator('.el-button--primary').click();
  await expect(item).toHaveCount(0);
});

test('calibration: save toasts, move and finalise dialogs with their toasts, export error; the trail names actions', async ({ page }) => {
  await page.goto('/calibration');
  await expect(page.getByTestId('groups-table')).toBeVisible();
  await chartsReady(page, 1);
  const name = `E2E 对话框校准 ${Date.now()}`;
  await input(page, 'session-name').fill(name);
  await failNext(page, 'calibration.session.create', 'E2E 会话保存失败');
  await page.getByTestId('save-session').click();
  await expectToast(page, 'error', 'E2E 会话保存失败');
  await page.getByTestId('save-session').click();
  await expectToast(page, 'success');
  const detail = page.getByTestId('session-detail');
  await expect(detail).toContainText(name);

  // Move the first person: the dialog is styled; the toast names the person and the grades by name.
  const firstRow = page.getByTestId('session-people').locator('tbody tr').first();
  const employeeId = (await firstRow.locator('td').first().innerText()).trim();
  const employeeName = (await firstRow.locator('td').nth(1).innerText()).trim();
  const before = (await page.getByTestId(`final-${employeeId}`).getAttribute('data-grade'))!;
  const target = before === 'A' ? 'B' : 'A';
  const gradeName: Record<string, string> = { A: '优', B: '良', C: '中', D: '基本合格', E: '不合格' };
  await page.getByTestId(`adjust-${employeeId}`).click();
  const adjust = page.getByTestId('adjust-dialog');
  await expectDialog(adjust);
  await adjust.getByTestId(`adjust-grade-${target}`).click();
  await input(adjust, 'adjust-reason').fill('E2E：对话框检查');
  await adjust.getByTestId('adjust-submit').click();
  await expectToast(page, 'success', `${employeeName}（${employeeId}）：${gradeName[before]} → ${gradeName[target]}`);
  await expect(adjust).toBeHidden();

  // Export failing says so.
  await failNext(page, 'calibration.session.export', 'E2E 导出失败');
  await page.getByTestId('export-session').click();
  await expectToast(page, 'error', 'E2E 导出失败');

  // Finalise: styled dialog; a failure toasts and leaves it open; then it locks with a success toast.
  await page.getByTestId('finalise').click();
  const finalise = page.getByTestId('finalise-dialog');
  await expectDialog(finalise);
  const ack = finalise.getByTestId('finalise-ack');
  if (await ack.isVisible()) await ack.click();
  await failNext(page, 'calibration.session.finalise', 'E2E 定稿失败');
  await finalise.getByTestId('finalise-confirm').click();
  await expectToast(page, 'error', 'E2E 定稿失败');
  await expect(detail).toHaveAttribute('data-status', 'open');
  await finalise.getByTestId('finalise-confirm').click();
  await expectToast(page, 'success');
  await expect(detail).toHaveAttribute('data-status', 'final');

  // The session's trail: action names, never `calibration.adjust`; the move in words.
  const trail = page.getByTestId('audit-table');
  const actions = trail.getByTestId('session-audit-action');
  await expect(actions).toHaveCount(3);
  const texts = (await actions.allInnerTexts()).map((s) => s.trim());
  expect(texts).toEqual(['定稿', '调整', '创建']);
  for (const s of texts) expect(s).not.toMatch(/^[a-z_]+\.[a-z_.]+$/);
  const moveRow = trail.locator('tbody tr', { has: page.locator('[data-code="calibration.adjust"]') });
  await expect(moveRow).toContainText(`${employeeName}（${employeeId}）`);
  await expect(moveRow).toContainText(`${gradeName[before]} → ${gradeName[target]}`);
  await expect(trail).not.toContainText('{');

  // The admin audit page: the same entries by name, the code only as a muted aside.
  await page.goto('/admin/audit');
  await input(page, 'audit-action').fill('calibration.');
  const cells = page.getByTestId('audit-action-cell');
  // The filter applies after a pause: wait until the table lists calibration entries only.
  await expect
    .poll(async () => (await cells.evaluateAll((els) => els.map((e) => e.getAttribute('data-code') ?? ''))).every((c) => c.startsWith('calibration.')) && (await cells.count()) >= 3)
    .toBe(true);
  await expect(page.getByTestId('audit-log-table')).toContainText('调整等级');
  const shown = await cells.evaluateAll((els) => els.map((e) => ({ text: (e as HTMLElement).innerText.trim(), code: e.getAttribute('data-code') })));
  expect(shown.length).toBeGreaterThanOrEqual(3);
  for (const c of shown) {
    expect(c.code).toMatch(/^calibration\./);
    expect(c.text, `the ${c.code} cell shows a name`).not.toBe(c.code);
    expect(c.text).not.toMatch(/^[a-z_]+\.[a-z_.]+$/);
  }
  const code = page.locator('.action-code').first();
  const muted = await styleOf(code, ['font-size']);
  expect(parseFloat(muted['font-size']!), 'the code beside the name is small').toBeLessThan(13);
  const adjustRow = page.getByTestId('audit-log-table').locator('tbody tr', { has: page.locator('[data-code="calibration.adjust"]') }).first();
  await expect(adjustRow.getByTestId('audit-change-words')).toContainText(`${gradeName[before]} → ${gradeName[target]}`);

  // English: the same names in English.
  await page.getByTestId('lang-en').click();
  await expect(page.getByTestId('audit-log-table')).toContainText('Grade moved');
  await page.getByTestId('lang-zh').click();
});

test('admin users: edit dialog and saved toast, password reset confirmation (cancel, error, confirm), copy toast, export toasts', async ({ page }) => {
  // A user of its own, so disabling and resetting touch nobody another test signs in as.
  const login = `e2e.dlg.${Date.now()}`;
  const created = await page.request.post('/trpc/admin.users.create', { data: { id: login, name: 'E2E 对话框用户', role: 'analyst', orgScopes: [] } });
  expect(created.status(), await created.text()).toBe(200);
  // The one-time password handed back for the new login (the admin would pass it on).
  expect((await created.json()).result.data).toMatchObject({ user: { id: login } });
  await page.goto('/admin/users');
  await expect(page.getByTestId('user-table')).toContainText(login);

  // Edit → disable → save: styled dialog, success toast naming the login.
  await page.getByTestId(`user-edit-${login}`).click();
  const dialog = page.getByTestId('user-dialog');
  await expectDialog(dialog);
  await dialog.getByTestId('user-disabled').click();
  await dialog.getByTestId('user-save').click();
  await expectToast(page, 'success', login);
  // (The old tag fades out beside the new one, so look for the new one by its text.)
  await expect(page.getByTestId(`user-status-${login}`).filter({ hasText: /已停用|Disabled/ })).toBeVisible();

  // Reset password: cancel does nothing; a failure toasts; confirmed, the one-time password shows.
  await page.getByTestId(`user-reset-${login}`).click();
  let box = await expectConfirmBox(page, login);
  await box.getByRole('button', { name: /取消|Cancel/ }).click();
  await expect(box).toBeHidden();
  await failNext(page, 'admin.users.resetPassword', 'E2E 重置失败');
  await page.getByTestId(`user-reset-${login}`).click();
  box = await expectConfirmBox(page);
  await box.locator('.el-button--primary').click();
  await expectToast(page, 'error', 'E2E 重置失败');
  await page.getByTestId(`user-reset-${login}`).click();
  box = await expectConfirmBox(page);
  await box.locator('.el-button--primary').click();
  await expect(page.getByTestId('one-time-password')).toBeVisible();
  // Copying says whether it worked (headless Chromium may refuse the clipboard: either toast is styled).
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.getByTestId('secret-copy').click();
  await expect(page.locator('.el-message--success, .el-message--warning').filter({ hasText: /复制|cop/i }).first()).toBeVisible();
  const kind = (await page.locator('.el-message--success').filter({ hasText: /复制|cop/i }).count()) > 0 ? 'success' : 'warning';
  await expectToast(page, kind, /复制|cop/i);

  // The user list as XLSX: a success toast naming the file, and an error toast when it fails.
  const download = page.waitForEvent('download');
  await page.getByTestId('users-xlsx').click();
  await download;
  await expectToast(page, 'success', /\.xlsx/);
  await failNext(page, 'table.exportXlsx', 'E2E 表格导出失败');
  await page.getByTestId('users-xlsx').click();
  await expectToast(page, 'error', 'E2E 表格导出失败');
});

test('audit page: the CSV export failing toasts', async ({ page }) => {
  await page.goto('/admin/audit');
  await expect(page.getByTestId('audit-log-table')).toBeVisible();
  await failNext(page, 'admin.audit.export', 'E2E 审计导出失败');
  await page.getByTestId('audit-export').click();
  await expectToast(page, 'error', 'E2E 审计导出失败');
});

test('account: token revoke confirmation (cancel, error, confirm) and its toasts', async ({ page }) => {
  await page.goto('/account');
  const tokenName = `E2E 对话框令牌 ${Date.now()}`;
  await input(page, 'token-name').fill(tokenName);
  await page.getByTestId('token-create').click();
  await expect(page.getByTestId('token-created')).toBeVisible();
  const tokens = await trpcQuery<Array<{ id: string; name: string }>>(page, 'auth.tokens.list');
  const id = tokens.find((x) => x.name === tokenName)!.id;

  await page.getByTestId(`token-revoke-${id}`).click();
  let box = await expectConfirmBox(page, tokenName);
  await box.getByRole('button', { name: /取消|Cancel/ }).click();
  await expect(box).toBeHidden();
  await expect(page.getByTestId(`token-status-${id}`)).toHaveText(/有效|Active/);

  await failNext(page, 'auth.tokens.revoke', 'E2E 吊销失败');
  await page.getByTestId(`token-revoke-${id}`).click();
  box = await expectConfirmBox(page);
  await box.locator('.el-button--primary').click();
  await expectToast(page, 'error', 'E2E 吊销失败');

  await page.getByTestId(`token-revoke-${id}`).click();
  box = await expectConfirmBox(page);
  await box.locator('.el-button--primary').click();
  await expectToast(page, 'success', tokenName);
  await expect(page.getByTestId(`token-revoke-${id}`)).toHaveCount(0);
});

test('simulation: saving a scenario toasts success, and a failed save toasts the error', async ({ page }) => {
  await page.goto('/simulation');
  await page.getByTestId('scheme-select').click();
  await page.locator('.el-select-dropdown__item', { hasText: '(merchandiser-v1)' }).first().click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-running', 'false');
  const name = `E2E 对话框方案 ${Date.now()}`;
  await input(page, 'scenario-name').fill(name);
  await failNext(page, 'scenario.save', 'E2E 方案保存失败');
  await page.getByTestId('save-scenario').click();
  await expectToast(page, 'error', 'E2E 方案保存失败');
  await page.getByTestId('save-scenario').click();
  await expectToast(page, 'success');
  await expect(page.getByTestId(`pick-${name}`)).toBeVisible();
});

test('roles: the rename dialog names the role (code beside it) and its save toasts success and error', async ({ page }) => {
  await page.goto('/data');
  await page.getByTestId('role-rename-merchandiser').click();
  const dialog = page.getByTestId('role-rename-dialog');
  await expectDialog(dialog);
  // The title names the role by its name; the code is only the aside in brackets.
  await expect(dialog.locator('.el-dialog__title')).toHaveText('重命名岗位「跟单员」（merchandiser）');
  await failNext(page, 'roles.rename', 'E2E 改名失败');
  await dialog.getByTestId('role-rename-save').click();
  await expectToast(page, 'error', 'E2E 改名失败');
  // Saved unchanged, so no other test sees a different name.
  await dialog.getByTestId('role-rename-save').click();
  await expectToast(page, 'success');
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('role-name-merchandiser')).toHaveText('跟单员');
});

/** The uploaded file as a flat sheet (chosen if the page did not propose it), creations confirmed, run. */
async function runFlatImport(page: Page): Promise<void> {
  const select = page.getByTestId('target-table');
  if (!(await select.innerText()).match(/考核总表|Flat assessment sheet/)) {
    await select.click();
    await page.getByTestId('table-option-flat').click();
  }
  await expect(page.getByTestId('mapping-table')).toBeVisible();
  await confirmCreation(page);
  await page.getByTestId('run-import').click();
}

test('import: the success result and the failure alert are visible and styled', async ({ page }) => {
  await page.goto('/data');
  // A failing file: an unknown grade.
  await uploadFile(page, 'dialogs-bad.csv', ['工号,姓名,部门,岗位,考核期间,得分,等级', 'X70001,对话框甲,E2E 对话框部,sales,2025-12,88,Z'].join('\n'));
  await runFlatImport(page);
  const failed = page.getByTestId('result-failed');
  await expect(failed).toBeVisible();
  const fs = await styleOf(failed, ['background-color', 'display']);
  expect(transparent(fs['background-color']!), `failure alert background ${fs['background-color']}`).toBe(false);
  expect(fs.display).toBe('flex');

  // A good file: the success result, with Element's result layout (centred, with its icon).
  await page.goto('/data');
  await uploadFile(page, 'dialogs-good.csv', ['工号,姓名,部门,岗位,考核期间,得分,等级', 'X70002,对话框乙,E2E 对话框部,sales,2025-12,88,良'].join('\n'));
  await runFlatImport(page);
  const ok = page.getByTestId('result-ok');
  await expect(ok).toBeVisible();
  const os = await styleOf(ok, ['display', 'text-align', 'flex-direction']);
  expect(os.display).toBe('flex');
  expect(os['flex-direction']).toBe('column');
  await expect(ok.locator('.el-result__icon svg')).toBeVisible();
});

test('a session that ends mid-use: a styled warning toast, then the sign-in page', async ({ page }) => {
  // A session of its own (the viewer's), ended on the server, so the admin state other tests use stays valid.
  await signInAs(page, 'viewer');
  await page.goto('/account');
  await expect(page.getByTestId('account-page')).toBeVisible();
  const out = await page.request.post('/trpc/auth.signOut', { data: {} });
  expect(out.status()).toBe(200);
  // The app still thinks it is signed in; opening the overview asks the server, which answers 401.
  await page.getByTestId('nav-overview').click();
  await expectToast(page, 'warning', /登录已失效|session has ended|sign in again/i);
  await expect(page).toHaveURL(/sign-in/);
});
