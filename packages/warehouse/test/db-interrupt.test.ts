import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Warehouse, WorkAbortedError } from '../src/db.ts';

/** Counts ten billion rows: minutes of work, so only an interrupt ends it in time. */
const RUNAWAY = 'SELECT count(*) AS n FROM range(10000000000)';
const connectionId = async (wh: Warehouse) => (await wh.query<{ id: string }>('SELECT current_connection_id()::BIGINT AS id'))[0]!.id;

let dir: string;
let wh: Warehouse;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perflens-interrupt-'));
  // One connection: whatever answers after the interrupted query is the connection that ran it.
  wh = await Warehouse.open({ path: join(dir, 'i.duckdb'), poolSize: 1, threads: 2 });
});
afterEach(() => {
  wh.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('work under a signal', () => {
  it('a runaway query is interrupted at the deadline and its pooled connection answers right after', async () => {
    const before = await connectionId(wh);
    const t0 = performance.now();
    const err = await wh.withSignal(AbortSignal.timeout(300), () => wh.query(RUNAWAY)).catch((e: unknown) => e);
    const stoppedAfter = performance.now() - t0;
    expect(err).toBeInstanceOf(WorkAbortedError);
    // The library's "INTERRUPT Error" is kept as the cause, not shown as the message.
    expect((err as Error).message).toBe('The work was stopped before it finished. / 操作未完成即被停止。');
    expect(String((err as Error).cause)).toMatch(/interrupt/i);
    expect(stoppedAfter).toBeLessThan(3000);
    const t1 = performance.now();
    expect(await wh.query('SELECT 1 AS x')).toEqual([{ x: 1 }]);
    expect(performance.now() - t1).toBeLessThan(500);
    expect(await connectionId(wh)).toBe(before);
  });

  it('an interrupted transaction is rolled back and the connection is usable for the next one', async () => {
    await wh.run('CREATE TABLE t (a INTEGER)');
    const before = await connectionId(wh);
    const err = await wh
      .withSignal(AbortSignal.timeout(300), () =>
        wh.transaction(async (conn) => {
          await conn.run('INSERT INTO t VALUES (1)');
          await conn.run(`INSERT INTO t SELECT 2 FROM range(10000000000)`);
        }),
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkAbortedError);
    expect(await wh.query('SELECT count(*)::INTEGER AS n FROM t')).toEqual([{ n: 0 }]);
    await wh.transaction(async (conn) => conn.run('INSERT INTO t VALUES (3)'));
    expect(await wh.query('SELECT a FROM t')).toEqual([{ a: 3 }]);
    expect(await connectionId(wh)).toBe(before);
  });

  it('work stopped between two statements does not start the next one (no COMMIT after the stop)', async () => {
    await wh.run('CREATE TABLE t (a INTEGER)');
    const stop = new AbortController();
    const err = await wh
      .withSignal(stop.signal, () =>
        wh.transaction(async (conn) => {
          await conn.run('INSERT INTO t VALUES (1)');
          stop.abort(); // the deadline passes while JavaScript works between statements
          await conn.run('INSERT INTO t VALUES (2)');
        }),
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkAbortedError);
    expect(await wh.query('SELECT count(*)::INTEGER AS n FROM t')).toEqual([{ n: 0 }]);
    // Every later statement of the stopped work refuses, without touching the pool.
    await expect(wh.withSignal(stop.signal, () => wh.query('SELECT 1'))).rejects.toBeInstanceOf(WorkAbortedError);
  });

  it('a caller queued for a connection stops waiting when its signal fires; the holder is not disturbed', async () => {
    const holder = new AbortController();
    const running = wh.withSignal(holder.signal, () => wh.query(RUNAWAY)).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 100));
    const t0 = performance.now();
    await expect(wh.withSignal(AbortSignal.timeout(200), () => wh.query('SELECT 1 AS x'))).rejects.toBeInstanceOf(WorkAbortedError);
    expect(performance.now() - t0).toBeLessThan(2000);
    holder.abort();
    expect(await running).toBeInstanceOf(WorkAbortedError);
    // The queue is empty again: the next caller gets the connection at once.
    expect(await wh.query('SELECT 1 AS x')).toEqual([{ x: 1 }]);
  });

  it('without a signal, and under one that never fires, work runs as before', async () => {
    expect(await wh.query('SELECT 42 AS x')).toEqual([{ x: 42 }]);
    const calm = new AbortController();
    expect(await wh.withSignal(calm.signal, () => wh.query('SELECT count(*)::INTEGER AS n FROM range(1000)'))).toEqual([{ n: 1000 }]);
    // A signal fired after the work finished changes nothing for the next caller.
    calm.abort();
    expect(await wh.query('SELECT 1 AS x')).toEqual([{ x: 1 }]);
  });
});
