import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TRPCError } from '@trpc/server';
import { Warehouse } from '@perflens/warehouse';
import { publicProcedure, router, createCallerFactory } from '../src/trpc.ts';

/**
 * Two transactions change one row at the same moment: DuckDB aborts the second with
 * "Conflict on update!". Through any procedure that surfaces as CONFLICT, not a 500.
 */
let dir: string;
let wh: Warehouse;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perflens-api-conflict-'));
  wh = await Warehouse.open({ path: join(dir, 'c.duckdb') });
  await wh.run('CREATE TABLE counter (id INTEGER PRIMARY KEY, v INTEGER)');
  await wh.run('INSERT INTO counter VALUES (1, 0)');
});
afterAll(() => {
  wh.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The first transaction holds its update open until the second has tried its own. */
async function twoWritersOneRow(): Promise<void> {
  let secondTried!: () => void;
  const tried = new Promise<void>((r) => (secondTried = r));
  let firstUpdated!: () => void;
  const updated = new Promise<void>((r) => (firstUpdated = r));
  const first = wh.transaction(async (c) => {
    await c.run('UPDATE counter SET v = v + 1 WHERE id = 1');
    firstUpdated();
    await tried;
  });
  await updated;
  const second = wh
    .transaction((c) => c.run('UPDATE counter SET v = v + 10 WHERE id = 1'))
    .finally(() => secondTried());
  // Both settle before the answer: the first commits after the second has failed, and the row is
  // read only then (Promise.all would reject as the second fails, before the first's commit).
  const results = await Promise.allSettled([first, second]);
  for (const r of results) if (r.status === 'rejected') throw r.reason;
}

const testRouter = router({
  bump: publicProcedure.mutation(() => twoWritersOneRow()),
  broken: publicProcedure.query(() => {
    throw new Error('something else failed');
  }),
});

describe('write conflicts', () => {
  it('answer CONFLICT with a bilingual message, and the row keeps the first write only', async () => {
    const caller = createCallerFactory(testRouter)({ wh, lang: 'zh' });
    const err = await caller.bump().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TRPCError);
    expect((err as TRPCError).code).toBe('CONFLICT');
    expect((err as TRPCError).message).toMatch(/请重试 .* please try again/);
    expect(String((err as TRPCError).cause?.message)).toMatch(/Conflict on update/);
    const [row] = await wh.query<{ v: number }>('SELECT v FROM counter WHERE id = 1');
    expect(row!.v).toBe(1);
  });

  it('leave other failures as they were', async () => {
    const caller = createCallerFactory(testRouter)({ wh, lang: 'zh' });
    const err = await caller.broken().catch((e: unknown) => e);
    expect((err as TRPCError).code).toBe('INTERNAL_SERVER_ERROR');
  });
});
