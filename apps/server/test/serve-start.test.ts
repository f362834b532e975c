import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { derivedState, Warehouse } from '@perflens/warehouse';
import { loadConfig } from '../src/config.ts';
import { isEmpty, serve } from '../src/commands/serve.ts';
import { log } from '../src/log.ts';
import { signInFetches } from './signed-in.ts';

/**
 * The real demo loader, counted, and made to fail on demand: a demo that cannot load must not
 * stop the server.
 */
const demo = vi.hoisted(() => ({ calls: 0, fail: null as Error | null }));
vi.mock('@perflens/demo', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@perflens/demo')>();
  return {
    ...actual,
    loadDemo: async (...args: Parameters<typeof actual.loadDemo>) => {
      demo.calls++;
      if (demo.fail) throw demo.fail;
      return actual.loadDemo(...args);
    },
  };
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'perflens-serve-start-'));
  demo.calls = 0;
  demo.fail = null;
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

describe('perflens serve on a database that is not quite empty', () => {
  it('a database holding only an org unit and a period is not empty: no demo, the org unit stays, /healthz ok', async () => {
    const db = join(dir, 'started.duckdb');
    const wh = await Warehouse.open({ path: db });
    await wh.run(`INSERT INTO org_units (id, name, parent_id, kind) VALUES ('ACME', '自家公司', NULL, 'company')`);
    await wh.run(`INSERT INTO periods (id, kind, start_date, end_date) VALUES ('2024', 'year', DATE '2024-01-01', DATE '2024-12-31')`);
    expect(await isEmpty(wh)).toBe(false);
    wh.close();

    const running = await serve(loadConfig({ PERFLENS_DB: db, PORT: '0', PERFLENS_DEMO: '1', PERFLENS_DEMO_EMPLOYEES: '20' }));
    try {
      await signInFetches(running.wh, running.url);
      expect(demo.calls).toBe(0);
      const health = await fetch(`${running.url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok' });
      const units = (await (await fetch(`${running.url}/trpc/meta.orgUnits`)).json()) as { result: { data: Array<{ id: string }> } };
      expect(units.result.data.map((u) => u.id)).toEqual(['ACME']);
    } finally {
      await running.close();
    }
  });

  it('every data table counts, seeded reference rows (built-in roles) do not', async () => {
    const wh = await Warehouse.open({ path: join(dir, 'each.duckdb') });
    try {
      expect(await isEmpty(wh)).toBe(true);
      await wh.run(`INSERT INTO policies (id, name, effective_from) VALUES ('P1', 'pilot', DATE '2024-07-01')`);
      expect(await isEmpty(wh)).toBe(false);
    } finally {
      wh.close();
    }
  });

  it('a demo that fails is a warning, and the server starts anyway', async () => {
    demo.fail = new Error('数据库中已有组织或员工数据，示范公司只能载入空数据库。/ The database already holds org units or employees');
    const warn = vi.spyOn(log, 'warn');
    const running = await serve(loadConfig({ PERFLENS_DB: join(dir, 'refused.duckdb'), PORT: '0', PERFLENS_DEMO: '1', PERFLENS_DEMO_EMPLOYEES: '20' }));
    try {
      expect(demo.calls).toBe(1);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('demo'), expect.objectContaining({ error: expect.stringContaining('already holds') }));
      expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
    } finally {
      await running.close();
    }
  });

  it('a database written without a server (CLI import, restore) gets its derived tables in the background at start, before any request', { timeout: 30_000 }, async () => {
    const db = join(dir, 'written.duckdb');
    const wh = await Warehouse.open({ path: db });
    const { loadDemo } = await import('@perflens/demo');
    await loadDemo(wh, { employees: 30 });
    // What the loader leaves: facts and the cube, no simulation layout yet.
    expect(await wh.query('SELECT signature FROM sim_state')).toEqual([]);
    wh.close();

    const running = await serve(loadConfig({ PERFLENS_DB: db, PORT: '0', PERFLENS_DEMO: '0' }));
    try {
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && (derivedState(running.wh).updating || derivedState(running.wh).lastMs === null)) await new Promise((r) => setTimeout(r, 50));
      expect(derivedState(running.wh)).toMatchObject({ updating: false, lastFailed: false });
      const [state] = await running.wh.query<{ n: number }>('SELECT count(*)::INTEGER AS n FROM sim_state WHERE signature IS NOT NULL');
      expect(state!.n).toBe(1);
      const [facts] = await running.wh.query<{ n: number }>('SELECT count(*)::INTEGER AS n FROM sim_facts');
      expect(facts!.n).toBeGreaterThan(0);
    } finally {
      await running.close();
    }
  });
});
