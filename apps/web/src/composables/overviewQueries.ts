import type { QueryClient } from '@tanstack/vue-query';
import { api } from '@/api';
import { filtersFromQuery, type FilterState, type LocationQuery } from '@/lib/filterQuery';
import { metaQueries } from '@/api/queries';

/**
 * The overview's data requests for one filter state. The page and the start-up prefetch build
 * them here, so both use the same keys and the page finds the prefetched answers in the cache.
 */
/** Raters shown per page of the leniency table (the server pages the z-ordered list). */
export const RATER_PAGE_SIZE = 10;

export function overviewQueries(f: FilterState, raterPage = 1) {
  const rp = { page: raterPage, pageSize: RATER_PAGE_SIZE };
  return {
    grades: { queryKey: ['grades', 'none', f], queryFn: () => api.grades(f, 'none') },
    trend: { queryKey: ['grades', 'period', f], queryFn: () => api.grades(f, 'period') },
    // Round bin edges (20, 25, 30 …) are chosen server-side in the same request.
    scores: { queryKey: ['scores', f], queryFn: () => api.scores({ ...f, nice: true }) },
    boxes: { queryKey: ['byOrgUnit', f], queryFn: () => api.byOrgUnit(f) },
    raters: { queryKey: ['raters', f, rp], queryFn: () => api.raters(f, rp) },
  };
}

/** A request already on its way, under the key its page will ask for. */
export interface EarlyQuery {
  queryKey: unknown[];
  answer: Promise<unknown>;
}

/**
 * Sends the overview's requests at once when the first page is the overview. main.ts calls this
 * before the framework code (~0.4 MB) has even downloaded, so on a cold start the answers arrive
 * while Vue, Element Plus and ECharts are still being evaluated instead of after them.
 */
export function startOverviewPrefetch(query: LocationQuery): EarlyQuery[] {
  const f = filtersFromQuery(query);
  const all: Array<{ queryKey: unknown[]; queryFn: () => Promise<unknown> }> = [
    ...Object.values(overviewQueries(f)),
    metaQueries.overview,
    metaQueries.orgUnits,
    metaQueries.periods,
  ];
  return all.map((q) => {
    const answer = q.queryFn();
    // A failure is not reported here: the page's own query retries and shows the error.
    answer.catch(() => undefined);
    return { queryKey: q.queryKey, answer };
  });
}

/** Hands the early answers to the query cache; a failed one is simply fetched again by its page. */
export function seedQueries(client: QueryClient, early: EarlyQuery[]): void {
  for (const q of early) void client.prefetchQuery({ queryKey: q.queryKey, queryFn: () => q.answer });
}
