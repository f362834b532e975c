import { watch } from 'vue';
import { useRoute, useRouter } from 'vue-router';
import { filtersFromQuery, filtersToQuery, sameFilters } from '@/lib/filterQuery';
import { useFiltersStore } from '@/stores/filters';

/**
 * Two-way binding between the filter store and the URL query: the URL is read on entry and on
 * back/forward; store changes push a new history entry so the back button undoes a filter.
 */
export function useFilterUrl(): void {
  const store = useFiltersStore();
  const route = useRoute();
  const router = useRouter();

  watch(
    () => route.query,
    (q) => {
      const fromUrl = filtersFromQuery(q);
      if (!sameFilters(fromUrl, store.api)) store.replace(fromUrl);
    },
    { immediate: true },
  );

  watch(
    () => store.api,
    (f) => {
      if (!sameFilters(f, filtersFromQuery(route.query))) void router.push({ query: filtersToQuery(f) });
    },
    { deep: true },
  );
}
