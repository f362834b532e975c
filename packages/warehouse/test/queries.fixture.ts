/**
 * A small hand-made company whose expected figures are worked out by hand in the tests.
 * Loaded with plain INSERTs so the queries are tested independently of any importer.
 *
 *   HQ 总公司 ─┬─ SALES 销售部 ─┬─ S-N 北区   E01–E05 sales
 *              │               ├─ S-S 南区   E06–E10 sales
 *              │               └─ (direct)   E11–E15 key_account
 *              └─ OPS 运营部                  E16–E20 functional
 */
import type { Warehouse } from '../src/index.ts';

export const ORG_UNITS: Array<[id: string, name: string, parent: string | null, kind: string]> = [
  ['HQ', '总公司', null, 'company'],
  ['SALES', '销售部', 'HQ', 'division'],
  ['S-N', '北区', 'SALES', 'team'],
  ['S-S', '南区', 'SALES', 'team'],
  ['OPS', '运营部', 'HQ', 'department'],
];

/** Names deliberately not in id order, so sorting by name is distinguishable from sorting by id. */
export const NAMES = [
  '王芳', '李娜', '张伟', '刘洋', '陈静', '杨磊', '赵敏', '黄强', '周杰', '吴刚',
  '徐丽', '孙浩', '胡军', '朱琳', '高峰', '林涛', '何欢', '郭靖', '马超', '罗宾',
];

export const employeeId = (k: number) => `E${String(k).padStart(2, '0')}`;
export const EMPLOYEES = Array.from({ length: 20 }, (_, i) => {
  const k = i + 1;
  const [unit, role] =
    k <= 5 ? ['S-N', 'sales'] : k <= 10 ? ['S-S', 'sales'] : k <= 15 ? ['SALES', 'key_account'] : ['OPS', 'functional'];
  return { id: employeeId(k), name: NAMES[i]!, unit: unit!, role: role! };
});

export const PERIODS: Array<[id: string, kind: string, start: string, end: string]> = [
  ['2024-01', 'month', '2024-01-01', '2024-01-31'],
  ['2024-02', 'month', '2024-02-01', '2024-02-29'],
  ['2024-03', 'month', '2024-03-01', '2024-03-31'],
  ['2024-Q1', 'quarter', '2024-01-01', '2024-03-31'],
  ['2024', 'year', '2024-01-01', '2024-12-31'],
];

/** Grades under the default bands (score rounded half-up; 91 A, 81 B, 71 C, 60 D, else E). */
function grade(score: number | null): string | null {
  if (score === null) return null;
  const r = Math.floor(score + 0.5);
  return r >= 91 ? 'A' : r >= 81 ? 'B' : r >= 71 ? 'C' : r >= 60 ? 'D' : 'E';
}

export interface AssessmentFixture {
  employeeId: string;
  periodId: string;
  score: number | null;
  grade: string | null;
  bonus: string | null;
}

const JAN = [95, 92, 85, 78, 65, 88, 83, 75, 72, 55, 91, 80, 80, 70, 60, 99, 86, 77, 73, 58];
export const ASSESSMENTS: AssessmentFixture[] = [
  ...JAN.map((s, i) => ({ employeeId: employeeId(i + 1), periodId: '2024-01', score: s })),
  // February: E01–E10 score 1..10 (textbook percentiles), E11 present but not yet graded.
  ...Array.from({ length: 10 }, (_, i) => ({ employeeId: employeeId(i + 1), periodId: '2024-02', score: i + 1 })),
  { employeeId: 'E11', periodId: '2024-02', score: null },
  ...[100, 90, 80, 70, 20].map((s, i) => ({ employeeId: employeeId(16 + i), periodId: '2024-03', score: s })),
  ...[90, 85, 70, 65, 50].map((s, i) => ({ employeeId: employeeId(16 + i), periodId: '2024-Q1', score: s })),
].map((a, i) => ({
  ...a,
  grade: grade(a.score),
  // Exact decimals that a float would mangle (x.10, x.05) to check bonus travels as text.
  bonus: a.score === null ? null : (1000 + i * 100.05).toFixed(2),
}));

export const RATER_SCORES: Array<[employee: string, period: string, rater: string, relation: string, score: number]> = [
  ['E01', '2024-01', 'E05', 'supervisor', 90],
  ['E02', '2024-01', 'E05', 'supervisor', 80],
  ['E03', '2024-01', 'E05', 'supervisor', 70],
  ['E04', '2024-01', 'E05', 'supervisor', 60],
  ['E06', '2024-01', 'E10', 'supervisor', 60],
  ['E07', '2024-01', 'E10', 'supervisor', 60],
  ['E08', '2024-01', 'E10', 'supervisor', 70],
  ['E09', '2024-01', 'E10', 'supervisor', 70],
  ['E01', '2024-01', 'X1', 'customer', 100],
  ['E06', '2024-01', 'X1', 'customer', 90],
  ['E01', '2024-01', 'E01', 'self', 99],
  // No assessment for E03 in March: this score belongs to no filtered assessment.
  ['E03', '2024-03', 'E02', 'peer', 10],
];

const lit = (v: string | number | null) => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : `'${v}'`);

export async function loadFixture(wh: Warehouse): Promise<void> {
  const unitOf = new Map(EMPLOYEES.map((e) => [e.id, e]));
  await wh.run(
    `INSERT INTO org_units (id, name, parent_id, kind) VALUES ${ORG_UNITS.map((u) => `(${u.map(lit).join(', ')})`).join(', ')}`,
  );
  await wh.run(
    `INSERT INTO employees (id, name, org_unit_id, role) VALUES ${EMPLOYEES.map((e) => `(${[e.id, e.name, e.unit, e.role].map(lit).join(', ')})`).join(', ')}`,
  );
  await wh.run(
    `INSERT INTO periods (id, kind, start_date, end_date) VALUES ${PERIODS.map(([id, k, s, e]) => `('${id}', '${k}', DATE '${s}', DATE '${e}')`).join(', ')}`,
  );
  await wh.run(
    `INSERT INTO assessments (employee_id, period_id, org_unit_id, role, score, grade, coefficient, bonus) VALUES ${ASSESSMENTS.map((a) => {
      const e = unitOf.get(a.employeeId)!;
      const coef = a.grade === null ? null : { A: 1.3, B: 1.1, C: 1.0, D: 0.8, E: 0.4 }[a.grade]!;
      return `(${[a.employeeId, a.periodId, e.unit, e.role, a.score, a.grade, coef].map(lit).join(', ')}, ${a.bonus === null ? 'NULL' : `${a.bonus}::DECIMAL(14,2)`})`;
    }).join(', ')}`,
  );
  await wh.run(
    `INSERT INTO rater_scores (employee_id, period_id, rater_id, relation, score) VALUES ${RATER_SCORES.map((r) => `(${r.map(lit).join(', ')})`).join(', ')}`,
  );
}
