import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Warehouse } from '../src/db.ts';
import { importFile, previewImport, type ImportFailure, type ImportSuccess } from '../src/import/index.ts';
import { calibrationFairness, gradeDistribution, listOrgUnits, raterLeniency } from '../src/index.ts';
import { listRoleRows, mergeRoles, renameRole, setRoleScheme } from '../src/queries/roles-index.ts';

/**
 * Other systems' exports (fixtures/make-exports.ts), imported in one step each: job titles
 * become roles, the grade column is read on the scale its values propose (or one given), a
 * sheet without a score still yields grades, and fairness and rater panels work from the one file.
 */
const exportsDir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'exports');
const dir = mkdtempSync(join(tmpdir(), 'perflens-exports-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
let wh: Warehouse;
beforeEach(async () => {
  wh?.close();
  wh = await Warehouse.open({ path: join(dir, `t${++n}.duckdb`) });
});

const ok = (r: unknown) => {
  if (!(r as ImportSuccess).ok) throw new Error(JSON.stringify(r, null, 1));
  return r as ImportSuccess;
};

describe('an English HR export: job titles, a 1–4 rating, no score', () => {
  const file = join(exportsDir, 'hr-en.xlsx');
  const map = { employee_id: 'EmployeeNumber', department: 'Department', role: 'JobRole', grade: 'PerformanceRating' };

  it('previews with the 1–4 scale proposed and no period suggested from MonthlyIncome', async () => {
    const p = await previewImport(wh, file, { table: 'flat', constants: { period: '2024' } });
    expect(p.mapping.period).toBeUndefined();
    expect(Object.values(p.mapping)).not.toContain('MonthlyIncome');
    expect(p.mapping.grade).toBe('PerformanceRating');
    expect(p.mapping.age).toBe('Age');
    expect(p.mapping.gender).toBe('Gender');
    expect(p.grade?.values).toEqual([{ value: '3', count: 50 }, { value: '4', count: 10 }]);
    expect(p.grade?.proposal.preset).toBe('num_4_high');
    expect(Object.fromEntries(p.grade!.proposal.entries.map((e) => [e.value, e.grade]))).toMatchObject({ '4': 'A', '3': 'B' });
  });

  it('imports in one step: roles from the titles, grades from the scale, attributes for fairness', async () => {
    const p = await previewImport(wh, file, { table: 'flat', mapping: map, constants: { period: '2024' } });
    const r = ok(await importFile(wh, file, { table: 'flat', mapping: p.mapping, constants: { period: '2024' } }));
    expect(r.inserted).toBe(60);
    expect(r.created).toMatchObject({ employees: 60, periods: 1, orgUnits: 4, roles: 6 });
    const roles = await listRoleRows(wh);
    const titles = roles.filter((x) => !x.builtin).map((x) => [x.code, x.nameEn, x.schemeId, x.assessments]);
    expect(titles).toEqual([
      ['human_resources', 'Human Resources', null, 10],
      ['laboratory_technician', 'Laboratory Technician', null, 10],
      ['manager', 'Manager', null, 10],
      ['research_scientist', 'Research Scientist', null, 10],
      ['sales_executive', 'Sales Executive', null, 10],
      ['sales_representative', 'Sales Representative', null, 10],
    ]);
    // The yearly data is found without naming a cycle.
    const byRole = await gradeDistribution(wh, { groupBy: 'role' });
    expect(byRole.cycle).toBe('year');
    expect(byRole.groups.map((g) => g.key).sort()).toContain('sales_executive');
    const total = byRole.groups.reduce((a, g) => a + g.total, 0);
    expect(total).toBe(60);
    const a = byRole.groups.reduce((s, g) => s + g.counts.A, 0);
    expect(a).toBe(10);
    const stored = await wh.query<{ grade: string; label: string; derived: boolean; score: number | null }>(`SELECT grade, grade_label AS label, grade_derived AS derived, score FROM assessments WHERE employee_id = '1001'`);
    expect(stored).toEqual([{ grade: 'A', label: '4', derived: false, score: null }]);
    const units = (await listOrgUnits(wh)).map((u) => u.name);
    expect(units).toEqual(expect.arrayContaining(['Sales', 'Research & Development', 'Human Resources']));
    const fair = await calibrationFairness(wh, { minN: 1 });
    expect(fair.gender.map((g) => g.key).sort()).toEqual(['Female', 'Male']);
    expect(fair.unknown.ageBand).toBe(0);
  });

  it('reads a scale given as --grade-map, and names a value off the scale once with its row count', async () => {
    const r = await importFile(wh, file, { table: 'flat', mapping: map, constants: { period: '2024' }, gradeMap: [{ value: '4', grade: 'A' }] });
    expect(r.ok).toBe(false);
    const f = r as ImportFailure;
    expect(f.errors).toHaveLength(1);
    expect(f.errors[0]!.message.en).toContain('"3" (50 rows) is not on the rating scale');
    expect(f.errors[0]!.row).toBe(3); // the first row rated 3 (row 2 is rated 4)
    expect((await wh.query('SELECT * FROM assessments')).length).toBe(0);
    const good = ok(await importFile(wh, file, { table: 'flat', mapping: map, constants: { period: '2024' }, gradeMap: [{ value: '4', grade: 'A' }, { value: '3', grade: 'C' }] }));
    expect(good.inserted).toBe(60);
    const [c] = await wh.query<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM assessments WHERE grade = 'C'`);
    expect(c!.n).toBe(50);
  });
});

describe('a US review export: word ratings, padded departments, managers by name, US dates', () => {
  const file = join(exportsDir, 'reviews-us.csv');

  it('imports with the suggested mapping: departments trimmed, dates month-first, managers as raters', async () => {
    const p = await previewImport(wh, file, { table: 'flat' });
    expect(p.mapping).toMatchObject({
      employee_id: 'Employee ID', name: 'Employee Name', department: 'Department', role: 'Position', period: 'Review Period',
      grade: 'Overall Rating', score: 'Review Score', manager_name: 'Manager Name', hire_date: 'Date of Hire', gender: 'Sex',
    });
    expect(p.grade?.proposal.preset).toBe('en_words');
    expect(p.grade?.proposal.unmapped).toEqual([]);
    const r = ok(await importFile(wh, file, { table: 'flat', mapping: p.mapping }));
    expect(r.inserted).toBe(60);
    // 'Production       ' and 'Production' are one department, '  Sales' is 'Sales'.
    const units = (await listOrgUnits(wh)).filter((u) => u.kind === 'department').map((u) => u.name).sort();
    expect(units).toEqual(['IT/IS', 'Production', 'Sales', 'Software Engineering']);
    const [e] = await wh.query<{ hire: string; gender: string }>(`SELECT CAST(hire_date AS VARCHAR) AS hire, gender FROM employees WHERE id = 'US10000'`);
    expect(e).toEqual({ hire: '2016-02-02', gender: 'M' });
    const dates = await wh.query<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM employees WHERE hire_date IS NULL`);
    expect(dates[0]!.n).toBe(0);
    // Grades come from the words, not the score; the words are kept as labels.
    const labels = await wh.query<{ label: string; grade: string }>(`SELECT DISTINCT grade_label AS label, grade FROM assessments ORDER BY grade`);
    expect(labels.find((l) => l.label === 'Fully Meets')?.grade).toBe('C');
    expect(labels.find((l) => l.label === 'PIP')?.grade).toBe('E');
    const raters = await raterLeniency(wh, { minN: 1 });
    expect(raters.cycle).toBe('quarter');
    expect(raters.raters.map((x) => x.raterName).sort()).toEqual(['Jane Smith', 'Lucia Gomez', 'Rahul Mehta', 'Tom Baker']);
    expect(raters.overall.n).toBe(60);
  });

  it('asks for the date order when no day is above 12', async () => {
    const { writeFileSync } = await import('node:fs');
    const amb = join(dir, 'amb.csv');
    writeFileSync(amb, 'Employee ID,Department,Position,Review Period,Overall Rating,Date of Hire\nA1,Ops,Clerk,2024,Fully Meets,03/04/19\nA2,Ops,Clerk,2024,Exceeds,05/06/20\n');
    const p = await previewImport(wh, amb, { table: 'flat' });
    const r = await importFile(wh, amb, { table: 'flat', mapping: p.mapping });
    expect(r.ok).toBe(false);
    expect((r as ImportFailure).errors[0]!.message.en).toContain('--date-format');
    const fixed = ok(await importFile(wh, amb, { table: 'flat', mapping: p.mapping, dateFormat: 'dmy' }));
    expect(fixed.inserted).toBe(2);
    const [e] = await wh.query<{ d: string }>(`SELECT CAST(hire_date AS VARCHAR) AS d FROM employees WHERE id = 'A1'`);
    expect(e!.d).toBe('2019-04-03');
  });
});

describe('a Chinese annual sheet on 卓越/优秀/良好/合格/待改进/不合格 (GBK)', () => {
  const file = join(exportsDir, 'kaohe-zh.csv');

  it('imports in one step and shows the company’s roles, departments, fairness and raters', async () => {
    const p = await previewImport(wh, file, { table: 'flat' });
    expect(p.encoding).toBe('gb18030');
    expect(p.mapping).toMatchObject({ employee_id: '工号', name: '姓名', department: '部门', role: '岗位', period: '考核年度', grade: '考核结果', gender: '性别', birth_year: '出生年份', hire_date: '入职日期', manager_name: '直接上级' });
    expect(p.grade?.proposal.preset).toBe('zh_6');
    const r = ok(await importFile(wh, file, { table: 'flat', mapping: p.mapping }));
    expect(r.inserted).toBe(80);
    expect(r.created.periods).toBe(2);
    // 销售代表 is a spelling of the seed role 销售 (sales); the other titles are roles of their own.
    const roles = await listRoleRows(wh);
    expect(roles.find((x) => x.code === 'sales')!.assessments).toBe(20);
    expect(roles.filter((x) => !x.builtin).map((x) => x.nameZh).sort()).toEqual(['会计', '区域销售经理', '研发工程师']);
    const g = await gradeDistribution(wh, { groupBy: 'orgUnit' });
    expect(g.cycle).toBe('year');
    expect(g.groups.map((x) => x.label).sort()).toEqual(['华东销售部', '华南销售部', '研发中心', '财务部']);
    const [top] = await wh.query<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM assessments WHERE grade_label = '卓越' AND grade = 'A'`);
    expect(top!.n).toBeGreaterThan(0);
    const fair = await calibrationFairness(wh, { minN: 1 });
    expect(fair.gender.map((x) => x.key).sort()).toEqual(['女', '男']);
    expect(fair.unknown.tenureBand).toBe(0);
    // No score, so no rater scores: the leniency panel has nothing to rank rather than zeros.
    const raters = await raterLeniency(wh, { minN: 1 });
    expect(raters.overall.n).toBe(0);
  });

  it('renames, merges and points roles at schemes, each on the audit trail', async () => {
    const p = await previewImport(wh, file, { table: 'flat' });
    ok(await importFile(wh, file, { table: 'flat', mapping: p.mapping }));
    const roles = await listRoleRows(wh);
    const mgr = roles.find((x) => x.nameZh === '区域销售经理')!;
    await renameRole(wh, { code: mgr.code, nameZh: '区域经理', nameEn: 'Area manager' });
    const moved = await mergeRoles(wh, { from: [mgr.code], into: 'sales' });
    expect(moved.moved).toBe(30); // 10 employees + 20 assessments
    const after = await listRoleRows(wh);
    expect(after.find((x) => x.code === mgr.code)).toBeUndefined();
    expect(after.find((x) => x.code === 'sales')!.aliases).toContain('区域经理');
    const byRole = await gradeDistribution(wh, { groupBy: 'role' });
    expect(byRole.groups.find((x) => x.key === 'sales')!.total).toBe(40);
    const accountant = after.find((x) => x.nameZh === '会计')!;
    const s = await setRoleScheme(wh, { code: accountant.code, schemeId: 'functional-v1' });
    expect(s.schemeId).toMatch(/^role_[0-9a-f]{8}-v1$/);
    const log = await wh.query<{ action: string }>(`SELECT action FROM audit_log ORDER BY id`);
    expect(log.map((l) => l.action)).toEqual(['role.rename', 'role.merge', 'role.scheme']);
    // The next import of the same sheet lands the merged title on sales directly.
    const again = ok(await importFile(wh, file, { table: 'flat', mapping: p.mapping, onDuplicate: 'replace' }));
    expect(again.created.roles).toBe(0);
  });
});
