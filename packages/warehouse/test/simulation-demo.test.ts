import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinScheme, evaluateScheme } from '@perflens/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemo } from '../../demo/src/index.ts';
import { employeeFacts, runSimulation, Warehouse } from '../src/index.ts';

/**
 * The demo company is scored by the TS evaluator; until 2025-01 (forced distribution) the
 * functional scheme has no veto, so re-scoring the recorded history with the same scheme in SQL
 * must reproduce every score, grade and bonus on file: an end-to-end check of the layout.
 */
let dir: string;
let wh: Warehouse;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perflens-simdemo-'));
  wh = await Warehouse.open({ path: join(dir, 'demo.duckdb') });
  await loadDemo(wh, { employees: 200 });
}, 120_000);
afterAll(async () => {
  await wh?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('simulation on the demo company', () => {
  const functional = builtinScheme('functional-v1');

  it('re-scoring 2023–2024 with the recorded scheme changes nothing', async () => {
    const r = await runSimulation(wh, { base: functional, scenario: functional, baseline: 'recorded', from: '2023-01', to: '2024-12', page: 1, pageSize: 5, sortBy: 'score' });
    expect(r.rows).toBeGreaterThan(0);
    expect(r.changed).toBe(0);
    expect(r.cost.delta).toBe('0.00');
    expect(r.cost.missingScenario).toBe(0);
    expect(r.spearman).toBeCloseTo(1, 12);
  });

  it('re-scoring e-commerce service 2023–2024 reproduces the grades and the commission bonuses on file', async () => {
    const cs = builtinScheme('cs_ecommerce-v1');
    const r = await runSimulation(wh, { base: cs, scenario: cs, baseline: 'recorded', from: '2023-01', to: '2024-12', page: 1, pageSize: 5, sortBy: 'bonus' });
    expect(r.rows).toBeGreaterThan(0);
    expect(r.changed).toBe(0);
    // Every month has its order total (the commission input), so every bonus is computed and equal.
    expect(r.cost.missingScenario).toBe(0);
    expect(r.cost.delta).toBe('0.00');
    expect(Number(r.cost.scenario)).toBeGreaterThan(0);
  });

  it('a heavier weight on attendance moves grades and the TS evaluator agrees on a drill-down', async () => {
    const edited = { ...functional, kpis: functional.kpis.map((k) => (k.code === 'attendance' ? { ...k, weight: k.weight + 10 } : k.code === 'duties' ? { ...k, weight: k.weight - 10 } : k)) };
    const r = await runSimulation(wh, { base: functional, scenario: edited, baseline: 'base', page: 1, pageSize: 3, sortBy: 'score' });
    expect(r.changed).toBeGreaterThan(0);
    const top = r.affected.items[0]!;
    const facts = await employeeFacts(wh, top.employeeId);
    const ts = facts.map((f) => evaluateScheme(edited, f.inputs, { explain: false }).score - evaluateScheme(functional, f.inputs, { explain: false }).score);
    expect(top.deltaScore).toBeCloseTo(ts.reduce((a, b) => a + b, 0) / ts.length, 9);
  });
});
