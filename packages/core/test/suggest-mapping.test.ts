import { describe, expect, it } from 'vitest';
import type { FieldDef } from '../src/import/fields.ts';
import { suggestMapping, type HeaderSuggestion } from '../src/import/normalise.ts';

const field = (name: string, type: FieldDef['type'], synonyms: string[], zh = name): FieldDef => ({
  name, type, required: false, label: { zh, en: name }, synonyms,
});
/**
 * The flat sheet's fields as of writing, copied so these tests pin the matching rules rather than
 * whatever synonyms fields.ts carries at the time.
 */
const FLAT: FieldDef[] = [
  field('employee_id', 'string', ['员工编号', '工号', '员工工号', '员工ID', '职工编号', '人员编号', '编号', 'Employee ID', 'EmployeeID', 'emp_no', 'emp_id', 'staff_id', 'Staff No', 'ID'], '员工编号'),
  field('name', 'string', ['姓名', '员工姓名', '名字', 'Name', 'Employee name', 'Full name'], '姓名'),
  field('department', 'string', ['部门', '所属部门', '部门名称', '所在部门', '科室', 'Department', 'Dept', 'Team'], '部门'),
  field('role', 'enum', ['岗位', '职位', '岗位名称', '岗位类别', '职务', '工种', 'Role', 'Position', 'Job', 'Job title'], '岗位'),
  field('period', 'period', ['考核期间', '考核月份', '考核周期', '考核期', '期间', '月份', '年月', '考核年月', '季度', 'Period', 'Month', 'period', 'Assessment period'], '考核期间'),
  field('score', 'number', ['绩效得分', '考核得分', '总分', '得分', '分数', '综合得分', '最终得分', '绩效分数', 'Score', 'Total score', 'Final score', 'Points'], '绩效得分'),
  field('grade', 'grade', ['绩效等级', '考核等级', '等级', '评级', '考核结果', '绩效评级', 'Grade', 'Rating', 'Level grade'], '绩效等级'),
];
const byField = (s: HeaderSuggestion[]) => Object.fromEntries(s.map((x) => [x.field, x.header]));

describe('suggestMapping: exact matches (unchanged)', () => {
  it('maps typical headers case/space-insensitively and uses each header once', () => {
    const s = suggestMapping(FLAT, ['工号', ' 姓 名 ', '所属部门', '职位', '考核月份', '考核得分', '绩效等级']);
    expect(byField(s)).toEqual({ employee_id: '工号', name: ' 姓 名 ', department: '所属部门', role: '职位', period: '考核月份', score: '考核得分', grade: '绩效等级' });
    expect(s.every((x) => x.confidence === 1)).toBe(true);
    expect(s.every((x) => !('samples' in x))).toBe(true);
    const en = suggestMapping(FLAT, ['EMP_NO', 'Department', 'ROLE', 'Period', 'Total Score']);
    expect(en.map((x) => [x.field, x.header, x.confidence])).toEqual([
      ['employee_id', 'EMP_NO', 1], ['name', null, 0], ['department', 'Department', 1], ['role', 'ROLE', 1],
      ['period', 'Period', 1], ['score', 'Total Score', 1], ['grade', null, 0],
    ]);
  });

  it('exact beats partial for the same header, whatever the field order', () => {
    const fields = [field('a', 'string', ['Score']), field('b', 'string', ['Final Score'])];
    expect(byField(suggestMapping(fields, ['Final Score']))).toEqual({ a: null, b: 'Final Score' });
  });
});

