import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.ts';
import { serve } from '../src/commands/serve.ts';
import { readServerInfo } from '../src/server-info.ts';
import { signInFetches } from './signed-in.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'perflens-serve-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('configuration', () => {
  it('applies defaults', () => {
    const cfg = loadConfig({});
    expect(cfg.PORT).toBe(8320);
    expect(cfg.PERFLENS_DEMO).toBe(true);
    expect(cfg.PERFLENS_DB.endsWith('data/perflens.duckdb')).toBe(true);
  });
  it('names every bad variable in one message', () => {
    expect(() => loadConfig({ PORT: 'eighty', PERFLENS_MEMORY_LIMIT: 'lots', PERFLENS_DEMO: 'maybe' })).toThrowError(
      /PORT[\s\S]*PERFLENS_MEMORY_LIMIT[\s\S]*PERFLENS_DEMO|PORT[\s\S]*PERFLENS_DEMO[\s\S]*PERFLENS_MEMORY_LIMIT/,
    );
  });
});

describe('perflens serve', () => {
  it('answers /healthz, advertises itself for the CLI and cleans up on close', async () => {
    const db = join(dir, 'x.duckdb');
    const running = await serve(loadConfig({ PERFLENS_DB: db, PORT: '0', PERFLENS_DEMO: '0' }));
    await signInFetches(running.wh, running.url);
    const res = await fetch(`${running.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', version: '0.1.0', schema: running.wh ? await running.wh.schemaVersion() : -1 });
    expect((await running.wh.schemaVersion()) >= 2).toBe(true);
    expect(readServerInfo(db)?.url).toBe(running.url);
    const overview = (await (await fetch(`${running.url}/trpc/meta.overview`)).json()) as { result: { data: { assessments: number } } };
    expect(overview.result.data.assessments).toBe(0);
    await running.close();
    expect(existsSync(`${db}.server.json`)).toBe(false);
  });

  it('fails with a clear message when the port is taken, and releases the database', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    const db = join(dir, 'y.duckdb');
    await expect(serve(loadConfig({ PERFLENS_DB: db, PORT: String(port), PERFLENS_DEMO: '0' }))).rejects.toThrow(
      `Port ${port} is already in use`,
    );
    blocker.close();
    // The failed start must not keep the DuckDB file locked.
    const again = await serve(loadConfig({ PERFLENS_DB: db, PORT: '0', PERFLENS_DEMO: '0' }));
    await again.close();
  });
});
