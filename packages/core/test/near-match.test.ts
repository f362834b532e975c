import { describe, expect, it } from 'vitest';
import { confirmationCovers, editDistance, isNearMatch, nearestMatch, withNearMatches } from '../src/import/near-match.ts';
import { runInputSchema } from '../src/import/schemas.ts';

describe('editDistance', () => {
  it('counts CJK characters, not UTF-16 units', () => {
    expect(editDistance('跟单一布', '跟单一部')).toBe(1);
    expect(editDistance('𠀀部', '𠀁部')).toBe(1); // outside the BMP: one character each
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('销售部', '销售部')).toBe(0);
  });
});

describe('isNearMatch', () => {
  it('flags one wrong character in a Chinese department name', () => {
    expect(isNearMatch('跟单一布', '跟单一部')).toBe(true);
    expect(isNearMatch('财物部', '财务部')).toBe(true);
    expect(isNearMatch('跟单部', '跟单一部')).toBe(true); // a character left out
  });

  it('flags case, width and spacing variants of the same name', () => {
    expect(isNearMatch('sales', 'Sales')).toBe(true);
    expect(isNearMatch('Ｓａｌｅｓ', 'Sales')).toBe(true);
  });

  it('does not flag numbered siblings or clearly different names', () => {
    expect(isNearMatch('跟单二部', '跟单一部')).toBe(false);
    expect(isNearMatch('销售3部', '销售2部')).toBe(false);
    expect(isNearMatch('乙班', '甲班')).toBe(false);
    expect(isNearMatch('人力资源部', '财务部')).toBe(false);
    expect(isNearMatch('Sales', 'Research & Development')).toBe(false);
    expect(isNearMatch('销售部', '销售部')).toBe(false);
    expect(isNearMatch('A', 'B')).toBe(false);
  });

  it('allows two edits only in longer names', () => {
    expect(isNearMatch('Reserch & Developmnt', 'Research & Development')).toBe(true);
    expect(isNearMatch('Saels', 'Sales')).toBe(false); // a swap is two edits: too many for five letters
    expect(isNearMatch('Sale', 'Sales')).toBe(true);
  });
});

describe('nearestMatch and withNearMatches', () => {
  it('picks the closest candidate', () => {
    expect(nearestMatch('跟单一布', ['人力资源部', '跟单一部', '跟单二部'])).toBe('跟单一部');
    expect(nearestMatch('新部门', ['跟单一部'])).toBeNull();
  });

  it('prefers an existing name, else a new name with more rows', () => {
    const plan = withNearMatches(
      [
        { name: '跟单一布', rows: 1, firstRow: 7 },
        { name: '品质部', rows: 30, firstRow: 2 },
        { name: '品质布', rows: 2, firstRow: 9 },
      ],
      ['跟单一部', '销售部'],
    );
    expect(plan.map((u) => [u.name, u.similar])).toEqual([
      ['跟单一布', { name: '跟单一部', existing: true }],
      ['品质部', null],
      ['品质布', { name: '品质部', existing: false }],
    ]);
  });
});

describe('confirmationCovers', () => {
  const plan = { orgUnits: [{ name: '跟单一布', rows: 1, firstRow: 2, similar: null }], employeeCount: 3 };
  it('accepts the listed units and up to the confirmed number of employees', () => {
    expect(confirmationCovers(plan, true)).toBe(true);
    expect(confirmationCovers(plan, { orgUnits: ['跟单一布'], employees: 3 })).toBe(true);
    expect(confirmationCovers(plan, { orgUnits: ['跟单一布 '.trim()], employees: 5 })).toBe(true);
    expect(confirmationCovers(plan, { orgUnits: [], employees: 3 })).toBe(false);
    expect(confirmationCovers(plan, { orgUnits: ['跟单一布'], employees: 2 })).toBe(false);
    expect(confirmationCovers({ orgUnits: [], employeeCount: 0 }, { orgUnits: [], employees: 0 })).toBe(true);
  });

  it('is a strict part of the run input', () => {
    const base = { uploadId: 'a'.repeat(32), table: 'flat' };
    expect(runInputSchema.safeParse({ ...base, confirmCreate: { orgUnits: ['跟单一布'], employees: 1 } }).success).toBe(true);
    expect(runInputSchema.safeParse({ ...base, confirmCreate: true }).success).toBe(true);
    expect(runInputSchema.safeParse({ ...base, confirmCreate: false }).success).toBe(false);
    expect(runInputSchema.safeParse({ ...base, confirmCreate: { orgUnits: [], employees: 1, extra: 1 } }).success).toBe(false);
    expect(runInputSchema.safeParse({ ...base, confirmCreate: { orgUnits: [], employees: -1 } }).success).toBe(false);
  });
});
