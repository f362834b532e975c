import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TRPCError } from '@trpc/server';
import { bonusUsesGradeCoefficient, builtinScheme, type Scheme } from '@perflens/core';
import { Warehouse } from '@perflens/warehouse';
import { appRouter, createCallerFactory } from '../src/index.ts';
import { loadDemo } from '../../demo/src/index.ts';
// exceljs is the warehouse's dependency (it writes the workbook); the test reads it back with it.
import ExcelJS from '../../warehouse/node_modules/exceljs';

let dir: string;
let wh: Warehouse;
const createCaller = createCallerFactory(appRouter);
let caller: ReturnType<typeof createCaller>;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perflens-api-sim-'));
  wh = await Warehouse.open({ path: join(dir, 'demo.duckdb') });
  await loadDemo(wh, { employees: 200 });
  caller = createCaller({ wh, lang: 'zh' });
}, 120_000);
afterAll(() => {
  wh.close();
  rmSync(dir, { recursive: true, force: true });
});

const cs = builtinScheme('cs_ecommerce-v1');
/** Customer satisfaction-style edit: conversion 35 → 40, payment 20 → 15. */
const edited = { ...cs, kpis: cs.kpis.map((k) => (k.code === 'inquiry_conversion' ? { ...k, weight: 40 } : k.code === 'payment_rate' ? { ...k, weight: 15 } : k)) };

