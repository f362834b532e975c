import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TRPCError } from '@trpc/server';
import { policyAssessmentPanel, policyDistribution, policyHeadline, policyPanel, Warehouse } from '@perflens/warehouse';
import { appRouter, createCallerFactory } from '../src/index.ts';
import { loadDemo } from '../../demo/src/index.ts';
// exceljs is the warehouse's dependency (it writes the workbook); the test reads it back with it.
import ExcelJS from '../../warehouse/node_modules/exceljs';

/*
 * The demo company has two policies with built-in effects (packages/demo/src/simulate.ts):
 * 跟单一部 (OU-MD1) merchandisers get scheme v2 from 2024-07 and their order accuracy rises by
 * 0.04 (跟单二部 OU-MD2 is the untouched control); forced distribution applies to the whole
 * company from 2025-01, so it has no control group.
 */
let dir: string;
let wh: Warehouse;
const createCaller = createCallerFactory(appRouter);
let caller: ReturnType<typeof createCaller>;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perflens-api-policy-'));
  wh = await Warehouse.open({ path: join(dir, 'demo.duckdb') });
  await loadDemo(wh, {});
  caller = createCaller({ wh, lang: 'zh' });
}, 120_000);
afterAll(() => {
  wh.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('policy.effect on the demo company', () => {
  it('the scoped merchandiser policy shows its built-in positive effect on order accuracy', async () => {
    const r = await caller.policy.effect({ policyId: 'POL-2024-MD-V2', outcome: 'kpi:order_accuracy' });
    expect(r.unit).toBe('employee');
    expect(r.itsFallback).toBe(false);
    expect(r.did!.seType).toBe('cluster');
    expect(r.did!.units.treated).toBeGreaterThanOrEqual(10);
    // Built-in effect +0.04 (accuracy as a fraction): the 95% CI must exclude 0 and the estimate sit near 0.04.
    expect(r.did!.ci![0]).toBeGreaterThan(0);
    expect(Math.abs(r.did!.estimate - 0.04)).toBeLessThan(0.01);
    expect(r.window).toMatchObject({ firstAfter: '2024-07', periodsBefore: 18, periodsAfter: 18 });
    expect(r.eventStudy!.points.find((p) => p.rel === -1)!.reference).toBe(true);
    expect(r.summary.en).toMatch(/^Order accuracy rose \d\.\d\d pp more in treated employees than in control ones; 95% CI/);
    expect(r.summary.zh).toContain('订单准确率多上升了');
    // The company-wide forced ranking overlaps the pilot's scope at another date.
    expect(r.staggered.policies.map((p) => p.id)).toEqual(['POL-2025-FORCED']);
  }, 60_000);

  it('org-unit level: one treated and one control department — the estimate, but no p-value the design cannot support', async () => {
    const r = await caller.policy.effect({ policyId: 'POL-2024-MD-V2', outcome: 'kpi:order_accuracy', unit: 'orgUnit' });
    expect(r.panel.units).toEqual({ treated: 1, control: 1 });
    expect(r.did!.estimate).toBeGreaterThan(0);
    // Was: classical OLS errors and p ≈ 1e-30 from 72 department-months.
    expect(r.did!.p).toBeNull();
    expect(r.did!.pValue).toBeNull();
    expect(r.did!.ci).toBeNull();
    expect(r.did!.reason!.code).toBe('single_treated_cluster');
    expect(r.eventStudy?.points.every((p) => p.p === null) ?? true).toBe(true);
    expect(r.warnings.map((w) => w.code)).toContain('no_p_value');
    expect(r.summary.en).toMatch(/no p-value/);
    expect(r.summary.en).not.toMatch(/p [<=] /);
    // The executive headline of that analysis shows no p-value and no verdict.
    const h = policyHeadline(r);
    expect([h.method, h.p, h.ci, h.verdict]).toEqual(['did', null, null, 'unclear']);
    expect(h.reason!.en).toMatch(/Only one treated unit/);
  }, 60_000);

  it('the company-wide policy falls back to the interrupted time series', async () => {
    const r = await caller.policy.effect({ policyId: 'POL-2025-FORCED', outcome: 'score' });
    expect(r.did).toBeNull();
    expect(r.itsFallback).toBe(true);
    expect(r.its).not.toBeNull();
    expect(r.its!.periods).toEqual({ pre: 24, post: 12 });
    expect(r.warnings.map((w) => w.code)).toContain('no_control');
    expect(r.summary.en).toMatch(/^No usable control group\. As an interrupted time series/);
    expect(r.distribution.note.en).toMatch(/forced ranking/);
    expect(r.distribution.grades.treated.test).not.toBeNull();
  }, 60_000);
});

describe('the control group of a role-scoped policy', () => {
  it('is the same role outside the scope: 跟单二部 merchandisers for the 跟单一部 merchandiser pilot', async () => {
    const r = await caller.policy.effect({ policyId: 'POL-2024-MD-V2', outcome: 'score' });
    expect(r.control).toMatchObject({ kind: 'automatic', roles: 'same' });
    expect(r.methods.control).toMatch(/same roles/);
    // Control employees: merchandisers outside 跟单一部 with monthly scores on both sides of 2024-07.
    const [n] = await wh.query<{ n: number }>(
      `SELECT count(*)::INTEGER AS n FROM (
         SELECT employee_id FROM assessment_facts
          WHERE period_kind = 'month' AND role = 'merchandiser' AND org_unit_id <> 'OU-MD1' AND score IS NOT NULL
          GROUP BY employee_id
         HAVING bool_or(period_start < DATE '2024-07-01') AND bool_or(period_start >= DATE '2024-07-01'))`,
    );
    expect(r.did!.units.control).toBe(n!.n);
    expect(r.warnings.map((w) => w.code)).not.toContain('control_other_roles');
  }, 60_000);

  it('falls back to the other roles, with a warning, when the whole role is in scope', async () => {
    const { policy } = await caller.policy.create({ name: '全体跟单员', effectiveFrom: '2024-07-01', scopeRoles: ['merchandiser'] });
    try {
      const r = await caller.policy.effect({ policyId: policy.id, outcome: 'score' });
      expect(r.control.roles).toBe('other');
      expect(r.warnings.map((w) => w.code)).toContain('control_other_roles');
      expect(r.did).not.toBeNull();
    } finally {
      await caller.policy.delete({ id: policy.id });
    }
  }, 60_000);
});

describe('the executive view and the export', () => {
  it('brief: one card per outcome with the headline effect judged by the outcome’s good direction', async () => {
    const r = await caller.policy.brief({ policyId: 'POL-2024-MD-V2', outcomes: ['kpi:order_accuracy', 'score', 'bonus'] });
    expect(r.policy.id).toBe('POL-2024-MD-V2');
    expect(r.items.map((i) => i.outcome.id)).toEqual(['kpi:order_accuracy', 'score', 'bonus']);
    const acc = r.items[0]!;
    // The same numbers as policy.effect for that outcome.
    const full = await caller.policy.effect({ policyId: 'POL-2024-MD-V2', outcome: 'kpi:order_accuracy' });
    expect(acc.headline).toMatchObject({ method: 'did', estimate: full.did!.estimate, p: full.did!.p });
    expect(acc.polarity).toBe('higher');
    expect(acc.headline.verdict).toBe('improved'); // +0.04 built in, CI excludes 0
    expect(acc.series).toHaveLength(full.series.length);
    expect(acc.summary).toEqual(full.summary);
    expect(r.items[2]!.polarity).toBe('neutral'); // bonus per head: a cost and a reward at once
    // The company-wide policy has no control: the headline is the ITS level change.
    const forced = await caller.policy.brief({ policyId: 'POL-2025-FORCED', outcomes: ['score'] });
    expect(forced.items[0]!.headline.method).toBe('its');
  }, 120_000);

  it('brief on an org-unit metric of the one-department pilot (1 treated unit): no p-value, verdict unclear', async () => {
    const metric = (await caller.policy.outcomes()).find((o: { id: string }) => o.id.startsWith('metric:'))!;
    const r = await caller.policy.brief({ policyId: 'POL-2024-MD-V2', outcomes: [metric.id as never] });
    const it0 = r.items[0]!;
    expect(it0.panel.units.treated).toBe(1);
    expect(it0.headline.estimate).not.toBeNull();
    expect(it0.headline.p).toBeNull();
    expect(it0.headline.ci).toBeNull();
    expect(it0.headline.verdict).toBe('unclear');
    expect(it0.headline.reason!.en).toMatch(/Only one treated unit/);
    expect(it0.summary.en).not.toMatch(/p [<=] /);
    expect(it0.warnings.map((w) => w.code)).toContain('no_p_value');
  }, 60_000);

  it('a roll-out of the pilot’s scheme to 跟单二部 makes the design staggered: Callaway–Sant’Anna headline, TWFE beside it', async () => {
    const { policy } = await caller.policy.create({
      name: '跟单二部推广 v2',
      effectiveFrom: '2025-01-01',
      scopeOrgUnitIds: ['OU-MD2'],
      scopeRoles: ['merchandiser'],
      schemeBefore: 'merchandiser-v1',
      schemeAfter: 'merchandiser-v2',
    });
    try {
      const r = await caller.policy.effect({ policyId: 'POL-2024-MD-V2', outcome: 'kpi:order_accuracy' });
      expect(r.staggered.cs).not.toBeNull();
      expect(r.staggered.headline).toBe('cs');
      expect(r.staggered.cs!.cohorts.map((c) => c.cohort)).toEqual([0, 6]);
      expect(r.did).not.toBeNull();
      // The pilot's built-in +0.04 is what the not-yet-treated comparison sees in its first months.
      const first = r.staggered.cs!.eventStudy.find((p) => p.e === 0)!;
      expect(Math.abs(first.estimate - 0.04)).toBeLessThan(0.015);
      expect(r.summary.en).toMatch(/headline is the Callaway–Sant’Anna estimate/);
      expect(r.methods.staggered).toMatch(/Callaway & Sant'Anna/);
      const b = await caller.policy.brief({ policyId: 'POL-2024-MD-V2', outcomes: ['kpi:order_accuracy'] });
      expect(b.items[0]!.headline).toMatchObject({ method: 'cs', estimate: r.staggered.cs!.overall.estimate, p: r.staggered.cs!.overall.p });
    } finally {
      await caller.policy.delete({ id: policy.id });
    }
  }, 120_000);

  it('exportXlsx: a workbook whose summary row per outcome carries the same estimate, and every detail sheet', async () => {
    const x = await caller.policy.exportXlsx({ policyId: 'POL-2024-MD-V2', outcomes: ['kpi:order_accuracy', 'score'] });
    expect(x.fileName).toMatch(/^perflens-policy-POL-2024-MD-V2-\d{4}-\d{2}-\d{2}\.xlsx$/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(x.base64, 'base64') as never);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['摘要', '均值', '事件研究', '时间序列', '中断时间序列', '分布变化', '提示与方法']);
    const summary = wb.getWorksheet('摘要')!;
    expect(summary.getRow(1).getCell(2).value).toBe((await caller.policy.get({ id: 'POL-2024-MD-V2' })).name);
    // The scope names the unit and the role as people know them, not OU-MD1 / merchandiser.
    expect(summary.getRow(3).getCell(2).value).toBe('跟单一部, 跟单员');
    const header = summary.getRow(6).values as unknown[];
    expect(header.slice(1, 4)).toEqual(['指标', '方法', '效应估计']);
    const full = await caller.policy.effect({ policyId: 'POL-2024-MD-V2', outcome: 'kpi:order_accuracy' });
    const row = summary.getRow(7);
    expect(row.getCell(2).value).toBe('双重差分');
    expect(row.getCell(3).value).toBe(full.did!.estimate);
    expect(row.getCell(6).value).toBe(full.did!.p);
    expect(row.getCell(7).value).toBe('改善');
    expect(row.getCell(12).value).toBe(full.summary.zh);
    // Event study: one row per relative period of each outcome that has one.
    const es = wb.getWorksheet('事件研究')!;
    expect(es.rowCount - 1).toBe(full.eventStudy!.points.length + (await caller.policy.effect({ policyId: 'POL-2024-MD-V2', outcome: 'score' })).eventStudy!.points.length);
    // English workbook for an English user.
    const en = await createCaller({ wh, lang: 'en' }).policy.exportXlsx({ policyId: 'POL-2024-MD-V2', outcomes: ['score'] });
    const wbEn = new ExcelJS.Workbook();
    await wbEn.xlsx.load(Buffer.from(en.base64, 'base64') as never);
    expect(wbEn.worksheets[0]!.name).toBe('Summary');
    expect(String(wbEn.worksheets[0]!.getRow(3).getCell(2).value)).toMatch(/^跟单一部, Merchandiser$/);
  }, 120_000);

  it('rejects an empty or oversized outcome list and an unknown outcome id', async () => {
    await expect(caller.policy.brief({ policyId: 'POL-2024-MD-V2', outcomes: [] })).rejects.toThrow();
    await expect(caller.policy.brief({ policyId: 'POL-2024-MD-V2', outcomes: Array(9).fill('score') })).rejects.toThrow();
    await expect(caller.policy.exportXlsx({ policyId: 'POL-2024-MD-V2', outcomes: ['drop table'] })).rejects.toThrow(/outcome/);
  });
});

describe('policy CRUD through the router', () => {
  it('creates, reads, analyses with a chosen control, deletes', async () => {
    const created = await caller.policy.create({ name: '华东销售试点', effectiveFrom: '2024-04-01', scopeOrgUnitIds: ['OU-SALES-E'] });
    expect(created.warnings).toEqual([]);
    const id = created.policy.id;
    expect((await caller.policy.get({ id })).scopeOrgUnitIds).toEqual(['OU-SALES-E']);
    const r = await caller.policy.effect({ policyId: id, outcome: 'score', controlOrgUnitIds: ['OU-SALES-S', 'OU-SALES-N'], before: 6, after: 6 });
    expect(r.control.kind).toBe('chosen');
    expect(r.window).toMatchObject({ from: '2023-10', to: '2024-09', periodsBefore: 6, periodsAfter: 6 });
    expect(r.did).not.toBeNull();
    await caller.policy.delete({ id });
    await expect(caller.policy.get({ id })).rejects.toThrow(/not found/);
  }, 60_000);

  it('rejects unknown scope units and malformed outcomes as BAD_REQUEST', async () => {
    const e1 = await caller.policy.create({ name: 'x', effectiveFrom: '2024-04-01', scopeOrgUnitIds: ['OU-NOPE'] }).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(TRPCError);
    expect((e1 as TRPCError).code).toBe('BAD_REQUEST');
    expect((e1 as TRPCError).message).toMatch(/OU-NOPE/);
    const e2 = await caller.policy.effect({ policyId: 'POL-2024-MD-V2', outcome: 'drop table' as never }).catch((e: unknown) => e);
    expect((e2 as TRPCError).code).toBe('BAD_REQUEST');
    const e3 = await caller.policy.create({ name: 'x', effectiveFrom: '2024-02-30' }).catch((e: unknown) => e);
    expect((e3 as TRPCError).code).toBe('BAD_REQUEST');
  });
});

describe('one scan for an assessment outcome (the fast path of policy.effect)', () => {
  // The fused statement must return exactly what the panel and distribution queries return
  // separately, for the pilot (role- and org-scoped), the company-wide policy, windows and a chosen control.
  const cases: Array<{ policyId: string; outcome: 'score' | 'bonus' | 'grade:A' | 'grade:E'; before?: number; after?: number; controlOrgUnitIds?: string[] }> = [
    { policyId: 'POL-2024-MD-V2', outcome: 'score' },
    { policyId: 'POL-2024-MD-V2', outcome: 'bonus', before: 6, after: 3 },
    { policyId: 'POL-2024-MD-V2', outcome: 'grade:A', controlOrgUnitIds: ['OU-MD2'] },
    { policyId: 'POL-2025-FORCED', outcome: 'grade:E', after: 6 },
  ];
  it.each(cases)('$policyId $outcome', async (c) => {
    const scope = { cycle: 'month', ...c };
    const fused = await policyAssessmentPanel(wh, scope);
    const [panel, distribution] = await Promise.all([policyPanel(wh, { ...scope, unit: 'orgUnit' }), policyDistribution(wh, scope)]);
    expect(fused.panel.length).toBeGreaterThan(0);
    expect(fused.panel.map(({ value: _v, ...r }) => r)).toEqual(panel.map(({ value: _v, ...r }) => r));
    fused.panel.forEach((r, i) => expect(r.value).toBeCloseTo(panel[i]!.value, 9));
    const byValue = (xs: Array<{ value: number }>) => [...xs].sort((a, b) => a.value - b.value);
    expect(byValue(fused.distribution.scores.treated)).toEqual(byValue(distribution.scores.treated));
    expect(byValue(fused.distribution.scores.control)).toEqual(byValue(distribution.scores.control));
    expect(fused.distribution.grades).toEqual(distribution.grades);
  }, 60_000);
});
