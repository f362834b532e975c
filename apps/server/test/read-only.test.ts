import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Warehouse } from '@perflens/warehouse';
import { LATEST_SCHEMA_VERSION, readCurrentSnapshot, writeFileAtomic, type PublishResult } from '@perflens/warehouse/backup';
import { loadConfig } from '../src/config.ts';
import { serve, type RunningServer } from '../src/commands/serve.ts';
import { callAdmin } from '../src/commands/backup.ts';
import { publishFrom } from '../src/commands/publish.ts';
import { readServerInfo } from '../src/server-info.ts';
import { authorizeFetches, signInFetches, tokenFor } from './signed-in.ts';

let dir: string;
const servers: RunningServer[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'perflens-read-only-'));
});
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

const readOnly = (snapshots: string) =>
  loadConfig({ PERFLENS_READ_ONLY: '1', PERFLENS_SNAPSHOTS: snapshots, PORT: '0', PERFLENS_SNAPSHOT_POLL_MS: '100', PERFLENS_DB: join(dir, 'unused.duckdb') });

/** The test's own policies (P-1, P-2 …; the demo company has its own). */
async function policyIds(url: string): Promise<{ status: number; snapshot: string | null; ids: string[] }> {
  const res = await fetch(`${url}/trpc/policy.list`);
  const body = (await res.json()) as { result?: { data: Array<{ id: string }> } };
  return { status: res.status, snapshot: res.headers.get('x-perflens-snapshot'), ids: (body.result?.data ?? []).map((p) => p.id).filter((id) => /^P-\d+$/.test(id)).sort() };
}

