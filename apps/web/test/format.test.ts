import { describe, expect, it } from 'vitest';
import { fmtInt, fmtMoney, fmtNum, fmtP, fmtPct, truncate } from '../src/lib/format';
import { niceBins } from '../src/lib/options';
import { buildOrgTree } from '../src/composables/meta';
import { zLevel } from '../src/lib/raters';
import { normaliseBatches, normalisePreview, normaliseTables } from '../src/api';

describe('locale formatting', () => {
  it('groups integers and formats percentages per locale', () => {
    expect(fmtInt(1234567, 'en-US')).toBe('1,234,567');
    expect(fmtInt(1234567, 'zh-CN')).toBe('1,234,567');
    expect(fmtPct(0.125, 1, 'en-US')).toBe('12.5%');
    expect(fmtPct(0.125, 1, 'de-DE')).toBe('12,5\u00a0%');
    expect(fmtNum(81.25, 1, 'en-US')).toBe('81.3');
    expect(fmtNum(null)).toBe('–');
    expect([fmtP(0.0004), fmtP(0.001), fmtP(0.04951), fmtP(null), fmtP(NaN)]).toEqual(['< 0.001', '0.001', '0.050', '–', '–']);
  });

  it('formats zh-CN and en-US without Intl exactly as Intl does', () => {
    // A fixed-seed LCG: many magnitudes, negatives, exact halves and their float neighbours.
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const values: number[] = [0, -0, 0.5, -0.5, 1.5, 2.5, 0.125, 0.0145, 1.005, 999.95, 999999.5, 1e14 + 0.5, -1e-9, 0.9995, 0.99995];
    for (let i = 0; i < 4000; i++) {
      const mag = 10 ** Math.floor(rnd() * 16 - 4);
      const v = (rnd() - 0.3) * mag;
      const d = Math.floor(rnd() * 4);
      const half = (Math.round(v * 10 ** d) + 0.5) / 10 ** d;
      values.push(v, half, half + Number.EPSILON * Math.abs(half), half - Number.EPSILON * Math.abs(half));
    }
    const mismatches: string[] = [];
    let checked = 0;
    const check = (got: string, want: string, what: string) => {
      checked++;
      if (got !== want) mismatches.push(`${what}: ${got} ≠ ${want}`);
    };
    for (const locale of ['zh-CN', 'en-US']) {
      const int = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
      const fixed = [0, 1, 2, 3].map((d) => new Intl.NumberFormat(locale, { minimumFractionDigits: d, maximumFractionDigits: d }));
      const pct = [0, 1, 2, 3].map((d) => new Intl.NumberFormat(locale, { style: 'percent', minimumFractionDigits: d, maximumFractionDigits: d }));
      for (const v of values) {
        check(fmtInt(v, locale), int.format(v), `int ${v}`);
        for (const d of [0, 1, 2, 3]) {
          check(fmtNum(v, d, locale), fixed[d]!.format(v), `fixed ${v} ${d}`);
          check(fmtPct(v, d, locale), pct[d]!.format(v), `percent ${v} ${d}`);
        }
      }
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
    expect(checked).toBeGreaterThan(100_000);
    expect(fmtMoney('0004000.5', 'zh-CN')).toBe('4,000.50');
  });

  it('formats exact decimal money strings without float rounding', () => {
    expect(fmtMoney('4000.00', 'en-US')).toBe('4,000.00');
    expect(fmtMoney('12345678901234.5', 'en-US')).toBe('12,345,678,901,234.50');
    expect(fmtMoney('-0.10', 'de-DE')).toBe('-0,10');
    expect(fmtMoney(null)).toBe('–');
  });

  it('truncates long org unit names with an ellipsis, counting CJK characters as one', () => {
    expect(truncate('华东区大客户服务部第二组', 8)).toBe('华东区大客户服…');
    expect(truncate('销售部', 8)).toBe('销售部');
  });
});

describe('chart helpers', () => {
  it('colours rater rows by |z| thresholds 2 and 3', () => {
    expect(zLevel(1.99)).toBe('none');
    expect(zLevel(-2)).toBe('mid');
    expect(zLevel(3.4)).toBe('high');
    expect(zLevel(-3)).toBe('high');
  });

  it('builds the org tree from a parents-first list', () => {
    const tree = buildOrgTree([
      { id: 'c', name: 'Co', parentId: null, kind: 'company', depth: 0 },
      { id: 'd1', name: 'Sales', parentId: 'c', kind: 'department', depth: 1 },
      { id: 't1', name: 'Team 1', parentId: 'd1', kind: 'team', depth: 2 },
      { id: 'd2', name: 'HR', parentId: 'c', kind: 'department', depth: 1 },
    ]);
    expect(tree).toEqual([
      { value: 'c', label: 'Co', children: [{ value: 'd1', label: 'Sales', children: [{ value: 't1', label: 'Team 1' }] }, { value: 'd2', label: 'HR' }] },
    ]);
  });

  it('accepts import table definitions as a record or as a list', () => {
    const f = [{ name: 'id', type: 'string', required: true, label: { zh: '编号', en: 'ID' } }];
    expect(normaliseTables({ employees: f })).toEqual({ employees: f });
    expect(normaliseTables([{ table: 'employees', fields: f }])).toEqual({ employees: f });
    expect(normaliseBatches([{ id: 1 }])).toMatchObject({ total: 1, rows: [{ id: 1 }] });
  });
});

describe('histogram bins', () => {
  it('rounds the data range to readable edges', () => {
    // 21.6..110 with width 5 → [20, 110] in 18 bins (width 2.5 would need 36 > 30).
    expect(niceBins(21.6, 110)).toEqual({ min: 20, max: 110, bins: 18 });
    // 60..100 fits in 20 bins of 2.
    expect(niceBins(60, 100)).toEqual({ min: 60, max: 100, bins: 20 });
    // A single value still gets one bin's width and at least the API minimum of 5 bins.
    expect(niceBins(80, 80)).toEqual({ min: 80, max: 81, bins: 5 });
  });
});

describe('import preview', () => {
  it('accepts the server spelling (rows, mapping) and turns null cells into empty strings', () => {
    const p = normalisePreview({ fileName: 'a.csv', format: 'csv', encoding: 'utf-8', delimiter: ',', sheets: [], headers: ['工号', '得分'], rows: [['E1', null]], rowCount: 1, headerRow: 3, table: 'flat', mapping: { employee_id: '工号' } });
    expect(p).toEqual({
      fileName: 'a.csv', format: 'csv', encoding: 'utf-8', delimiter: ',', sheets: [], headers: ['工号', '得分'], sampleRows: [['E1', '']], rowCount: 1, headerRow: 3,
      suggestedTable: 'flat', suggestions: { employee_id: '工号' }, samples: {}, confidence: {}, grade: null,
      // No creation plan in this answer (the server sends one for tables that can create units).
      creates: null,
    });
  });

  it('keeps each suggestion\'s sample values and confidence, and the grade column\'s proposal', () => {
    const grade = { header: 'PerformanceRating', values: [{ value: '3', count: 17 }, { value: '4', count: 3 }], proposal: { preset: 'num_4_high', entries: [{ value: '4', grade: 'A', count: 3 }, { value: '3', grade: 'B', count: 17 }], unmapped: [] } };
    const p = normalisePreview({
      headers: ['EmployeeNumber', 'PerformanceRating', 'JobRole'],
      rows: [],
      mapping: { employee_id: 'EmployeeNumber', grade: 'PerformanceRating' },
      suggestions: [
        { field: 'employee_id', header: 'EmployeeNumber', confidence: 1, samples: ['1', '2', '4', '5'] },
        { field: 'role', header: 'JobRole', confidence: 0.6, samples: ['Sales Executive'] },
        { field: 'score', header: null, confidence: 0 },
      ],
      grade,
    });
    // The record the server sends wins; a suggestion it lacks is added from the list.
    expect(p.suggestions).toEqual({ employee_id: 'EmployeeNumber', grade: 'PerformanceRating', role: 'JobRole', score: null });
    expect(p.samples).toEqual({ employee_id: ['1', '2', '4'], role: ['Sales Executive'] });
    expect(p.confidence).toEqual({ employee_id: 1, role: 0.6 });
    expect(p.grade).toEqual(grade);
  });
});
