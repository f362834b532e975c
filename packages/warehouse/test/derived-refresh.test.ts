import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Warehouse } from '../src/db.ts';
import { importFile, previewImport } from '../src/import/index.ts';
import { derivedState, refreshDerivedInBackground } from '../src/derived-refresh.ts';
import { ensureRankingCells } from '../src/queries/ranking-cells.ts';
import { ensureSimulationLayout } from '../src/queries/simulation-layout.ts';

/*
 * After an import the forced ranking's cells and the simulator's layout are rebuilt in the
 * background: the state says "updating" meanwhile, and afterwards both are current, so the next
 * request that needs them finds nothing to rebuild.
 */
const dir = mkdtempSync(join(tmpdir(), 'perflens-derived-refresh-'));
let wh: Warehouse;
beforeAll(async () => {
  wh = await Warehouse.open({ path: join(dir, 'd.duckdb') });
});
afterAll(() => {
  wh.close();
  rmSync(dir, { recursive: true, force: true });
});

async function importMonth(month: string): Promise<void> {
  const file = join(dir, `${month}.csv`);
  writeFileSync(file, ['工号,姓名,部门,岗位,考核期间,绩效得分', ...Array.from({ length: 30 }, (_, i) => `E${i},员工${i},销售部,销售,${month},${60 + i}`)].join('\n'));
  const p = await previewImport(wh, file, { table: 'flat' });
  expect((await importFile(wh, file, { table: 'flat', mapping: p.mapping, constants: {} })).ok).toBe(true);
}

const cellsRows = async () => (await wh.query<{ n: number }>('SELECT coalesce(sum(n), 0)::INTEGER AS n FROM ranking_cells'))[0]!.n;

describe('the derived tables after an import', () => {
  it('are rebuilt in the background, with the state saying so, and are current afterwards', async () => {
    await importMonth('2024-01');
    await ensureRankingCells(wh);
    await ensureSimulationLayout(wh);
    expect(await cellsRows()).toBe(30);
    expect(derivedState(wh)).toMatchObject({ updating: false, startedAt: null });

    await importMonth('2024-02');
    const done = refreshDerivedInBackground(wh);
    expect(derivedState(wh).updating).toBe(true);
    // A second import meanwhile: one more round after the running one, not a second refresh at once.
    const again = refreshDerivedInBackground(wh);
    expect(again).toBe(done);
    await done;
    const state = derivedState(wh);
    expect(state).toMatchObject({ updating: false, lastFailed: false });
    expect(state.lastMs).toBeGreaterThanOrEqual(0);
    expect(await cellsRows()).toBe(60);
    const stored = await wh.query<{ s: string }>('SELECT signature AS s FROM sim_state WHERE id = 1');
    expect(stored[0]!.s).toBe(await ensureSimulationLayout(wh, { recheck: true }));
  });
});
