import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Warehouse } from '@perflens/warehouse';
import { AuthService } from '@perflens/auth';
import { loadConfig } from '../src/config.ts';
import { serve } from '../src/commands/serve.ts';
import { REPO_ROOT } from '../src/paths.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'perflens-audit-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'apps/server/src/cli.ts', ...args], { cwd: REPO_ROOT, env: { ...process.env, LOG_LEVEL: 'warn', ...env } }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('perflens audit verify', () => {
  it('says the trail is intact, then names the entry edited in the file (exit 1), with or without a running server', async () => {
    const db = join(dir, 'a.duckdb');
    const wh = await Warehouse.open({ path: db });
    const auth = new AuthService(wh);
    const boot = (await auth.bootstrap('Initial-Pass-123'))!;
    await auth.signIn(boot.login, 'Initial-Pass-123', '10.1.2.3');
    await auth.signIn(boot.login, 'wrong', '10.1.2.3').catch(() => undefined);
    const [{ n }] = (await wh.query<{ n: number }>('SELECT count(*)::INTEGER AS n FROM audit_log')) as [{ n: number }];
    expect(n).toBe(3);
    wh.close();

    const ok = await cli(['audit', 'verify'], { PERFLENS_DB: db, LANG: 'en' });
    expect([ok.code, ok.stdout.trim()]).toEqual([0, 'Audit trail intact: 3 entries, every hash matches']);

    const rw = await Warehouse.open({ path: db });
    const [victim] = await rw.query<{ id: number }>(`SELECT id::INTEGER AS id FROM audit_log WHERE action = 'auth.sign_in_failed'`);
    await rw.run(`UPDATE audit_log SET ip = '192.0.2.1' WHERE id = ${victim!.id}`);
    rw.close();
    const broken = await cli(['audit', 'verify'], { PERFLENS_DB: db, LANG: 'zh_CN.UTF-8' });
    expect(broken.code).toBe(1);
    expect(broken.stdout.trim()).toBe(`审计记录被篡改：第一处在条目 ${victim!.id}，内容被修改（共 3 条）`);

    // With the server holding the file, the CLI asks it.
    const running = await serve(loadConfig({ PERFLENS_DB: db, PORT: '0', PERFLENS_DEMO: '0' }));
    try {
      const via = await cli(['audit', 'verify'], { PERFLENS_DB: db, LANG: 'en' });
      expect(via.code).toBe(1);
      expect(via.stdout).toContain(`first at entry ${victim!.id}, its content was changed`);
    } finally {
      await running.close();
    }
  }, 60_000);
});
