import { describe, expect, it } from 'vitest';
import { roleLabelOf } from '../src/composables/roles';
import { applyScale, gradeMapOf, scaleRows } from '../src/components/data/scale';
import type { GradePreview, RoleInfo } from '../src/api/contract';

const t = (k: string) => `t:${k}`;
const role = (over: Partial<RoleInfo>): RoleInfo => ({ code: 'x', nameZh: 'x', nameEn: 'x', aliases: [], schemeId: null, builtin: false, employees: 0, assessments: 0, ...over });

describe('role labels', () => {
  it('built-ins keep their translated label; a company\'s own role shows its stored name in the UI language', () => {
    expect(roleLabelOf('sales', role({ code: 'sales', nameZh: '销售/业务员', nameEn: 'Sales', builtin: true }), 'en', t)).toBe('t:role.sales');
    const exec = role({ code: 'sales_executive', nameZh: '销售主管', nameEn: 'Sales Executive' });
    expect(roleLabelOf('sales_executive', exec, 'en', t)).toBe('Sales Executive');
    expect(roleLabelOf('sales_executive', exec, 'zh', t)).toBe('销售主管');
  });

  it('a renamed built-in shows its new name; an unknown code shows as itself', () => {
    expect(roleLabelOf('sales', role({ code: 'sales', nameZh: '业务代表', nameEn: 'Account rep', builtin: true }), 'zh', t)).toBe('业务代表');
    expect(roleLabelOf('lab_tech', undefined, 'en', t)).toBe('lab_tech');
    // Still loading: a built-in code is already translated.
    expect(roleLabelOf('merchandiser', undefined, 'zh', t)).toBe('t:role.merchandiser');
  });
});

describe('rating scale rows', () => {
  const preview: GradePreview = {
    header: 'Rating',
    values: [{ value: 'Fully Meets', count: 12 }, { value: 'Exceeds', count: 5 }, { value: 'n/a', count: 2 }],
    proposal: {
      preset: 'en_words',
      entries: [{ value: 'Exceeds', grade: 'B', count: 5 }, { value: 'Fully Meets', grade: 'C', count: 12 }],
      unmapped: [{ value: 'n/a', count: 2 }],
    },
  };

  it('are prefilled from the proposal, with the values it could not place left undecided', () => {
    const rows = scaleRows(preview);
    expect(rows.map((r) => [r.value, r.count, r.choice, r.unrecognised])).toEqual([
      ['Exceeds', 5, 'B', false],
      ['Fully Meets', 12, 'C', false],
      ['n/a', 2, '', true],
    ]);
  });

  it('a preset re-fills every row, matching values as the importer does', () => {
    const rows = applyScale(scaleRows(preview), {
      entries: [{ value: 'exceeds ', grade: 'A' }, { value: 'FULLY MEETS', grade: 'B', label: 'Meets all' }, { value: 'N/A', grade: null }],
    });
    expect(rows.map((r) => [r.value, r.choice, r.label])).toEqual([
      ['Exceeds', 'A', undefined],
      ['Fully Meets', 'B', 'Meets all'],
      ['n/a', 'none', undefined],
    ]);
    // "3.0" is the value 3 on a numeric scale.
    expect(applyScale([{ value: '3.0', count: 1, choice: '', unrecognised: true }], { entries: [{ value: '3', grade: 'B' }] })[0]!.choice).toBe('B');
  });

  it('the confirmed map sends "not a grade" as null and leaves undecided values out', () => {
    const rows = scaleRows(preview);
    rows[0]!.choice = 'none';
    expect(gradeMapOf(rows)).toEqual([
      { value: 'Exceeds', grade: null },
      { value: 'Fully Meets', grade: 'C' },
    ]);
  });
});