describe('perflens serve --read-only', () => {
  it('two read-only servers serve the published snapshot, refuse every write, and both move to the next one with no failed request', async () => {
    const db = join(dir, 'writer.duckdb');
    const pub = join(dir, 'published');
    const writer = await serve(loadConfig({ PERFLENS_DB: db, PORT: '0', PERFLENS_DEMO: '1', PERFLENS_DEMO_EMPLOYEES: '60' }));
    servers.push(writer);
    // The writer's users and tokens travel in the snapshot: one token signs in everywhere.
    const token = await signInFetches(writer.wh, writer.url);
    await writer.wh.run(`INSERT INTO policies (id, name, effective_from) VALUES ('P-1', 'first publish', DATE '2024-07-01')`);
    // Through the running writer, as `perflens publish` does.
    const first = await callAdmin<PublishResult>(readServerInfo(db)!, '/api/publish', { dir: pub });
    expect(readCurrentSnapshot(pub)!.id).toBe(first.id);

    const a = await serve(readOnly(pub));
    servers.push(a);
    const b = await serve(readOnly(pub));
    servers.push(b);
    authorizeFetches(a.url, token);
    authorizeFetches(b.url, token);
    expect([a.readOnly, b.readOnly]).toEqual([true, true]);
    for (const s of [a, b]) {
      expect(await policyIds(s.url)).toEqual({ status: 200, snapshot: first.id, ids: ['P-1'] });
      const health = await fetch(`${s.url}/healthz`);
      expect(await health.json()).toEqual({ status: 'ok', version: '0.1.0', schema: LATEST_SCHEMA_VERSION });
      // The analyses run on the snapshot as on the writer.
      const grades = await fetch(`${s.url}/trpc/distribution.grades?input=${encodeURIComponent(JSON.stringify({ groupBy: 'orgUnit' }))}`);
      expect(grades.status).toBe(200);
    }
    const same = async (path: string) => (await (await fetch(`${writer.url}${path}`)).json()) as unknown;
    expect(await (await fetch(`${a.url}/trpc/distribution.scores`)).json()).toEqual(await same('/trpc/distribution.scores'));
    const sim = await fetch(`${a.url}/trpc/simulation.run?input=${encodeURIComponent(JSON.stringify({ baseSchemeId: 'merchandiser-v1', pageSize: 5 }))}`);
    expect(sim.status).toBe(200);

    // Writes: refused before they reach the database, with a message saying where to make them.
    const create = await fetch(`${a.url}/trpc/policy.create`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x', effectiveFrom: '2024-01-01' }) });
    expect(create.status).toBe(403);
    const refusal = (await create.json()) as { error: { message: string; data: { code: string } } };
    expect(refusal.error.data.code).toBe('FORBIDDEN');
    expect(refusal.error.message).toContain('read-only server');
    const batch = await fetch(`${a.url}/trpc/meta.overview,import.run?batch=1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(batch.status).toBe(403);
    expect(Array.isArray(await batch.json())).toBe(true);
    const upload = await fetch(`${a.url}/api/upload?name=x.csv`, { method: 'POST', body: 'a,b\n1,2\n' });
    expect(upload.status).toBe(403);
    expect(((await upload.json()) as { error: string }).error).toContain('只读服务器');
    expect((await fetch(`${a.url}/api/backup`, { method: 'POST', body: '{}' })).status).toBe(403);

    // A client asks both servers, without pause, while the writer changes data and publishes again.
    const failures: string[] = [];
    let requests = 0;
    const seen = { a: new Set<string>(), b: new Set<string>() };
    let hammering = true;
    const hammer = async (s: RunningServer, into: Set<string>) => {
      const deadline = performance.now() + 30_000;
      while (hammering && performance.now() < deadline) {
        for (const path of ['/trpc/policy.list', '/trpc/meta.overview', `/trpc/distribution.grades?input=${encodeURIComponent('{"groupBy":"role"}')}`]) {
          requests++;
          try {
            const res = await fetch(`${s.url}${path}`);
            const text = await res.text();
            if (res.status !== 200) failures.push(`${res.status} ${path} ${text.slice(0, 200)}`);
            into.add(res.headers.get('x-perflens-snapshot') ?? '?');
          } catch (err) {
            failures.push(`${path}: ${String(err)}`);
          }
        }
      }
    };
    const firstWarehouses = [a.wh, b.wh];
    const clients = [hammer(a, seen.a), hammer(b, seen.b)];
    await new Promise((r) => setTimeout(r, 300));
    await writer.wh.run(`INSERT INTO policies (id, name, effective_from) VALUES ('P-2', 'second publish', DATE '2024-08-01')`);
    const second = await publishFrom(writer.wh, pub, loadConfig({ PERFLENS_DB: db }));
    const until = performance.now() + 20_000;
    while ((a.slot.label !== second.id || b.slot.label !== second.id) && performance.now() < until) await new Promise((r) => setTimeout(r, 50));
    // Keep asking a little longer: the old snapshot is closed once its requests are done.
    await new Promise((r) => setTimeout(r, 500));
    hammering = false;
    await Promise.all(clients);

    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(30);
    expect([...seen.a].sort()).toEqual([first.id, second.id].sort());
    expect([...seen.b].sort()).toEqual([first.id, second.id].sort());
    for (const s of [a, b]) expect(await policyIds(s.url)).toEqual({ status: 200, snapshot: second.id, ids: ['P-1', 'P-2'] });
    // The first snapshot's warehouses were closed once their requests were done.
    for (const w of firstWarehouses) await expect(w.query('SELECT 1')).rejects.toThrow(/closed/);
  }, 180_000);

  it('refuses to start without a snapshot or on one with an older schema, and keeps serving when a newer one is refused', async () => {
    const pub = join(dir, 'published');
    await expect(serve(readOnly(pub))).rejects.toThrow(/No snapshot has been published in .* yet/);

    const db = join(dir, 'src.duckdb');
    const wh = await Warehouse.open({ path: db });
    try {
      const cfg = loadConfig({ PERFLENS_DB: db });
      const token = await tokenFor(wh);
      const good = await publishFrom(wh, pub, cfg);
      const running = await serve(readOnly(pub));
      servers.push(running);
      authorizeFetches(running.url, token);
      // A snapshot as an older PerfLens would publish it (its schema lacks the last migration),
      // made in a scratch folder and then moved in and pointed at.
      const scratch = join(dir, 'scratch');
      const old = await publishFrom(wh, scratch, cfg);
      const rw = await Warehouse.open({ path: old.file });
      await rw.run(`DELETE FROM schema_migrations WHERE version = ${LATEST_SCHEMA_VERSION}`);
      rw.close();
      for (const ext of ['duckdb', 'json']) copyFileSync(join(scratch, 'snapshots', `${old.id}.${ext}`), join(pub, 'snapshots', `${old.id}.${ext}`));
      writeFileAtomic(join(pub, 'current.json'), readFileSync(join(scratch, 'current.json'), 'utf8'));
      // Several polls later the server still answers, from the snapshot it had.
      await new Promise((r) => setTimeout(r, 600));
      expect(running.slot.label).toBe(good.id);
      expect((await policyIds(running.url)).status).toBe(200);
      expect((await policyIds(running.url)).snapshot).toBe(good.id);
      // A server starting now is refused, saying why.
      await expect(serve(readOnly(pub))).rejects.toThrow(`this PerfLens needs ${LATEST_SCHEMA_VERSION}`);
      // The next good publish is taken up again.
      const next = await publishFrom(wh, pub, cfg);
      const until = performance.now() + 10_000;
      while (running.slot.label !== next.id && performance.now() < until) await new Promise((r) => setTimeout(r, 50));
      expect(running.slot.label).toBe(next.id);
    } finally {
      await wh.closeWhenIdle();
    }
  }, 120_000);
});
