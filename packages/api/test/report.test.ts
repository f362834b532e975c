import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TRPCError } from '@trpc/server';
import { builtinScheme, GRADE_LABELS } from '@perflens/core';
import { formatEffect, fmtInt, formatYuan } from '@perflens/charts';
import { outcomeValueUnit } from '@perflens/core/policy/units';
import { policyHeadline, Warehouse } from '@perflens/warehouse';
import { AuthService } from '@perflens/auth';
import { appRouter, createCallerFactory } from '../src/index.ts';
import { loadDemo } from '../../demo/src/index.ts';

/*
 * The report against a real DuckDB file holding the demo company: rendered in both languages,
 * turned into PNG pages (pdftoppm) and text (pdftotext), and its headline figures compared with
 * what the API's own procedures answer for the same request.
 */
let dir: string;
let wh: Warehouse;
const createCaller = createCallerFactory(appRouter);
let caller: ReturnType<typeof createCaller>;
let sessionId: string;
let scenarioId: string;
const POLICY = 'POL-2024-MD-V2';
const OUTCOME = 'kpi:order_accuracy';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perflens-api-report-'));
  wh = await Warehouse.open({ path: join(dir, 'demo.duckdb') });
  await loadDemo(wh, { employees: 200 });
  caller = createCaller({ wh, lang: 'zh' });
  ({ id: sessionId } = await caller.calibration.session.create({ name: '2024 年终校准', ranking: { from: '2024-12', to: '2024-12' } }));
  const first = (await caller.calibration.session.get({ id: sessionId, people: { limit: 1 } })).people.rows[0]!;
  const to = first.finalGrade === 'A' ? 'B' : 'A';
  await caller.calibration.session.adjust({ id: sessionId, employeeId: first.employeeId, periodId: first.periodId, grade: to, reason: '年度大客户项目表现突出' });
  await caller.calibration.session.finalise({ id: sessionId });
  const cs = builtinScheme('cs_ecommerce-v1');
  const edited = { ...cs, kpis: cs.kpis.map((k) => (k.code === 'inquiry_conversion' ? { ...k, weight: 40 } : k.code === 'payment_rate' ? { ...k, weight: 15 } : k)) };
  ({ id: scenarioId } = await caller.scenario.save({ name: 'Conversion weighs 40', baseSchemeId: 'cs_ecommerce-v1', scheme: edited }));
}, 180_000);
afterAll(() => {
  wh.close();
  rmSync(dir, { recursive: true, force: true });
});

function pdfToText(base64: string, name: string, minPages = 1): string {
  const file = join(dir, `${name}.pdf`);
  writeFileSync(file, Buffer.from(base64, 'base64'));
  // Every page must render as an image too: a broken content stream or font fails here.
  execFileSync('pdftoppm', ['-r', '24', '-png', file, join(dir, `${name}-page`)]);
  expect(readdirSync(dir).filter((f) => f.startsWith(`${name}-page`)).length).toBeGreaterThanOrEqual(minPages);
  // Without -layout: wrapped table cells and multi-column facts come out as plain runs of text.
  return execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
}

const request = { filters: { from: '2024-01', to: '2024-12' }, policyIds: [POLICY], outcome: OUTCOME, scenarioIds: [] as string[], calibrationId: '' };

