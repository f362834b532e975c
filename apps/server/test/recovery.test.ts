import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Warehouse } from '@perflens/warehouse';
import { loadConfig } from '../src/config.ts';
import { createAppServer } from '../src/http.ts';
import { openWarehouse, serve, twinHandler } from '../src/commands/serve.ts';
import { WarehouseSlot } from '../src/warehouse-slot.ts';
import { signInFetches } from './signed-in.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'perflens-recovery-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/**
 * DuckDB's own test switch makes the next checkpoint fail as a disk error would; DuckDB then
 * invalidates the instance ("FATAL Error: Failed: database has been invalidated because of a
 * previous fatal error …") and refuses every later statement.
 */
async function invalidate(wh: Warehouse): Promise<void> {
  await wh.run(`INSERT INTO policies (id, name, effective_from) VALUES ('LAST', 'committed before the failure', DATE '2024-01-01')`);
  await wh.run(`SET debug_checkpoint_abort = 'before_header'`);
  await expect(wh.checkpoint()).rejects.toThrow(/FATAL Error/);
}

async function waitFor<T>(what: () => Promise<T>, ok: (v: T) => boolean, ms = 20_000): Promise<T> {
  const until = performance.now() + ms;
  for (;;) {
    const v = await what();
    if (ok(v)) return v;
    if (performance.now() > until) throw new Error(`timed out waiting; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const get = async (url: string) => {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('a database DuckDB invalidated', () => {
  it('is reopened: /healthz says degraded (503) meanwhile, requests get a retryable 503, then everything answers again', async () => {
    const path = join(dir, 'slot.duckdb');
    const wh = await Warehouse.open({ path });
    // The reopen waits for the test, so the degraded state can be looked at.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let reopened = 0;
    const server = createAppServer(wh, []);
    const slot = new WarehouseSlot(server, wh, path, {
      handlerFor: (w) => twinHandler(server, (x) => createAppServer(x, []), w),
      reopen: async () => {
        await gate;
        reopened++;
        return { wh: await openWarehouse(loadConfig({ PERFLENS_DB: path })), label: path };
      },
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await signInFetches(wh, base);
    try {
      expect((await get(`${base}/healthz`)).status).toBe(200);
      await invalidate(wh);
      // The first request after the failure meets it (and says nothing of DuckDB's text) …
      const first = await get(`${base}/healthz`);
      expect(first.status).toBe(503);
      expect(JSON.stringify(first.body)).not.toMatch(/FATAL|invalidated|DuckDB/);
      // … and sets the reopen going.
      await waitFor(async () => slot.degradedReason, (r) => r !== null);
      const degraded = await get(`${base}/healthz`);
      expect(degraded.status).toBe(503);
      expect(degraded.body).toMatchObject({ status: 'degraded' });
      const during = await fetch(`${base}/trpc/meta.overview`);
      expect(during.status).toBe(503);
      expect(during.headers.get('retry-after')).toBe('1');
      expect(((await during.json()) as { error: { message: string; data: { code: string } } }).error).toMatchObject({
        data: { code: 'SERVICE_UNAVAILABLE' },
        message: expect.stringContaining('being reopened'),
      });
      release();
      const ok = await waitFor(() => get(`${base}/healthz`), (r) => r.status === 200);
      expect(ok.body).toMatchObject({ status: 'ok' });
      expect(reopened).toBe(1);
      expect(slot.wh).not.toBe(wh);
      // Every committed row is there (DuckDB replayed the WAL).
      expect((await slot.wh.query(`SELECT id FROM policies`)).map((r) => r.id)).toEqual(['LAST']);
      const overview = await fetch(`${base}/trpc/meta.overview`);
      expect(overview.status).toBe(200);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      slot.stop();
    }
  }, 60_000);

  it('perflens serve recovers by itself and keeps its data', async () => {
    const db = join(dir, 'served.duckdb');
    const running = await serve(loadConfig({ PERFLENS_DB: db, PORT: '0', PERFLENS_DEMO: '0' }));
    try {
      await signInFetches(running.wh, running.url);
      // The server's start-up refresh of the derived tables is a write transaction: the forced
      // checkpoint failure below must not find it running (DuckDB would refuse the checkpoint).
      await running.wh.settled();
      const before = running.wh;
      await invalidate(before);
      const seen: number[] = [];
      const ok = await waitFor(
        async () => {
          const r = await get(`${running.url}/healthz`);
          seen.push(r.status);
          return r;
        },
        (r) => r.status === 200,
      );
      expect(seen[0]).toBe(503);
      expect(ok.body).toMatchObject({ status: 'ok' });
      expect(running.wh).not.toBe(before);
      const policies = (await (await fetch(`${running.url}/trpc/policy.list`)).json()) as { result: { data: Array<{ id: string }> } };
      expect(policies.result.data.map((p) => p.id)).toEqual(['LAST']);
      // And it writes again.
      await running.wh.run(`INSERT INTO policies (id, name, effective_from) VALUES ('AFTER', 'after the reopen', DATE '2024-01-01')`);
      // The reopened warehouse refreshes its derived tables too; checkpoint once that is done.
      await running.wh.settled();
      await running.wh.checkpoint();
    } finally {
      await running.close();
    }
  }, 60_000);
});
