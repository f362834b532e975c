import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.ts';
import { serve } from '../src/commands/serve.ts';
import { REPO_ROOT } from '../src/paths.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'perflens-import-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'apps/server/src/cli.ts', ...args], { cwd: REPO_ROOT, env: { ...process.env, LOG_LEVEL: 'warn', ...env } }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const FLAT = ['工号,姓名,所属部门,岗位,考核月份,考核得分,考核等级', 'E1,甲,跟单部,跟单员,2024-01,92,优秀'];

describe('perflens import', () => {
  it('names a missing file, a folder, a bad option value and a non-table file plainly', async () => {
    const env = { PERFLENS_DB: join(dir, 'm.duckdb'), LANG: 'en' };
    const missing = await cli(['import', join(dir, 'nope.csv'), '--table', 'flat'], env);
    expect([missing.code, missing.stderr.trim()]).toEqual([1, `perflens: 找不到文件 ${join(dir, 'nope.csv')} / File not found: ${join(dir, 'nope.csv')}`]);
    expect((await cli(['import', dir, '--table', 'flat'], env)).stderr).toContain('is not a file (a folder?)');
    const file = join(dir, 'ok.csv');
    writeFileSync(file, FLAT.join('\n'));
    const badTable = await cli(['import', file, '--table', 'nope'], env);
    expect(badTable.code).toBe(1);
    expect(badTable.stderr).toMatch(/^perflens: --table: .*Invalid option: expected one of "org_units"/);
    writeFileSync(file, '接口返回 `{"status":"ok","version":1}` 等字段, 详见 README\n');
    const notes = await cli(['import', file, '--table', 'org_units', '--map', 'id=x'], env);
    expect(notes.code).toBe(1);
    expect(notes.stderr).toContain('ok.csv: The file cannot be read as a table');
    expect(notes.stderr).not.toContain('sniffing');
  }, 60_000);

  it('rejects a broken file with exit code 1 and a message naming row and column in the user’s language', async () => {
    const db = join(dir, 'a.duckdb');
    const file = join(dir, 'bad.csv');
    writeFileSync(file, [...FLAT, 'E2,乙,客服部,客服,2024-01,abc,良'].join('\n'));
    const zh = await cli(['import', file, '--table', 'flat', '--errors-csv', join(dir, 'e.csv')], { PERFLENS_DB: db, LANG: 'zh_CN.UTF-8' });
    expect(zh.code).toBe(1);
    expect(zh.stderr).toContain('导入失败，未写入任何数据：1 个错误');
    expect(zh.stderr).toMatch(/3\s+考核得分\s+第 3 行：「考核得分」的值“abc”不是有效的数字/);
    expect(readFileSync(join(dir, 'e.csv'), 'utf8').startsWith('\uFEFF')).toBe(true);
    const en = await cli(['import', file, '--table', 'flat'], { PERFLENS_DB: db, LANG: 'en_GB.UTF-8' });
    expect(en.code).toBe(1);
    expect(en.stderr).toContain('Row 3: "考核得分": "abc" is not a valid number');
    expect(en.stderr).toContain('1 errors in 2 rows');
    // A title above the table (a CSV saved from a titled workbook) and a blank line: said, and counted.
    const titled = join(dir, 'titled.csv');
    writeFileSync(titled, ['2024年1月考核汇总,,,,,,', ...FLAT.slice(0, 2), '', 'E2,乙,客服部,客服,2024-01,abc,良'].join('\n'));
    const t = await cli(['import', titled, '--table', 'flat'], { PERFLENS_DB: db, LANG: 'en_GB.UTF-8' });
    expect(t.code).toBe(1);
    expect(t.stdout).toContain('titled.csv: csv, utf-8, delimiter ",", header on row 2, 2 rows');
    expect(t.stderr).toContain('Row 5: "考核得分": "abc" is not a valid number');
    // A row shifted by an unquoted comma: refused by row, with the file's real row count.
    const wide = join(dir, 'wide.csv');
    writeFileSync(wide, [...FLAT, 'E3,丙,客服部,客服,2024-01,80,良,多余'].join('\n'));
    const shifted = await cli(['import', wide, '--table', 'flat'], { PERFLENS_DB: db, LANG: 'en_GB.UTF-8' });
    expect(shifted.code).toBe(1);
    expect(shifted.stderr).toContain('Import failed, nothing was written: 1 errors in 2 rows');
    expect(shifted.stderr).toContain('Row 3: 8 fields but the header has 7 columns (extra: "多余")');
    // A fixed file then imports, with a constant standing in for a missing column.
    writeFileSync(file, '工号,部门,岗位,得分\nE1,跟单部,跟单员,92\n');
    // It names a department that does not exist yet: listed, and refused until confirmed.
    const unconfirmed = await cli(['import', file, '--table', 'flat', '--map', 'department=部门', '--set', 'period=2024年3月'], { PERFLENS_DB: db, LANG: 'en' });
    expect(unconfirmed.code).toBe(1);
    expect(unconfirmed.stdout).toContain('Would create 1 department(s):\n  跟单部 (1 rows)\nWould create 1 employee(s): E1\n');
    expect(unconfirmed.stderr).toContain('bad.csv: the import would create 1 department (column "部门"): "跟单部" (from row 2); and 1 employee (E1). Nothing was written');
    expect(unconfirmed.stderr).toContain('--create-new');
    const ok = await cli(['import', file, '--table', 'flat', '--map', 'department=部门', '--set', 'period=2024年3月', '--create-new'], { PERFLENS_DB: db, LANG: 'en' });
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('batch 1, 1 rows inserted');
  }, 60_000);

  it('goes through a running server instead of fighting over the database lock', async () => {
    const db = join(dir, 'b.duckdb');
    const running = await serve(loadConfig({ PERFLENS_DB: db, PORT: '0', PERFLENS_DEMO: '0', LOG_LEVEL: 'warn' }));
    try {
      const file = join(dir, 'flat.csv');
      writeFileSync(file, FLAT.join('\n'));
      // Through the server too, nothing is created unconfirmed.
      const refused = await cli(['import', file, '--table', 'flat'], { PERFLENS_DB: db, LANG: 'en' });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('--create-new');
      expect(await running.wh.query(`SELECT count(*)::INTEGER AS n FROM org_units`)).toEqual([{ n: 0 }]);
      const r = await cli(['import', file, '--table', 'flat', '--save-mapping', 'hr-export', '--create-new'], { PERFLENS_DB: db, LANG: 'en' });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`through the running server at ${running.url}`);
      expect(await running.wh.query(`SELECT employee_id, grade FROM assessments`)).toEqual([{ employee_id: 'E1', grade: 'A' }]);
      expect(await running.wh.query(`SELECT file_name, source FROM import_batches`)).toEqual([{ file_name: 'flat.csv', source: 'upload' }]);
      const again = await cli(['import', file, '--table', 'flat', '--mapping', 'hr-export'], { PERFLENS_DB: db, LANG: 'en' });
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('already exists in the database');
    } finally {
      await running.close();
    }
  }, 60_000);
});
