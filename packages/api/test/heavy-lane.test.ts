import { describe, expect, it } from 'vitest';
import { baseProcedure, createCallerFactory, router } from '../src/trpc.ts';
import type { Warehouse } from '@perflens/warehouse';

/**
 * Heavy procedures (core heavy-procedures.ts) run one at a time; the light ones never wait for
 * them. The procedures here only sleep, under the heavy and a light procedure's names.
 */
describe('the heavy lane', () => {
  it('runs one heavy procedure at a time, in arrival order, and lets light ones through', async () => {
    let running = 0;
    let most = 0;
    const order: string[] = [];
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const heavy = baseProcedure.query(async ({ ctx }) => {
      running++;
      most = Math.max(most, running);
      order.push(`start ${ctx.lang}`);
      await sleep(40);
      running--;
      return ctx.lang;
    });
    const testRouter = router({
      ranking: router({ forced: heavy }),
      policy: router({ effect: heavy }),
      distribution: router({ grades: baseProcedure.query(() => 'light') }),
    });
    const call = (tag: string) => createCallerFactory(testRouter)({ wh: {} as Warehouse, lang: tag as 'zh' });
    const t0 = performance.now();
    const heavies = [call('a').ranking.forced(), call('b').policy.effect(), call('c').ranking.forced()];
    const light = await call('zh').distribution.grades();
    const lightMs = performance.now() - t0;
    expect(await Promise.all(heavies)).toEqual(['a', 'b', 'c']);
    expect(light).toBe('light');
    expect(lightMs).toBeLessThan(30);
    expect(most).toBe(1);
    expect(order).toEqual(['start a', 'start b', 'start c']);
    // A failed heavy procedure frees its turn too.
    const failing = router({ ranking: router({ forced: baseProcedure.query(() => Promise.reject(new Error('no'))) }) });
    await expect(createCallerFactory(failing)({ wh: {} as Warehouse, lang: 'zh' }).ranking.forced()).rejects.toThrow('no');
    expect(await call('d').ranking.forced()).toBe('d');
  });

  it('a heavy procedure that calls another one through its caller does not queue behind itself', async () => {
    const inner = router({ policy: router({ effect: baseProcedure.query(() => 'inner') }) });
    const outer = router({
      report: router({ create: baseProcedure.mutation(async ({ ctx }) => `outer+${await createCallerFactory(inner)(ctx).policy.effect()}`) }),
    });
    const t0 = performance.now();
    expect(await createCallerFactory(outer)({ wh: {} as Warehouse, lang: 'zh' }).report.create()).toBe('outer+inner');
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});
