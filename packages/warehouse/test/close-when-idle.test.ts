import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Warehouse } from '../src/db.ts';

const dir = mkdtempSync(join(tmpdir(), 'perflens-close-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('closing a warehouse with background work running', () => {
  it('waits for detached work (an import’s refresh) before closing DuckDB under it', async () => {
    const wh = await Warehouse.open({ path: join(dir, 'c.duckdb') });
    let finished = false;
    // Detached like the refresh an import starts: no request waits for it.
    void wh.detached(async () => {
      await wh.query('SELECT count(*) AS n FROM range(60000000) t(i) WHERE i % 7 = 3');
      finished = true;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(wh.busyConnections).toBeGreaterThan(0);
    await wh.closeWhenIdle();
    expect(finished).toBe(true);
    // Closed: a later statement is refused instead of reaching a closed DuckDB instance.
    await expect(wh.query('SELECT 1')).rejects.toThrow();
  });
});
