import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Warehouse } from '@perflens/warehouse';
import { REPO_ROOT } from '../src/paths.ts';

/**
 * The CLI on other systems' exports (packages/warehouse/test/fixtures/exports), each in one
 * command, the way a new customer would type it.
 */
const EXPORTS = join(REPO_ROOT, 'packages/warehouse/test/fixtures/exports');
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'perflens-cli-exports-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'apps/server/src/cli.ts', ...args], { cwd: REPO_ROOT, env: { ...process.env, LOG_LEVEL: 'warn', ...env } }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function counts(db: string): Promise<Record<string, number>> {
  const wh = await Warehouse.open({ path: db });
  try {
    const [r] = await wh.query<Record<string, number>>(
      `SELECT (SELECT count(*) FROM assessments)::INTEGER AS assessments, (SELECT count(*) FROM roles WHERE NOT builtin)::INTEGER AS roles,
              (SELECT count(*) FROM rater_scores)::INTEGER AS raters, (SELECT count(*) FROM employees WHERE hire_date IS NOT NULL)::INTEGER AS hired`,
    );
    return r!;
  } finally {
    wh.close();
  }
}

describe('perflens import on real-world exports', () => {
  it('the English HR export from the issue, as typed there: titles, a 1–4 scale, no score, a constant period', async () => {
    const db = join(dir, 'en.duckdb');
    const r = await cli(
      ['import', join(EXPORTS, 'hr-en.xlsx'), '--table', 'flat', '--map', 'employee_id=EmployeeNumber', '--map', 'department=Department', '--map', 'role=JobRole', '--map', 'grade=PerformanceRating', '--set', 'period=2024', '--create-new'],
      { PERFLENS_DB: db, LANG: 'en' },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // The proposed scale is shown with its counts, and period is the constant, not MonthlyIncome.
    expect(r.stdout).toContain('Rating scale (PerformanceRating, proposed from the values: num_4_high');
    expect(r.stdout).toContain('  3 → B Good (50 rows)');
    expect(r.stdout).toContain('  period = 2024');
    expect(r.stdout).not.toContain('← MonthlyIncome');
    expect(r.stdout).toContain('created 4 departments, 60 employees, 1 periods, 6 roles');
    expect(await counts(db)).toMatchObject({ assessments: 60, roles: 6 });
  }, 60_000);

  it('a scale given on the command line, values with spaces', async () => {
    const db = join(dir, 'us.duckdb');
    const r = await cli(
      ['import', join(EXPORTS, 'reviews-us.csv'), '--table', 'flat', '--grade-map', 'Outstanding=A,Exceeds Expectations=B,Fully Meets=C,Needs Improvement=D,PIP=E', '--create-new'],
      { PERFLENS_DB: db, LANG: 'zh_CN.UTF-8' },
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('  Fully Meets → C 中');
    expect(await counts(db)).toMatchObject({ assessments: 60, raters: 60, hired: 30 });
    // A value missing from a given scale is named once, with its row count.
    const db2 = join(dir, 'us2.duckdb');
    const bad = await cli(['import', join(EXPORTS, 'reviews-us.csv'), '--table', 'flat', '--grade-map', 'Outstanding=A,Exceeds Expectations=B,Fully Meets=C,Needs Improvement=D'], { PERFLENS_DB: db2, LANG: 'en' });
    expect(bad.code).toBe(1);
    expect(bad.stderr.match(/"PIP" \(\d+ rows\) is not on the rating scale/g)).toHaveLength(1);
  }, 60_000);

  it('the Chinese GBK sheet on 卓越/优秀/良好/合格/待改进/不合格, with a saved mapping reused', async () => {
    const db = join(dir, 'zh.duckdb');
    const r = await cli(['import', join(EXPORTS, 'kaohe-zh.csv'), '--table', 'flat', '--save-mapping', '年度考核', '--create-new'], { PERFLENS_DB: db, LANG: 'zh_CN.UTF-8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('按取值推荐：zh_6');
    expect(r.stdout).toContain('  卓越 → A 优');
    expect(await counts(db)).toMatchObject({ assessments: 80, roles: 3 });
    const again = await cli(['import', join(EXPORTS, 'kaohe-zh.csv'), '--table', 'flat', '--mapping', '年度考核', '--on-duplicate', 'replace'], { PERFLENS_DB: db, LANG: 'en' });
    expect(again.stderr).toBe('');
    expect(again.stdout).toContain('80 replaced');
  }, 60_000);
});
