import { api } from '@/api';
import { trpc } from '@/api/client';
import { metaQueries } from '@/api/queries';
import type { LocationQuery } from '@/lib/filterQuery';
import { startOverviewPrefetch, type EarlyQuery } from './overviewQueries';

/**
 * Start-up prefetch for whichever page a cold load opens (issue 18, "speed as felt"). Free of Vue
 * on purpose: main.ts calls it before the framework code has downloaded, so a page's first data
 * travels in the same batch as auth.me, in parallel with Vue, Element Plus and the router, instead
 * of after the page's chunk has been evaluated and mounted. (The page's code itself is started by
 * app.ts, see preloadRoute in router.ts; only the overview's is started here, as before.)
 */

type Early = { queryKey: unknown[]; queryFn: () => Promise<unknown> };

/**
 * The first requests of each page, under the query keys the page's own useQuery calls use, so the
 * page finds them in the cache (a key that drifts only costs the head start: the page fetches
 * again). Only requests that need nothing from an earlier answer are listed.
 */
const FIRST_QUERIES: Record<string, () => Early[]> = {
  // Calibration starts on the latest period (meta.overview); its settings form lists the outcomes.
  '/calibration': () => [metaQueries.overview, { queryKey: ['policy', 'outcomes'], queryFn: () => trpc.policy.outcomes.query() }],
  '/policy': () => [
    { queryKey: ['policy', 'list'], queryFn: () => trpc.policy.list.query() },
    { queryKey: ['policy', 'outcomes'], queryFn: () => trpc.policy.outcomes.query() },
    metaQueries.orgUnits,
    metaQueries.roles,
  ],
  '/simulation': () => [metaQueries.orgUnits, metaQueries.roles, metaQueries.periods],
  '/data': () => [
    { queryKey: ['import', 'tables'], queryFn: api.importTables },
    { queryKey: ['import', 'mappings'], queryFn: api.mappings },
    { queryKey: ['import', 'batches', 1], queryFn: () => api.batches(1) },
  ],
  '/account': () => [{ queryKey: ['auth', 'tokens'], queryFn: () => trpc.auth.tokens.list.query() }],
  '/admin/users': () => [{ queryKey: ['admin', 'users'], queryFn: () => trpc.admin.users.list.query() }],
};

/**
 * Sends the opened page's first requests; returns them for app.ts to hand to the query cache. A
 * page the user may not open costs a refused request; the router then sends them to their own
 * first page as usual.
 */
export function startPagePrefetch(pathname: string, query: LocationQuery): EarlyQuery[] {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  if (path === '/') {
    // The router imports the same module later; this only starts the download sooner. Only the
    // overview's chunk is imported from the entry: importing every page here would make each page
    // a root of its own and split the framework chunk they share with app.ts into many small ones.
    import('@/pages/OverviewPage.vue').catch(() => undefined); // a failure surfaces through the router
    return startOverviewPrefetch(query);
  }
  return (FIRST_QUERIES[path]?.() ?? []).map((q) => {
    const answer = q.queryFn();
    // Not reported here: the page's own query retries and shows the error.
    answer.catch(() => undefined);
    return { queryKey: q.queryKey, answer };
  });
}
