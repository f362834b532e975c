import { defineStore } from 'pinia';
import type { Cycle } from '@perflens/core/domain';
import { filtersFromQuery, filtersToQuery, type FilterState } from '@/lib/filterQuery';

export const useFiltersStore = defineStore('filters', {
  // Every key present from the start so adding a filter is a tracked change, not a new property.
  state: (): FilterState => ({ from: undefined, to: undefined, cycle: 'month', orgUnitId: undefined, role: undefined }),
  getters: {
    /** The filter object sent to the API (analysisFiltersSchema), without undefined keys. */
    api(state): FilterState {
      return filtersFromQuery(filtersToQuery(state));
    },
  },
  actions: {
    replace(next: FilterState): void {
      this.$patch((s) => {
        s.from = next.from;
        s.to = next.to;
        s.cycle = next.cycle;
        s.orgUnitId = next.orgUnitId;
        s.role = next.role;
      });
    },
    set<K extends keyof FilterState>(key: K, value: FilterState[K]): void {
      const next = { ...this.api, [key]: value || undefined } as FilterState;
      // Switching cycle invalidates period ids of the old cycle (2024-03 is not a quarter).
      if (key === 'cycle') {
        next.cycle = (value as Cycle) ?? 'month';
        delete next.from;
        delete next.to;
      }
      this.replace(next);
    },
    reset(): void {
      this.replace({ cycle: 'month' });
    },
  },
});
