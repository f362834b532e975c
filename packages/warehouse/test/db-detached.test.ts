import { describe, expect, it } from 'vitest';
import { Warehouse } from '../src/db.ts';

describe('shared work outside a request signal', () => {
  it('a memo started by a request that is then cancelled still serves the next caller', async () => {
    const wh = await Warehouse.open({ path: ':memory:', poolSize: 2 });
    try {
      const first = new AbortController();
      // The first caller starts a slow shared read, then goes away (a superseded dashboard query).
      const load = () => wh.query<{ n: number }>('SELECT count(*)::DOUBLE AS n FROM range(300000000)');
      const a = wh.withSignal(first.signal, () => wh.memo('slow', load)).catch((e: unknown) => e);
      const b = wh.withSignal(new AbortController().signal, () => wh.memo('slow', load));
      setTimeout(() => first.abort(), 20);
      await a;
      // Without detaching, the shared read ran under the first caller's signal and failed for both.
      expect((await b)[0]!.n).toBe(300000000);
    } finally {
      wh.close();
    }
  }, 60_000);
});
