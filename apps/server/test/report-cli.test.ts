import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Warehouse } from '@perflens/warehouse';
import { loadDemo } from '@perflens/demo';
import { loadConfig } from '../src/config.ts';
import { serve } from '../src/commands/serve.ts';
import { REPO_ROOT } from '../src/paths.ts';

let dir: string;
let db: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perflens-report-cli-'));
  db = join(dir, 'r.duckdb');
  const wh = await Warehouse.open({ path: db });
  await loadDemo(wh, { employees: 120 });
  wh.close();
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'apps/server/src/cli.ts', ...args], { cwd: REPO_ROOT, env: { ...process.env, LOG_LEVEL: 'warn', ...env } }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const text = (file: string) => execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');

describe('perflens report', () => {
  it('writes the PDF for scheduled runs, alone and through a running server, and names a wrong option', async () => {
    const out = join(dir, 'alone.pdf');
    const alone = await cli(['report', '--from', '2024-01', '--to', '2024-12', '--policy', 'POL-2024-MD-V2', '--outcome', 'kpi:order_accuracy', '--lang', 'en', '--out', out], { PERFLENS_DB: db, LANG: 'en' });
    expect(alone.stderr).toBe('');
    expect([alone.code, alone.stdout.trim()]).toEqual([0, expect.stringMatching(/^Report written to .*alone\.pdf \(\d+ KB\)$/)]);
    expect(readFileSync(out).subarray(0, 5).toString()).toBe('%PDF-');
    const t = text(out);
    expect(t).toContain('Performance analysis report');
    expect(t).toContain('2024-01 – 2024-12');
    expect(t).toContain('Order accuracy');

    const bad = await cli(['report', '--from', '2024-13', '--policy', 'a b'], { PERFLENS_DB: db, LANG: 'en' });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--from: period id must look like 2024-03');
    expect(bad.stderr).toContain('--policy:');
    const missing = await cli(['report', '--policy', 'NOPE'], { PERFLENS_DB: db, LANG: 'en' });
    expect([missing.code, missing.stderr.trim()]).toEqual([1, 'perflens: policy NOPE not found / 政策 NOPE 不存在']);

    // With the server holding the file, the server makes it (the CLI could not open the file).
    const running = await serve(loadConfig({ PERFLENS_DB: db, PORT: '0', PERFLENS_DEMO: '0' }));
    try {
      const via = join(dir, 'via.pdf');
      const r = await cli(['report', '--out', via], { PERFLENS_DB: db, LANG: 'zh_CN.UTF-8' });
      expect([r.code, r.stderr]).toEqual([0, '']);
      expect(r.stdout).toMatch(/^报告已写入 .*via\.pdf/);
      expect(existsSync(via)).toBe(true);
      expect(text(via)).toContain('绩效分析报告');
    } finally {
      await running.close();
    }
  }, 120_000);
});