describe('suggestMapping: whole words only', () => {
  it('does not read MonthlyIncome as a month', () => {
    const s = suggestMapping(FLAT, ['MonthlyIncome'], { samples: [['11994'], ['5993']] });
    expect(s.find((x) => x.field === 'period')).toEqual({ field: 'period', header: null, confidence: 0 });
    // Not even without samples: 'Month' is not a word of 'MonthlyIncome'.
    expect(suggestMapping(FLAT, ['MonthlyIncome']).every((x) => x.header === null)).toBe(true);
  });

  it('splits camelCase, separators and brackets into words', () => {
    const emp = [field('employee_id', 'string', ['Employee Number'])];
    expect(suggestMapping(emp, ['EmployeeNumber'])[0]).toEqual({ field: 'employee_id', header: 'EmployeeNumber', confidence: 1 });
    expect(suggestMapping(emp, ['EmployeeNumber (HR)'])[0]).toEqual({ field: 'employee_id', header: 'EmployeeNumber (HR)', confidence: 0.6 });
    expect(suggestMapping(emp, ['HR.employee_number'])[0]!.header).toBe('HR.employee_number');
    expect(suggestMapping(emp, ['Employee Numbers'])[0]!.header).toBeNull();
    expect(suggestMapping(emp, ['Number of Employee'])[0]!.header).toBeNull();
  });

  it('finds a synonym as a run of the header words', () => {
    const s = suggestMapping(FLAT, ['Performance Rating', 'Assessment-Month', 'KPIScore']);
    expect(byField(s)).toMatchObject({ grade: 'Performance Rating', period: 'Assessment-Month', score: 'KPIScore' });
    expect(s.find((x) => x.field === 'grade')!.confidence).toBe(0.6);
  });

  it('still matches CJK synonyms as substrings', () => {
    const s = suggestMapping(FLAT, ['2024年考核月份', '员工工号（必填）']);
    expect(byField(s)).toMatchObject({ period: '2024年考核月份', employee_id: '员工工号（必填）' });
    expect(s.find((x) => x.field === 'employee_id')).toEqual({ field: 'employee_id', header: '员工工号（必填）', confidence: 0.6 });
    // An ASCII synonym next to CJK text is a word of its own.
    expect(suggestMapping(FLAT, ['Period考核'])[4]!.header).toBe('Period考核');
  });

  it('ignores a synonym that follows a preposition', () => {
    const fields = [field('manager', 'string', ['Manager']), field('grade', 'grade', ['Rating']), field('role', 'string', ['Role'])];
    expect(byField(suggestMapping(fields, ['YearsWithCurrManager', 'Days in Role']))).toEqual({ manager: null, grade: null, role: null });
    expect(byField(suggestMapping(fields, ['Rating by Manager', 'Line Manager']))).toEqual({ manager: 'Line Manager', grade: 'Rating by Manager', role: null });
  });

  it('prefers the longer synonym when two fields match a header partially', () => {
    const fields = [field('score', 'string', ['Score']), field('final', 'string', ['Final Score'])];
    expect(byField(suggestMapping(fields, ['Final Score (2024)']))).toEqual({ score: null, final: 'Final Score (2024)' });
  });
});

