import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { chartsReady, trpcQuery } from './helpers.ts';

type Grade = 'A' | 'B' | 'C' | 'D' | 'E';
const GRADES: Grade[] = ['A', 'B', 'C', 'D', 'E'];

interface Ranking {
  groups: Array<{ key: string; n: number; quota: Record<Grade, number> }>;
  totals: { n: number };
}
interface Session {
  id: string;
  status: 'open' | 'final';
  audit: Array<{ action: string; actor: string | null; reason: string | null; before: { grade?: string; employeeId?: string } | null; after: { grade?: string; employeeId?: string } | null }>;
  people: { rows: Array<{ employeeId: string; finalGrade: string }> };
}

/** The first input inside a test id (Element Plus puts the attribute on the wrapper or the input). */
const input = (page: Page, id: string) => page.getByTestId(id).locator('input').or(page.locator(`input[data-testid="${id}"]`)).first();

test('run a calibration, move one person with a reason, finalise, export and find the change in the audit log', async ({ page }) => {
  await page.goto('/calibration');
  await expect(page.getByTestId('groups-table')).toBeVisible();
  await chartsReady(page, 1);

  // 20/70/10 preset: quotas in people. Hand rule: every group's quotas add up to its headcount,
  // 良 and 基本合格 get nobody, and 优 is 20% of the headcount rounded down or up by one.
  await page.getByTestId('preset-207010').click();
  await expect(page.getByTestId('share-total')).toHaveText('100%');
  const period = (await page.getByTestId('calib-settings').getAttribute('data-period'))!;
  expect(period).toMatch(/^\d{4}-\d{2}$/);
  const ranking = await trpcQuery<Ranking>(page, 'ranking.forced', { from: period, guideline: { mode: 'shares', shares: { A: 20, B: 0, C: 70, D: 0, E: 10 } }, people: { limit: 1 } });
  expect(ranking.groups.length).toBeGreaterThan(3);
  await expect(page.getByTestId('total-n')).toHaveText(ranking.totals.n.toLocaleString('zh-CN'));
  for (const g of ranking.groups.filter((x) => x.n >= 10).slice(0, 4)) {
    const quota: Record<string, number> = {};
    for (const x of GRADES) {
      const cell = page.getByTestId(`quota-${g.key}-${x}`);
      await expect(cell).toHaveAttribute('data-quota', /\d+/);
      quota[x] = Number(await cell.getAttribute('data-quota'));
    }
    expect(GRADES.reduce((a, x) => a + quota[x]!, 0)).toBe(g.n);
    expect(quota.B).toBe(0);
    expect(quota.D).toBe(0);
    expect(Math.abs(quota.A! - 0.2 * g.n)).toBeLessThan(1);
    expect(Math.abs(quota.E! - 0.1 * g.n)).toBeLessThan(1);
  }
  // A group's chart follows the click on its row.
  const firstKey = ranking.groups[1]!.key;
  await page.getByTestId(`group-row-${firstKey}`).click();
  await chartsReady(page, 1);

  // Save the proposal as a session: the page switches to it.
  const name = `E2E 校准 ${Date.now()}`;
  await input(page, 'session-name').fill(name);
  await page.getByTestId('save-session').click();
  const detail = page.getByTestId('session-detail');
  await expect(detail).toBeVisible();
  await expect(detail).toContainText(name);
  await expect(detail).toHaveAttribute('data-status', 'open');

  // Move the first listed person to another grade; the reason is required.
  const firstRow = page.getByTestId('session-people').locator('tbody tr').first();
  const employeeId = (await firstRow.locator('td').first().innerText()).trim();
  const before = (await page.getByTestId(`final-${employeeId}`).getAttribute('data-grade')) as Grade;
  const target: Grade = before === 'A' ? 'B' : 'A';
  const sessionId = (await trpcQuery<Array<{ id: string; name: string }>>(page, 'calibration.session.list')).find((s) => s.name === name)!.id;
  const groupKey = (await trpcQuery<{ people: { rows: Array<{ employeeId: string; groupKey: string }> } }>(page, 'calibration.session.get', { id: sessionId, people: { search: employeeId } })).people.rows[0]!.groupKey;
  const diffBefore = Number(await page.getByTestId(`counter-${groupKey}-${target}`).getAttribute('data-diff'));

  await page.getByTestId(`adjust-${employeeId}`).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByTestId(`adjust-grade-${target}`).click();
  await expect(dialog.getByTestId('adjust-submit')).toBeDisabled();
  const reason = 'E2E：第四季度牵头挽回大客户，评审记录为证';
  await dialog.getByTestId('adjust-reason').locator('textarea').or(dialog.locator('textarea[data-testid="adjust-reason"]')).first().fill(reason);
  await dialog.getByTestId('adjust-submit').click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId(`final-${employeeId}`)).toHaveAttribute('data-grade', target);
  // The running counter of the person's group moved by exactly one toward "over" on the new grade.
  await expect(page.getByTestId(`counter-${groupKey}-${target}`)).toHaveAttribute('data-diff', String(diffBefore + 1));

  // Finalise: the move left the person's group over quota on the new grade, so the dialog lists
  // that group and locks only after an explicit acknowledgement.
  await page.getByTestId('finalise').click();
  const finaliseDialog = page.getByTestId('finalise-dialog');
  await expect(finaliseDialog).toBeVisible();
  await expect(finaliseDialog.getByTestId('off-quota')).toBeVisible();
  await expect(finaliseDialog.getByTestId(`off-quota-${groupKey}`)).toBeVisible();
  // Styled (Element's dialog CSS is in the build), not raw text over the page.
  expect(await finaliseDialog.evaluate((e) => getComputedStyle(e).backgroundColor)).toBe('rgb(255, 255, 255)');
  await expect(finaliseDialog.getByTestId('finalise-confirm')).toBeDisabled();
  await finaliseDialog.getByTestId('finalise-ack').click();
  await finaliseDialog.getByTestId('finalise-confirm').click();
  await expect(detail).toHaveAttribute('data-status', 'final');
  await expect(page.getByTestId('locked-note')).toBeVisible();
  await expect(page.getByTestId(`adjust-${employeeId}`)).toBeDisabled();
  const refused = await page.request.post('/trpc/calibration.session.adjust', {
    data: { id: sessionId, employeeId, periodId: period, grade: before, reason: 'after finalising' },
  });
  expect(refused.status()).toBe(409);
  expect(await refused.text()).toContain('已于');

  // Export: the download happens and is an XLSX (a zip: "PK").
  const download = page.waitForEvent('download');
  await page.getByTestId('export-session').click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^calibration-.*\.xlsx$/);
  const bytes = readFileSync((await file.path())!);
  expect(bytes.subarray(0, 2).toString('latin1')).toBe('PK');

  // The change is in the audit trail: in the page and through the API.
  const audit = page.getByTestId('audit-table');
  await expect(audit).toContainText(reason);
  await expect(audit).toContainText(employeeId);
  const session = await trpcQuery<Session>(page, 'calibration.session.get', { id: sessionId });
  expect(session.status).toBe('final');
  const entry = session.audit.find((a) => a.action === 'calibration.adjust');
  expect(entry?.reason).toBe(reason);
  expect(entry?.before?.grade).toBe(before);
  expect(entry?.after?.grade).toBe(target);
  expect(entry?.after?.employeeId).toBe(employeeId);
  // …and so is the export: who took the grades out, and when, signed in as the admin.
  expect(session.audit.map((a) => a.action)).toEqual(['calibration.create', 'calibration.adjust', 'calibration.finalise', 'export.calibration']);
  expect(session.audit.at(-1)?.actor).toBe('admin');
});
