import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gradeForScore } from '@perflens/core';
import { Warehouse } from '../src/db.ts';
import { importFile, previewImport, type ImportSuccess } from '../src/import/index.ts';

/*
 * Defect 5, importer: a score without a grade gets the grade the seed bands give the UNROUNDED
 * score (the same rule as core gradeForScore): 59.5 and 59.99 are 不合格 ("<60"), 90.5 is 良.
 */
const dir = mkdtempSync(join(tmpdir(), 'perflens-derived-'));
let wh: Warehouse;
beforeAll(async () => {
  wh = await Warehouse.open({ path: join(dir, 'd.duckdb') });
});
afterAll(() => {
  wh.close();
  rmSync(dir, { recursive: true, force: true });
});

const SCORES = [59.4, 59.5, 59.99, 60, 70.9, 80.5, 90.5, 90.99, 91];

describe('derived grades on import', () => {
  it('apply the bands to the unrounded score, as gradeForScore does', async () => {
    const file = join(dir, 'flat.csv');
    writeFileSync(file, ['工号,姓名,部门,岗位,考核期间,绩效得分', ...SCORES.map((s, i) => `E${i + 1},员工${i + 1},销售部,销售,2024-03,${s}`)].join('\n'));
    const p = await previewImport(wh, file, { table: 'flat' });
    const r = (await importFile(wh, file, { table: 'flat', mapping: p.mapping, constants: {} })) as ImportSuccess;
    expect(r.ok).toBe(true);
    const rows = await wh.query<{ score: number; grade: string; derived: boolean }>(
      'SELECT score, grade::VARCHAR AS grade, grade_derived AS derived FROM assessments ORDER BY score',
    );
    expect(rows.map((x) => [x.score, x.grade])).toEqual(SCORES.map((s) => [s, gradeForScore(s)]));
    expect(rows.map((x) => x.grade)).toEqual(['E', 'E', 'E', 'D', 'D', 'C', 'B', 'B', 'A']);
    expect(rows.every((x) => x.derived)).toBe(true);
  });
});