describe('suggestMapping: sample values must fit the type', () => {

  it('keeps a period header whose values are periods, and shows them', () => {
    const s = suggestMapping(FLAT, ['Period', 'Score'], { samples: [['2024-03', '88'], ['2024-03', '91.5'], [null, ''], ['2024-04', ' 75 ']] });
    expect(s.find((x) => x.field === 'period')).toEqual({ field: 'period', header: 'Period', confidence: 1, samples: ['2024-03', '2024-04'] });
    expect(s.find((x) => x.field === 'score')).toEqual({ field: 'score', header: 'Score', confidence: 1, samples: ['88', '91.5', '75'] });
    expect(s.find((x) => x.field === 'grade')).toEqual({ field: 'grade', header: null, confidence: 0 });
  });

  it('drops an exact match whose values are not of the type', () => {
    const s = suggestMapping(FLAT, ['Period'], { samples: [['Alice'], ['Bob'], ['Carol']] });
    expect(s.find((x) => x.field === 'period')!.header).toBeNull();
  });

  it('a header containing a synonym needs 80% of its values to fit; one equal to a synonym, half', () => {
    const rows = (good: number, bad: number) => [...Array<string[]>(good).fill(['2024-01']), ...Array<string[]>(bad).fill(['n/a'])];
    expect(suggestMapping(FLAT, ['Review Period'], { samples: rows(4, 1) })[4]!.header).toBe('Review Period');
    expect(suggestMapping(FLAT, ['Review Period'], { samples: rows(3, 1) })[4]!.header).toBeNull();
    // '考核得分' with one typo among two values still means scores: the import then names the typo.
    expect(suggestMapping(FLAT, ['Period'], { samples: rows(1, 1) })[4]!.header).toBe('Period');
    expect(suggestMapping(FLAT, ['Period'], { samples: rows(1, 2) })[4]!.header).toBeNull();
  });

  it('reads numbers as exports write them', () => {
    const num = [field('amount', 'number', ['Amount'])];
    const samples = [['75%'], ['1,234.5'], ['¥1,234.50'], ['  42  '], ['-3'], ['８０００元']];
    expect(suggestMapping(num, ['Amount'], { samples })[0]!.header).toBe('Amount');
    expect(suggestMapping(num, ['Amount'], { samples: [['high'], ['low'], ['12']] })[0]!.header).toBeNull();
    expect(suggestMapping(num, ['Amount'], { samples: [['1,23'], ['12a'], ['1']] })[0]!.header).toBeNull();
  });

  it('integers, with a whole-number .0 allowed', () => {
    const int = [field('birth_year', 'int', ['Birth year'])];
    expect(suggestMapping(int, ['Birth year'], { samples: [['1990'], ['1985.0'], [' 2001 ']] })[0]!.header).toBe('Birth year');
    expect(suggestMapping(int, ['Birth year'], { samples: [['1990.5'], ['85.2'], ['1990']] })[0]!.header).toBeNull();
  });

  it('dates under one order for the column', () => {
    const date = [field('hire_date', 'date', ['Hire date'])];
    expect(suggestMapping(date, ['Hire date'], { samples: [['01/17/19'], ['12/31/2020'], ['2019-05-01']] })[0]!.header).toBe('Hire date');
    expect(suggestMapping(date, ['Hire date'], { samples: [['17/01/2019'], ['31.12.2020 08:00']] })[0]!.header).toBe('Hire date');
    expect(suggestMapping(date, ['Hire date'], { samples: [['Sales'], ['2019-02-30'], ['yesterday']] })[0]!.header).toBeNull();
  });

  it('strings, enums and grades always fit; a column with no values fits', () => {
    const s = suggestMapping(FLAT, ['Department', 'Grade', 'Period'], { samples: [['123', '???', null], ['456', '', '  ']] });
    expect(byField(s)).toMatchObject({ department: 'Department', grade: 'Grade', period: 'Period' });
    expect(s.find((x) => x.field === 'period')!.samples).toEqual([]);
  });

  it('a dropped candidate leaves the header to a field it fits', () => {
    const fields = [field('period', 'period', ['Month']), field('month_name', 'string', ['Month Name', 'Month'])];
    expect(byField(suggestMapping(fields, ['Month'], { samples: [['March'], ['April']] }))).toEqual({ period: null, month_name: 'Month' });
  });
});

describe('suggestMapping: excluded fields', () => {
  it('get no header and leave theirs free for other fields', () => {
    const fields = [field('department', 'string', ['部门']), field('department_id', 'string', ['部门编号', '部门'])];
    expect(byField(suggestMapping(fields, ['部门']))).toEqual({ department: '部门', department_id: null });
    const s = suggestMapping(fields, ['部门'], { exclude: ['department'] });
    expect(s).toEqual([
      { field: 'department', header: null, confidence: 0 },
      { field: 'department_id', header: '部门', confidence: 1 },
    ]);
    expect(suggestMapping(fields, ['部门'], { exclude: new Set(['department', 'department_id']) }).every((x) => x.header === null)).toBe(true);
  });
});
