import { describe, expect, it, beforeEach } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { filtersFromQuery, filtersToQuery } from '../src/lib/filterQuery';
import { useFiltersStore } from '../src/stores/filters';

describe('filters ⇄ URL query', () => {
  it('round-trips a full filter set with short keys; an explicit month stays in the link', () => {
    const f = { from: '2024-01', to: '2024-06', cycle: 'month' as const, orgUnitId: 'D-01', role: 'sales' };
    const q = filtersToQuery(f);
    expect(q).toEqual({ from: '2024-01', to: '2024-06', cycle: 'month', org: 'D-01', role: 'sales' });
    expect(filtersFromQuery(q)).toEqual(f);
  });

  it('leaves the cycle out when it is automatic (the server chooses)', () => {
    expect(filtersToQuery({ role: 'sales' })).toEqual({ role: 'sales' });
    expect(filtersFromQuery({})).toEqual({});
    expect('cycle' in filtersFromQuery({ cycle: 'weekly' })).toBe(false);
  });

  it('accepts any role code, a company\'s own job titles included, and drops malformed values', () => {
    expect(filtersFromQuery({ cycle: 'quarter', from: '2024-Q5', to: '2024-Q2', role: 'sales_executive', org: '' })).toEqual({ cycle: 'quarter', to: '2024-Q2', role: 'sales_executive' });
    expect(filtersFromQuery({ role: '销售经理' })).toEqual({ role: '销售经理' });
    expect(filtersFromQuery({ role: ' padded' })).toEqual({});
    expect(filtersFromQuery({ role: 'x'.repeat(65) })).toEqual({});
    expect(filtersFromQuery({ role: 'line\nbreak' })).toEqual({});
  });

  it('takes the first value of a repeated key', () => {
    expect(filtersFromQuery({ role: ['merchandiser', 'sales'] })).toEqual({ role: 'merchandiser' });
  });
});

describe('filter store', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('starts automatic: no cycle is sent until the user picks one', () => {
    const s = useFiltersStore();
    expect(s.api).toEqual({});
    expect(s.effectiveCycle).toBe('month');
    s.noteUsedCycle('year');
    expect(s.effectiveCycle).toBe('year');
    expect(s.api).toEqual({});
  });

  it('clears the period range when the cycle changes (month ids are not quarters)', () => {
    const s = useFiltersStore();
    s.set('from', '2024-01');
    s.set('to', '2024-03');
    s.set('role', 'sales');
    s.set('cycle', 'quarter');
    expect(s.api).toEqual({ cycle: 'quarter', role: 'sales' });
  });

  it('keeps the range between automatic and the cycle automatic stood for', () => {
    const s = useFiltersStore();
    s.noteUsedCycle('month');
    s.set('from', '2024-01');
    s.set('cycle', 'month');
    expect(s.api).toEqual({ cycle: 'month', from: '2024-01' });
    s.set('cycle', undefined);
    expect(s.api).toEqual({ from: '2024-01' });
    s.reset();
    expect(s.api).toEqual({});
  });

  it('treats an empty selection as "no filter"', () => {
    const s = useFiltersStore();
    s.set('orgUnitId', 'X');
    s.set('orgUnitId', '');
    expect(s.api).toEqual({});
    expect('orgUnitId' in s.api).toBe(false);
  });
});
