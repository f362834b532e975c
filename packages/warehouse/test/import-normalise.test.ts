import { describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { fieldsOf, normaliseGrade, normalisePeriod, periodInfo, detectSScale, suggestMapping } from '@perflens/core';
import { detectEncoding, headerRowIndex, sniffDelimiter } from '../src/import/read.ts';
import { loadRoleMatcher, type NewRole } from '../src/import/dimensions.ts';
import { Warehouse } from '../src/db.ts';

describe('header matching', () => {
  it('maps typical HR export headers case/space-insensitively and uses each header once', () => {
    const s = suggestMapping(fieldsOf('flat'), ['工号', ' 姓 名 ', '所属部门', '职位', '考核月份', '考核得分', '绩效等级']);
    expect(Object.fromEntries(s.map((x) => [x.field, x.header]))).toEqual({
      employee_id: '工号', name: ' 姓 名 ', department: '所属部门', role: '职位', period: '考核月份', score: '考核得分', grade: '绩效等级',
      // The employee attributes and the manager a flat sheet may also carry: not in this file.
      gender: null, birth_year: null, age: null, hire_date: null, level: null, manager_id: null, manager_name: null,
    });
    const en = suggestMapping(fieldsOf('flat'), ['EMP_NO', 'Department', 'ROLE', 'Period', 'Total Score']);
    expect(en.slice(0, 7).map((x) => [x.field, x.header, x.confidence])).toEqual([
      ['employee_id', 'EMP_NO', 1], ['name', null, 0], ['department', 'Department', 1], ['role', 'ROLE', 1],
      ['period', 'Period', 1], ['score', 'Total Score', 1], ['grade', null, 0],
    ]);
    // Partial match: the header contains a synonym.
    const partial = suggestMapping(fieldsOf('flat'), ['员工工号（必填）']);
    expect(partial[0]).toEqual({ field: 'employee_id', header: '员工工号（必填）', confidence: 0.6 });
  });
});

describe('normalisation', () => {
  it('periods', () => {
    const cases: Array<[string, string | null]> = [
      ['2024-03', '2024-03'], ['2024/3', '2024-03'], ['2024年3月', '2024-03'], ['202403', '2024-03'], ['2024.12', '2024-12'],
      ['2024-03-01', '2024-03'], ['2024-Q1', '2024-Q1'], ['2024q4', '2024-Q4'], ['2024年第一季度', '2024-Q1'], ['2024年3季度', '2024-Q3'],
      ['2024', '2024'], ['2024年', '2024'], ['2024年度', '2024'], ['2024-13', null], ['202413', null], ['March', null], ['2024-Q5', null],
      // Dates with a time of day (spreadsheet and Parquet timestamps) name the date's month.
      ['2024-03-01 00:00:00', '2024-03'], ['2024/3/1 0:00', '2024-03'], ['2024-03-31 23:59:59.999', '2024-03'], ['2024-03-01T00:00:00Z', '2024-03'],
      ['2024-03-01T08:00:00+08:00', '2024-03'], ['2024年3月1日 9:30', '2024-03'], ['00:00', null], ['2024-03-01 x', null], ['2024-03-01 25', null],
      ['2024年3月1日', '2024-03'], ['2024年3月1', null], ['2024-0301', null],
    ];
    for (const [raw, want] of cases) expect([raw, normalisePeriod(raw)]).toEqual([raw, want]);
    expect(periodInfo('2023-02')).toEqual({ id: '2023-02', kind: 'month', start: '2023-02-01', end: '2023-02-28' });
    expect(periodInfo('2024-Q4')).toEqual({ id: '2024-Q4', kind: 'quarter', start: '2024-10-01', end: '2024-12-31' });
  });

  it('grades in every naming, with the S scale detected per file', () => {
    expect(['优', '良', '中', '基本合格', '不合格'].map((g) => normaliseGrade(g))).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(['优秀', '良好', '合格', '待改进', '不合格'].map((g) => normaliseGrade(g))).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(['a', 'B级', 'C', 'D', 'E'].map((g) => normaliseGrade(g))).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(detectSScale(['A', 'B', 'S'])).toBe(true);
    expect(detectSScale(['A', 'B', 'E'])).toBe(false);
    expect(['S', 'A', 'B', 'C', 'D'].map((g) => normaliseGrade(g, true))).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(normaliseGrade('E', true)).toBeNull();
    expect(normaliseGrade('F')).toBeNull();
  });

  it('roles from Chinese and English labels, codes and aliases; any other title is a role of its own', async () => {
    const wh = await Warehouse.open({ path: ':memory:' });
    try {
      await wh.withConnection(async (conn) => {
        const match = await loadRoleMatcher(conn);
        const created: NewRole[] = [];
        const cases: Array<[string, string]> = [
          ['跟单员', 'merchandiser'], ['销售', 'sales'], ['业务员', 'sales'], ['外贸业务员', 'foreign_trade'], ['客服', 'cs_ecommerce'],
          ['呼叫中心客服', 'cs_callcenter'], ['大客户服务', 'key_account'], ['职能部门', 'functional'], ['Sales', 'sales'], ['SALES ', 'sales'],
          ['key_account', 'key_account'], ['厨师', '厨师'], ['Sales Executive', 'sales_executive'], ['Sales  executive', 'sales_executive'],
        ];
        for (const [raw, want] of cases) expect([raw, match(raw, created)]).toEqual([raw, want]);
        expect(created).toEqual([
          { code: '厨师', name: '厨师', aliases: ['厨师'] },
          { code: 'sales_executive', name: 'Sales Executive', aliases: ['Sales Executive'] },
        ]);
      });
    } finally {
      wh.close();
    }
  });
});

describe('encoding and delimiter detection', () => {
  it('tells UTF-8 (with or without BOM) from GBK', () => {
    const text = '员工编号,姓名\nE1,张三\n';
    expect(detectEncoding(new TextEncoder().encode(text))).toBe('utf-8');
    expect(detectEncoding(new TextEncoder().encode('\uFEFF' + text))).toBe('utf-8-bom');
    expect(detectEncoding(iconv.encode(text, 'gbk'))).toBe('gb18030');
    // A multi-byte character cut at the end of the sample is still UTF-8.
    expect(detectEncoding(new TextEncoder().encode(text).subarray(0, 4))).toBe('utf-8');
  });
  it('sniffs , ; and tab, ignoring quoted delimiters', () => {
    expect(sniffDelimiter('a;b;c\n1;2;3')).toBe(';');
    expect(sniffDelimiter('a\tb\n"x,y,z"\t2')).toBe('\t');
    expect(sniffDelimiter('a,b\n1,2')).toBe(',');
  });
});

describe('header row of a workbook', () => {
  it('skips title and note rows, keeps a narrow or plain sheet at its first row', () => {
    const table = [['工号', '姓名', '部门', '得分'], ['E001', '张三', '销售一部', '90']];
    expect(headerRowIndex(table)).toBe(0);
    expect(headerRowIndex([['2024年3月绩效考核汇总表'], ['制表：人力资源部', '', '', ''], ...table])).toBe(2);
    // A header naming fewer columns than the data fills is still the header.
    expect(headerRowIndex([['考核表'], ['工号', '得分'], ['E001', '90', '备注', 'x']])).toBe(1);
    expect(headerRowIndex([['工号', '得分'], ['E001', '90', '备注', 'x', 'y']])).toBe(0);
    expect(headerRowIndex([[''], ['', '', ''], ...table])).toBe(2);
    // Two notes on one row are sparse next to the table, and hold no header.
    expect(headerRowIndex([['2025年12月考核表'], ['制表部门：人力资源部', '', '', '制表日期：2025-12-31'], ...table])).toBe(2);
    // Rows of numbers are data: a header much narrower than its rows is still found.
    expect(headerRowIndex([['工号', '得分'], ['E001', '90', 'x', 'y', 'z'], ['E002', '80', 'x', 'y', 'z']])).toBe(0);
    // Numbers for labels (months 1, 2, 3): the first row with two values.
    expect(headerRowIndex([['考核表'], ['工号', '1', '2', '3'], ['E001', '90', '80', '70']])).toBe(1);
    // One column (a list of periods): nothing to tell a title from, so the first row.
    expect(headerRowIndex([['期间'], ['2024-03'], ['2024-04']])).toBe(0);
    expect(headerRowIndex([])).toBe(0);
  });
});
