import { api } from './index';

/**
 * Query definitions (key + fetcher) shared by the Vue hooks and the start-up prefetch in
 * main.ts, so the pages find the prefetched answers under the same keys. Free of Vue on purpose:
 * main.ts runs them before the framework code has loaded.
 */
export const metaQueries = {
  overview: { queryKey: ['meta', 'overview'], queryFn: api.overview },
  periods: { queryKey: ['meta', 'periods'], queryFn: api.periods },
  orgUnits: { queryKey: ['meta', 'orgUnits'], queryFn: api.orgUnits },
  roles: { queryKey: ['meta', 'roles'], queryFn: api.roles },
};
