import { defineStore } from 'pinia';
import type { Cycle } from '@perflens/core/domain';
import { filtersFromQuery, filtersToQuery, type FilterState } from '@/lib/filterQuery';

interface State extends FilterState {
  /**
   * The cycle the last analysis answer used. With the cycle left automatic (undefined) the server
   * chooses; the filter bar says which, and offers that cycle's periods. Not part of the URL.
   */
  usedCycle: Cycle | undefined;
}

export const useFiltersStore = defineStore('filters', {
  // Every key present from the start so adding a filter is a tracked change, not a new property.
  state: (): State => ({ from: undefined, to: undefined, cycle: undefined, orgUnitId: undefined, role: undefined, usedCycle: undefined }),
  getters: {
    /** The filter object sent to the API (analysisFiltersSchema), without undefined keys. */
    api(state): FilterState {
      return filtersFromQuery(filtersToQuery(state));
    },
    /** The cycle in effect: the explicit choice, else what the server last chose, else monthly. */
    effectiveCycle(state): Cycle {
      return state.cycle ?? state.usedCycle ?? 'month';
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
      // Switching cycle invalidates period ids of the old cycle (2024-03 is not a quarter); going
      // between automatic and the cycle automatic stood for keeps them.
      if (key === 'cycle' && ((value as Cycle | undefined) ?? this.usedCycle ?? 'month') !== this.effectiveCycle) {
        delete next.from;
        delete next.to;
      }
      this.replace(next);
    },
    /** Records the cycle an answer was computed for (see usedCycle). */
    noteUsedCycle(c: Cycle | undefined): void {
      if (c && c !== this.usedCycle) this.usedCycle = c;
    },
    reset(): void {
      this.replace({});
    },
  },
});
