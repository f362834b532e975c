import type { QueryClient } from '@tanstack/vue-query';
import { api } from '@/api';
import { filtersFromQuery, type FilterState, type LocationQuery } from '@/stores/filters';
import { metaQueries } from '@/composables/meta';

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

/**
 * Called before the app mounts when the first page is the overview: the requests then run
 * while the page's code and chart library download and start, instead of after them
 * (a cold start used to spend ~0.7 s on that sequence).
 */
export function prefetchOverview(client: QueryClient, query: LocationQuery): void {
  const f = filtersFromQuery(query);
  const all: Array<{ queryKey: unknown[]; queryFn: () => Promise<unknown> }> = [
    ...Object.values(overviewQueries(f)),
    metaQueries.overview,
    metaQueries.orgUnits,
    metaQueries.periods,
  ];
  for (const q of all) void client.prefetchQuery(q);
}