describe('scheme procedures', () => {
  it('lists and gets the schemes the demo is scored with', async () => {
    const list = await caller.scheme.list();
    expect(list.map((s) => s.id)).toEqual(expect.arrayContaining(['merchandiser-v1', 'merchandiser-v2', 'sales-v1', 'cs_ecommerce-v1']));
    const s = await caller.scheme.get({ id: 'cs_ecommerce-v1' });
    expect(s.kpis.map((k) => k.weight)).toEqual([35, 20, 10, 5, 5, 10, 5, 10]);
    await expect(caller.scheme.get({ id: 'nope-v1' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('validate reports weights and unknown KPI codes in both languages', async () => {
    const heavy = { ...cs, kpis: cs.kpis.map((k, i) => (i === 0 ? { ...k, weight: 45 } : k)) };
    const v1 = await caller.scheme.validate({ scheme: heavy });
    expect(v1.ok).toBe(false);
    expect(v1.issues[0]).toMatchObject({ path: ['kpis'] });
    expect(v1.issues[0]!.zh).toContain('110');
    expect(v1.issues[0]!.en).toContain('sum to 110, not 100');
    const unknown = { ...cs, kpis: cs.kpis.map((k, i) => (i === 1 ? { ...k, code: 'refund_rate' } : k)) };
    const v2 = await caller.scheme.validate({ scheme: unknown });
    expect(v2).toMatchObject({ ok: false, issues: [{ path: ['kpis', 1, 'code'] }] });
    expect(v2.issues[0]!.en).toContain('refund_rate');
    expect((await caller.scheme.validate({ scheme: cs })).ok).toBe(true);
  });
});

describe('simulation.run', () => {
  it('the base scheme against itself changes nothing', async () => {
    const r = await caller.simulation.run({ baseSchemeId: 'cs_ecommerce-v1' });
    expect(r.rows).toBeGreaterThan(100);
    expect(r.changed).toBe(0);
    expect(r.cost.delta).toBe('0.00');
    expect(r.spearman).toBeCloseTo(1, 12);
    expect(r.role).toBe('cs_ecommerce');
  });

  it('a weight edit moves grades; matrix, distributions and unit costs add up', async () => {
    const r = await caller.simulation.run({ baseSchemeId: 'cs_ecommerce-v1', scheme: edited, pageSize: 5 });
    const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
    expect(sum(r.distribution.baseline)).toBe(r.rows);
    expect(sum(r.distribution.scenario)).toBe(r.rows);
    expect(r.matrix.reduce((a, c) => a + c.count, 0)).toBe(r.rows);
    expect(r.changed).toBeGreaterThan(0);
    expect(r.shareChanged).toBeCloseTo(r.changed / r.rows, 12);
    // Exact decimals: the unit deltas add up to the total to the cent.
    const cents = (s: string) => BigInt(s.replace('.', ''));
    expect(r.cost.byUnit.reduce((a, u) => a + cents(u.delta), 0n)).toBe(cents(r.cost.delta));
    expect(cents(r.cost.scenario) - cents(r.cost.baseline)).toBe(cents(r.cost.delta));
    expect(r.affected.items).toHaveLength(5);
    expect(r.spearman!).toBeLessThan(1);
    expect(r.spearman!).toBeGreaterThan(0.8);
  });

  it('explain gives both schemes line by line for a drill-down', async () => {
    const r = await caller.simulation.run({ baseSchemeId: 'cs_ecommerce-v1', scheme: edited, pageSize: 1, from: '2024-03', to: '2024-03' });
    const who = r.affected.items[0]!;
    const [x] = await caller.simulation.explain({ baseSchemeId: 'cs_ecommerce-v1', scheme: edited, employeeId: who.employeeId, periodId: '2024-03' });
    expect(x!.base.ok && x!.scenario.ok).toBe(true);
    if (!x!.base.ok || !x!.scenario.ok) return;
    expect(x!.scenario.result.score - x!.base.result.score).toBeCloseTo(who.deltaScore!, 9);
    const conv = x!.scenario.result.lines.find((l) => l.kpiCode === 'inquiry_conversion')!;
    expect(conv.explanation.zh).toContain('× 40%');
    expect(conv.explanation.en).toContain('Inquiry conversion');
    // The demo stores each month's order total, so the commission is computed, and under the
    // base scheme it is the bonus on file to the cent.
    expect(x!.scenario.bonusError).toBeNull();
    expect(x!.base.result.bonus!.amount).toBe(Number(x!.recorded.bonus));
  });

  it('an invalid scheme is a bilingual BAD_REQUEST naming the field', async () => {
    const bad = { ...cs, gradeBands: [...cs.gradeBands].reverse() };
    const err = await caller.simulation.run({ baseSchemeId: 'cs_ecommerce-v1', scheme: bad }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TRPCError);
    expect((err as TRPCError).code).toBe('BAD_REQUEST');
    expect((err as TRPCError).message).toMatch(/gradeBands/);
    expect((err as TRPCError).message).toMatch(/下限/);
  });
});

describe('scenarios', () => {
  it('save, list, compare up to three', async () => {
    const a = await caller.scenario.save({ name: '转化率 40', baseSchemeId: 'cs_ecommerce-v1', scheme: edited, settings: { baseline: 'base' } });
    const b = await caller.scenario.save({ name: '2024 only', baseSchemeId: 'cs_ecommerce-v1', scheme: edited, settings: { baseline: 'base', from: '2024-01', to: '2024-12' } });
    const c = await caller.scenario.save({ id: 'same', name: 'unchanged', baseSchemeId: 'cs_ecommerce-v1', scheme: cs });
    const list = await caller.scenario.list();
    expect(list.map((s) => s.id)).toEqual(expect.arrayContaining([a.id, b.id, 'same']));
    const cmp = await caller.scenario.compare({ ids: [a.id, b.id, c.id] });
    expect(cmp.map((x) => x.name)).toEqual(['转化率 40', '2024 only', 'unchanged']);
    expect(cmp[1]!.result.periods).toMatchObject({ from: '2024-01', to: '2024-12', count: 12 });
    expect(cmp[0]!.result.rows).toBeGreaterThan(cmp[1]!.result.rows);
    expect(cmp[2]!.result.changed).toBe(0);
    await expect(caller.scenario.compare({ ids: [a.id, b.id, c.id, 'x'] })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(caller.scenario.compare({ ids: ['missing'] })).rejects.toMatchObject({ code: 'NOT_FOUND' });

    // The XLSX export holds the same figures: one summary row per scenario plus a sheet each.
    const x = await caller.scenario.exportXlsx({ ids: [a.id, c.id] });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(x.base64, 'base64') as never);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['对比摘要', '1 转化率 40', '2 unchanged']);
    const row2 = wb.worksheets[0]!.getRow(2).values as unknown[];
    expect(row2[1]).toBe('转化率 40');
    // The base scheme by its name, not its id; grades by the scale's names, not letters.
    expect(row2[2]).toBe(builtinScheme('cs_ecommerce-v1').name.zh);
    const sheet = wb.worksheets[1]!;
    expect(sheet.getRow(3).getCell(1).value).toBe('优');
    expect((sheet.getRow(10).values as unknown[]).slice(2)).toEqual(['优', '良', '中', '基本合格', '不合格']);
    expect(row2[4]).toBe(cmp[0]!.result.changed);
    expect(row2[9]).toBe(Number(cmp[0]!.result.cost.delta));
  });

  // Issue 18: two saved scenarios with different settings must not show the same cost unless
  // they are the same. Each compare re-runs the stored scheme with its stored settings on this
  // real DuckDB file, so a cache keyed on the scenario, or a setting dropped on save, shows here.
  describe('cost follows what was saved', () => {
    const coefficient = (s: Scheme, grade: string, c: number): Scheme => ({ ...s, gradeBands: s.gradeBands.map((b) => (b.grade === grade ? { ...b, coefficient: c } : b)) });
    const cost = async (ids: string[]) => (await caller.scenario.compare({ ids })).map((c) => c.result.cost.scenario);

    it('a coefficient the formula uses: different coefficients cost differently, identical scenarios the same', async () => {
      const fn = builtinScheme('functional-v1'); // bonus = 20% of salary × grade coefficient
      expect(bonusUsesGradeCoefficient(fn)).toBe(true);
      const a = await caller.scenario.save({ name: 'A 2.0', baseSchemeId: fn.id, scheme: coefficient(fn, 'A', 2) });
      const a2 = await caller.scenario.save({ name: 'A 2.0 again', baseSchemeId: fn.id, scheme: coefficient(fn, 'A', 2) });
      const a15 = await caller.scenario.save({ name: 'A 1.5', baseSchemeId: fn.id, scheme: coefficient(fn, 'A', 1.5) });
      const [ca, ca2, ca15] = await cost([a.id, a2.id, a15.id]);
      expect(ca2).toBe(ca);
      expect(ca15).not.toBe(ca);
      // Each compared cost is what a direct run of that scheme gives: every scenario is scored
      // with its own coefficient, not one remembered from another.
      const base = await caller.simulation.run({ baseSchemeId: fn.id });
      const run2 = await caller.simulation.run({ baseSchemeId: fn.id, scheme: coefficient(fn, 'A', 2) });
      expect(run2.cost.scenario).toBe(ca);
      expect(Number(ca)).toBeGreaterThan(Number(base.cost.scenario));
      // Compared again in another order and alone: the same figures.
      expect(await cost([a15.id, a.id])).toEqual([ca15, ca]);
      expect(await cost([a2.id])).toEqual([ca]);
    });

    it('the same scheme saved with different settings costs what those settings select', async () => {
      const fn = coefficient(builtinScheme('functional-v1'), 'B', 1.5);
      const all = await caller.scenario.save({ name: 'B 1.5 all', baseSchemeId: 'functional-v1', scheme: fn });
      const y24 = await caller.scenario.save({ name: 'B 1.5 2024', baseSchemeId: 'functional-v1', scheme: fn, settings: { baseline: 'base', from: '2024-01', to: '2024-12' } });
      const [call, c24] = await cost([all.id, y24.id]);
      expect(c24).not.toBe(call);
      expect((await caller.simulation.run({ baseSchemeId: 'functional-v1', scheme: fn, from: '2024-01', to: '2024-12' })).cost.scenario).toBe(c24);
    });

    it('a coefficient the formula does not use changes no cost, which is why the editor disables it', async () => {
      const m = builtinScheme('merchandiser-v1'); // bonus = salary × score/100
      expect(bonusUsesGradeCoefficient(m)).toBe(false);
      const a = await caller.scenario.save({ name: 'merch A 2.0', baseSchemeId: m.id, scheme: coefficient(m, 'A', 2) });
      const b = await caller.scenario.save({ name: 'merch as is', baseSchemeId: m.id, scheme: m });
      const [ca, cb] = await cost([a.id, b.id]);
      expect(ca).toBe(cb);
    });
  });
});
