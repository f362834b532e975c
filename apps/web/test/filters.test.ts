import { describe, expect, it, beforeEach } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { filtersFromQuery, filtersToQuery } from '../src/lib/filterQuery';
import { useFiltersStore } from '../src/stores/filters';

describe('filters ⇄ URL query', () => {
  it('round-trips a full filter set with short keys and no defaults', () => {
    const f = { from: '2024-01', to: '2024-06', cycle: 'month' as const, orgUnitId: 'D-01', role: 'sales' as const };
    const q = filtersToQuery(f);
    expect(q).toEqual({ from: '2024-01', to: '2024-06', org: 'D-01', role: 'sales' });
    expect(filtersFromQuery(q)).toEqual(f);
  });

  it('keeps a non-default cycle and drops malformed values from a hand-edited link', () => {
    expect(filtersFromQuery({ cycle: 'quarter', from: '2024-Q5', to: '2024-Q2', role: 'ceo', org: '' })).toEqual({ cycle: 'quarter', to: '2024-Q2' });
    expect(filtersFromQuery({ cycle: 'weekly' })).toEqual({ cycle: 'month' });
  });

  it('takes the first value of a repeated key', () => {
    expect(filtersFromQuery({ role: ['merchandiser', 'sales'] })).toEqual({ cycle: 'month', role: 'merchandiser' });
  });
});

describe('filter store', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('clears the period range when the cycle changes (month ids are not quarters)', () => {
    const s = useFiltersStore();
    s.set('from', '2024-01');
    s.set('to', '2024-03');
    s.set('role', 'sales');
    s.set('cycle', 'quarter');
    expect(s.api).toEqual({ cycle: 'quarter', role: 'sales' });
  });

  it('treats an empty selection as "no filter"', () => {
    const s = useFiltersStore();
    s.set('orgUnitId', 'X');
    s.set('orgUnitId', '');
    expect(s.api).toEqual({ cycle: 'month' });
    expect('orgUnitId' in s.api).toBe(false);
  });
});
