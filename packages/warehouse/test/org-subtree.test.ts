import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Warehouse, gradeDistribution, orgSubtree } from '../src/index.ts';

let dir: string;
let wh: Warehouse;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perflens-subtree-'));
  wh = await Warehouse.open({ path: join(dir, 's.duckdb') });
  await wh.run(`INSERT INTO org_units (id, name, parent_id, kind) VALUES
    ('HQ', '总公司', NULL, 'company'), ('A', 'A', 'HQ', 'division'), ('A1', 'A1', 'A', 'team'),
    ('B', 'B', 'HQ', 'division'), ('X', 'X', 'Y', 'team'), ('Y', 'Y', 'X', 'team')`);
});
afterAll(() => {
  wh.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('orgSubtree', () => {
  it('lists a unit and everything below it, stops on a cycle, and keeps an unknown id alone', async () => {
    expect((await orgSubtree(wh, 'HQ')).sort()).toEqual(['A', 'A1', 'B', 'HQ']);
    expect((await orgSubtree(wh, 'A')).sort()).toEqual(['A', 'A1']);
    expect((await orgSubtree(wh, 'X')).sort()).toEqual(['X', 'Y']);
    expect(await orgSubtree(wh, 'nope')).toEqual(['nope']);
  });

  it('re-reads the tree after a write, so a filter sees a unit moved or added', async () => {
    expect((await orgSubtree(wh, 'B')).sort()).toEqual(['B']);
    await wh.run(`UPDATE org_units SET parent_id = 'B' WHERE id = 'A1'`);
    await wh.run(`INSERT INTO org_units (id, name, parent_id, kind) VALUES ('B1', 'B1', 'B', 'team')`);
    expect((await orgSubtree(wh, 'B')).sort()).toEqual(['A1', 'B', 'B1']);
    expect((await orgSubtree(wh, 'A')).sort()).toEqual(['A']);
    // An empty slice through the listed-constants path still answers.
    expect((await gradeDistribution(wh, { orgUnitId: 'B' })).groups[0]!.total).toBe(0);
  });
});
