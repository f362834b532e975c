import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Warehouse } from '@perflens/warehouse';
import { readManifest, tableChecksums } from '@perflens/warehouse/backup';
import { loadConfig } from '../src/config.ts';
import { serve } from '../src/commands/serve.ts';
import { REPO_ROOT } from '../src/paths.ts';
import { readServerInfo } from '../src/server-info.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'perflens-backup-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'apps/server/src/cli.ts', ...args], { cwd: REPO_ROOT, env: { ...process.env, LOG_LEVEL: 'warn', ...env } }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function checksumsOf(wh: Warehouse) {
  return wh.withConnection(async (conn) => tableChecksums(conn, (await conn.runAndReadAll('SELECT current_database() AS db')).getRowObjectsJson()[0]!.db as string));
}

describe('perflens backup / restore', () => {
  it('backs up through the running server while it writes, refuses to restore under it, and restores into a new file with every checksum equal', async () => {
    const db = join(dir, 'live.duckdb');
    const running = await serve(loadConfig({ PERFLENS_DB: db, PORT: '0', PERFLENS_DEMO: '1', PERFLENS_DEMO_EMPLOYEES: '60' }));
    try {
      expect((statSync(`${db}.server.json`).mode & 0o777).toString(8)).toBe('600');
      const base = await checksumsOf(running.wh);
      // A writer in the server commits a policy and an org unit per transaction throughout.
      let stop = false;
      let commits = 0;
      const writer = (async () => {
        for (let k = 0; !stop; k++) {
          await running.wh.transaction(async (conn) => {
            await conn.run(`INSERT INTO policies (id, name, effective_from) VALUES ('W-${k}', 'written during the backup', DATE '2024-07-01')`);
            await conn.run(`INSERT INTO org_units (id, name, parent_id, kind) VALUES ('WU-${k}', '写入 ${k}', NULL, 'department')`);
          });
          commits++;
          await new Promise((r) => setTimeout(r, 2));
        }
      })();
      const out = join(dir, 'backup');
      const before = commits;
      const r = await cli(['backup', out], { PERFLENS_DB: db, LANG: 'en' });
      const during = commits - before;
      stop = true;
      await writer;
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Backing up through the running server at ${running.url}`);
      expect(r.stdout).toMatch(/Backup written to .*backup \(schema \d+, \d+ tables, \d+ rows, .* MB, verified\)/);
      expect(during).toBeGreaterThan(0);
      const manifest = readManifest(join(out, 'manifest.json'));
      const added = manifest.tables.policies!.rows - base.policies!.rows;
      expect(manifest.tables.org_units!.rows - base.org_units!.rows).toBe(added);

      // The same folder again: refused, the backup kept.
      const again = await cli(['backup', out], { PERFLENS_DB: db, LANG: 'en' });
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('already holds a backup');

      // Not while a server holds the file.
      const under = await cli(['restore', out], { PERFLENS_DB: db, LANG: 'en' });
      expect(under.code).toBe(1);
      expect(under.stderr).toContain(`A server is running on ${db}`);

      // The admin route answers only the CLI: no token, a wrong one, or a relative folder are refused.
      const post = (headers: Record<string, string>, body: unknown) =>
        fetch(`${running.url}/api/backup`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
      expect((await post({}, { dir: join(dir, 'x') })).status).toBe(403);
      expect((await post({ 'x-perflens-token': 'guess' }, { dir: join(dir, 'x') })).status).toBe(403);
      expect((await post({ 'x-perflens-token': readServerInfo(db)!.token! }, { dir: 'relative' })).status).toBe(400);
      expect(existsSync(join(dir, 'x'))).toBe(false);

      // Into a new file: every table as the manifest says, which is the source as of the snapshot.
      const target = join(dir, 'restored.duckdb');
      const restored = await cli(['restore', out], { PERFLENS_DB: target, LANG: 'en' });
      expect(restored.stderr).toBe('');
      expect(restored.code).toBe(0);
      expect(restored.stdout).toContain('every checksum matches');
      const wh = await Warehouse.open({ path: target });
      try {
        expect(await checksumsOf(wh)).toEqual(manifest.tables);
      } finally {
        wh.close();
      }
      await running.wh.run(`DELETE FROM policies WHERE id LIKE 'W-%' AND TRY_CAST(substr(id, 3) AS INTEGER) >= ${added}`);
      await running.wh.run(`DELETE FROM org_units WHERE id LIKE 'WU-%' AND TRY_CAST(substr(id, 4) AS INTEGER) >= ${added}`);
      expect(await checksumsOf(running.wh)).toEqual(manifest.tables);

      // A database with data is replaced only when asked.
      const refused = await cli(['restore', out], { PERFLENS_DB: target, LANG: 'en' });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('already holds data');
      expect((await cli(['restore', out, '--force'], { PERFLENS_DB: target, LANG: 'en' })).code).toBe(0);
    } finally {
      await running.close();
    }
  }, 120_000);

  it('backs up and publishes without a server by opening the file itself', async () => {
    const db = join(dir, 'offline.duckdb');
    const wh = await Warehouse.open({ path: db });
    await wh.run(`INSERT INTO policies (id, name, effective_from) VALUES ('P1', 'offline', DATE '2024-01-01')`);
    wh.close();
    const b = await cli(['backup', join(dir, 'b')], { PERFLENS_DB: db, LANG: 'zh_CN.UTF-8' });
    expect(b.stderr).toBe('');
    expect(b.stdout).toContain('备份完成');
    expect(readManifest(join(dir, 'b', 'manifest.json')).tables.policies!.rows).toBe(1);
    const p = await cli(['publish', join(dir, 'pub')], { PERFLENS_DB: db, LANG: 'en' });
    expect(p.stderr).toBe('');
    expect(p.stdout).toMatch(/Published snapshot \S+: /);
    const current = JSON.parse(readFileSync(join(dir, 'pub', 'current.json'), 'utf8')) as { snapshot: string };
    expect(existsSync(join(dir, 'pub', current.snapshot))).toBe(true);
  }, 120_000);
});