describe('report.create', () => {
  it.each(['zh', 'en'] as const)('the %s report holds the API’s own figures, the CJK title and every section', async (lang) => {
    const input = { ...request, scenarioIds: [scenarioId], calibrationId: sessionId, lang };
    const out = await caller.report.create(input);
    expect(out.mimeType).toBe('application/pdf');
    expect(out.fileName).toMatch(new RegExp(`^perflens-report-\\d{4}-\\d{2}-\\d{2}-${lang}\\.pdf$`));
    const text = pdfToText(out.base64, lang, 4);
    const locale = lang === 'zh' ? 'zh-CN' : 'en-US';

    // The CJK title is text in both languages (the product name carries 绩效透镜 in English too).
    expect(text).toContain('绩效透镜');
    expect(text).toContain(lang === 'zh' ? '绩效分析报告' : 'Performance analysis report');

    // Headline counts = meta.overview and distribution.grades for the same filters.
    const overview = await caller.meta.overview();
    const grades = await caller.distribution.grades({ from: '2024-01', to: '2024-12' });
    expect(text).toContain(fmtInt(overview.employees, locale));
    expect(text).toContain(fmtInt(grades.groups[0]!.total + grades.ungraded, locale));
    for (const g of ['A', 'B', 'C', 'D', 'E'] as const) expect(text).toContain(GRADE_LABELS[g][lang]);

    // The policy's headline estimate, CI and verdict = policy.effect's, formatted as the dashboard does.
    const effect = await caller.policy.effect({ policyId: POLICY, outcome: OUTCOME });
    const h = policyHeadline(effect);
    const shown = formatEffect(h.estimate, h.ci, outcomeValueUnit(OUTCOME), lang);
    expect(h.estimate).not.toBeNull();
    expect(text).toContain(shown.value);
    expect(text).toContain(shown.ci);
    expect(text).toContain(effect.summary[lang].slice(0, 20));
    expect(text).toContain(effect.policy.name);

    // The scenario's cost = scenario.compare's.
    const [cmp] = await caller.scenario.compare({ ids: [scenarioId], pageSize: 1 });
    expect(text).toContain(formatYuan(cmp!.result.cost.scenario, { wan: true }, lang));
    expect(text).toContain('Conversion weighs 40');

    // The calibration: the session, its reason, and the quota line.
    expect(text).toContain('2024 年终校准');
    expect(text).toContain('年度大客户项目表现突出');

    // And it is on the audit trail as an export.
    const trail = await wh.query<{ action: string }>(`SELECT action FROM audit_log WHERE action = 'export.report'`);
    expect(trail.length).toBeGreaterThan(0);
  }, 120_000);

  it('rejects unknown keys and unknown policies with a clear error, writing nothing', async () => {
    const typo = await caller.report.create({ ...request, calibrationId: undefined, policy: 'x' } as never).catch((e: unknown) => e);
    expect((typo as TRPCError).code).toBe('BAD_REQUEST');
    const missing = await caller.report.create({ ...request, calibrationId: undefined, policyIds: ['NOPE'] }).catch((e: unknown) => e);
    expect((missing as TRPCError).code).toBe('NOT_FOUND');
  });

  it('a manager gets a report of their own unit, and no policy section they may not see', async () => {
    // As the HTTP server builds the caller for a signed-in manager of 跟单一部.
    const auth = new AuthService(wh);
    const user = { id: 'u-manager', name: 'Manager MD1', role: 'manager' as const, orgScopes: ['OU-MD1'], mustChangePassword: false, disabled: false, createdAt: '' };
    const actor = await auth.actorFor(user, '127.0.0.1', 'session');
    const asManager = createCaller({ wh, lang: 'en', http: { auth, actor, ip: '127.0.0.1', sessionToken: null, setSession: () => undefined } });
    const own = await asManager.report.create({ filters: {}, lang: 'en' });
    const text = pdfToText(own.base64, 'manager');
    const scoped = await asManager.distribution.grades({});
    const all = await caller.distribution.grades({});
    expect(scoped.groups[0]!.total).toBeLessThan(all.groups[0]!.total);
    expect(text).toContain(fmtInt(scoped.groups[0]!.total + scoped.ungraded, 'en-US'));
    expect(text).not.toContain(fmtInt(all.groups[0]!.total + all.ungraded, 'en-US'));
    const denied = await asManager.report.create({ filters: {}, policyIds: [POLICY] }).catch((e: unknown) => e);
    expect((denied as TRPCError).code).toBe('FORBIDDEN');
  }, 60_000);
});
