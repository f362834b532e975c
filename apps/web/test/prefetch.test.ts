import { afterEach, describe, expect, it, vi } from 'vitest';
import { QueryClient } from '@tanstack/vue-query';
import { seedQueries, startOverviewPrefetch } from '../src/composables/overviewQueries';
import { startPagePrefetch } from '../src/composables/prefetch';

/**
 * The start-up seam: main.ts sends the overview's requests before Vue exists, app.ts hands the
 * answers to the query cache. A real tRPC client runs against a stubbed fetch.
 */
function stubServer(fail: Set<string>) {
  const calls: string[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string | URL, init?: RequestInit) => {
      const u = new URL(String(url), 'http://perflens.test');
      const procs = u.pathname.replace('/trpc/', '').split(',');
      calls.push(...procs.map((p) => `${p} ${(init?.headers as Record<string, string> | undefined)?.['x-perflens-lang'] ?? ''}`));
      const body = procs.map((p) => (fail.has(p) ? { error: { message: 'boom', code: -32603, data: { code: 'INTERNAL_SERVER_ERROR', httpStatus: 500, path: p } } } : { result: { data: { from: p } } }));
      return new Response(JSON.stringify(body), { status: fail.size ? 207 : 200, headers: { 'content-type': 'application/json' } });
    }),
  );
  return calls;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('start-up prefetch', () => {
  it('sends the overview and meta requests in one batch with the UI language, and seeds the cache', async () => {
    const calls = stubServer(new Set());
    const early = startOverviewPrefetch({ role: 'sales', cycle: 'quarter' });
    await Promise.all(early.map((q) => q.answer));
    expect(calls.map((c) => c.split(' ')[0]).sort()).toEqual(
      ['distribution.byOrgUnit', 'distribution.grades', 'distribution.grades', 'distribution.raters', 'distribution.scores', 'meta.orgUnits', 'meta.overview', 'meta.periods'].sort(),
    );
    expect(new Set(calls.map((c) => c.split(' ')[1]))).toEqual(new Set(['zh']));
    expect((fetch as unknown as { mock: { calls: unknown[] } }).mock.calls).toHaveLength(1);

    const client = new QueryClient();
    seedQueries(client, early);
    await vi.waitFor(() => expect(client.getQueryData(['meta', 'periods'])).toEqual({ from: 'meta.periods' }));
    // The page asks with the filters it reads from the same URL, so the keys must match.
    expect(client.getQueryData(['grades', 'period', { cycle: 'quarter', role: 'sales' }])).toEqual({ from: 'distribution.grades' });
    expect(client.getQueryData(['raters', { cycle: 'quarter', role: 'sales' }, { page: 1, pageSize: 10 }])).toEqual({ from: 'distribution.raters' });
  });

  it('leaves a failed answer out of the cache so the page fetches it again', async () => {
    stubServer(new Set(['meta.orgUnits']));
    const early = startOverviewPrefetch({});
    await Promise.allSettled(early.map((q) => q.answer));
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    seedQueries(client, early);
    await vi.waitFor(() => expect(client.getQueryData(['meta', 'overview'])).toEqual({ from: 'meta.overview' }));
    await vi.waitFor(() => expect(client.getQueryState(['meta', 'orgUnits'])?.status).toBe('error'));
    expect(client.getQueryData(['meta', 'orgUnits'])).toBeUndefined();
  });

  it('sends another page’s first requests in one batch under the keys its useQuery calls use', async () => {
    const calls = stubServer(new Set());
    const early = startPagePrefetch('/policy/', {});
    await Promise.all(early.map((q) => q.answer));
    expect(calls.map((c) => c.split(' ')[0]).sort()).toEqual(['meta.orgUnits', 'meta.roles', 'policy.list', 'policy.outcomes']);
    expect((fetch as unknown as { mock: { calls: unknown[] } }).mock.calls).toHaveLength(1);
    const client = new QueryClient();
    seedQueries(client, early);
    // PolicyPage.vue: useQuery({ queryKey: ['policy', 'list'] … }) and ['policy', 'outcomes'].
    await vi.waitFor(() => expect(client.getQueryData(['policy', 'list'])).toEqual({ from: 'policy.list' }));
    expect(client.getQueryData(['policy', 'outcomes'])).toEqual({ from: 'policy.outcomes' });
  });

  it('sends nothing for a page without listed first requests', () => {
    const calls = stubServer(new Set());
    expect(startPagePrefetch('/sign-in', {})).toEqual([]);
    expect(startPagePrefetch('/admin/audit', {})).toEqual([]);
    expect(calls).toEqual([]);
  });
});
