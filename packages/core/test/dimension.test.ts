import { describe, expect, it } from 'vitest';
import { dimensionKey, normaliseDimension, roleCodeFromTitle } from '../src/import/dimension.ts';

describe('normaliseDimension', () => {
  it('folds full-width text and whitespace, keeping case', () => {
    expect(normaliseDimension('ＡＢＣ　部')).toBe('ABC 部');
    expect(normaliseDimension('  Sales \t  Team\n')).toBe('Sales Team');
    expect(normaliseDimension('Sales\u00A0Team')).toBe('Sales Team');
    expect(normaliseDimension('\uFEFFSales\u200B')).toBe('Sales');
    expect(normaliseDimension('研发（一）部')).toBe('研发(一)部');
  });

  it('is null for empty input', () => {
    for (const v of [null, undefined, '', '   ', '\u3000', '\u200B']) expect(normaliseDimension(v)).toBeNull();
  });
});

describe('dimensionKey', () => {
  it('matches spellings that differ in width, spacing and case', () => {
    expect(dimensionKey('ＳＡＬＥＳ　 team')).toBe('sales team');
    expect(dimensionKey('Sales Team')).toBe(dimensionKey(' sales   TEAM '));
    expect(dimensionKey('')).toBe('');
  });
});

describe('roleCodeFromTitle', () => {
  it.each([
    ['Sales Executive', 'sales_executive'],
    ['Research & Development Mgr.', 'research_development_mgr'],
    ['研发工程师', '研发工程师'],
    ['R&D', 'r_d'],
    ['  Senior  Engineer (Backend) ', 'senior_engineer_backend'],
    ['ＱＡ　Ｅｎｇｉｎｅｅｒ', 'qa_engineer'],
    ['Café Manager', 'café_manager'],
    ['销售/业务员', '销售_业务员'],
    ['Level 3 Analyst', 'level_3_analyst'],
  ])('%s → %s', (title, code) => expect(roleCodeFromTitle(title)).toBe(code));

  it('caps the code at 48 characters without a trailing underscore', () => {
    const code = roleCodeFromTitle('Assistant to the Regional Manager of Northern Territories Operations');
    expect(code.length).toBeLessThanOrEqual(48);
    expect(code).toBe('assistant_to_the_regional_manager_of_northern_te');
    expect(roleCodeFromTitle(`${'a'.repeat(47)} b`)).toBe('a'.repeat(47));
    // Code points, not UTF-16 units: a supplementary-plane character is never cut in half.
    const rare = roleCodeFromTitle('𠀀'.repeat(60));
    expect(Array.from(rare)).toHaveLength(48);
    expect(rare).toBe('𠀀'.repeat(48));
  });

  it('falls back to a stable hash when nothing is left', () => {
    const a = roleCodeFromTitle('***');
    expect(a).toMatch(/^role_[0-9a-f]{8}$/);
    expect(roleCodeFromTitle('***')).toBe(a);
    expect(roleCodeFromTitle('---')).not.toBe(a);
    expect(roleCodeFromTitle('')).toMatch(/^role_[0-9a-f]{8}$/);
  });
});
