import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { IMPORT_FIELDS, suggestMapping, type ImportTarget } from '@perflens/core';
import { gradeDistribution, importFile, Warehouse } from '@perflens/warehouse';
import { TEMPLATE_ORDER, templateCsv, writeTemplates } from '../src/commands/templates.ts';
import { REPO_ROOT } from '../src/paths.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'perflens-templates-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('import templates', () => {
  it('the committed templates are the generated ones', () => {
    for (const t of TEMPLATE_ORDER) expect(readFileSync(join(REPO_ROOT, 'data/templates', `${t}.csv`), 'utf8')).toBe(templateCsv(t));
  });

  it('every header is recognised by the mapping suggestions', () => {
    for (const t of TEMPLATE_ORDER) {
      const headers = IMPORT_FIELDS[t].map((f) => f.label.zh);
      const suggested = suggestMapping(IMPORT_FIELDS[t], headers);
      for (const f of IMPORT_FIELDS[t]) expect(suggested.find((s) => s.field === f.name)?.header, `${t}.${f.name}`).toBe(f.label.zh);
    }
  });

  it('import in order into an empty database without a single error', async () => {
    const wh = await Warehouse.open({ path: join(dir, 't.duckdb') });
    try {
      for (const file of writeTemplates(join(dir, 'templates'))) {
        const table = basename(file, '.csv') as ImportTarget;
        const mapping = Object.fromEntries(IMPORT_FIELDS[table].map((f) => [f.name, f.label.zh]));
        const result = await importFile(wh, file, { table, mapping, workDir: dir });
        expect(result, `${table}: ${JSON.stringify(result)}`).toMatchObject({ ok: true });
      }
      // The flat sheet's two people plus the assessment template's one, graded C, B and C.
      const d = await gradeDistribution(wh, {});
      expect(d.groups[0]!.counts).toEqual({ A: 0, B: 1, C: 2, D: 0, E: 0 });
    } finally {
      wh.close();
    }
  });
});
