/**
 * Hand-made company for the calibration tests, loaded with plain INSERTs.
 *
 *   HQ 总公司 ─┬─ D1 销售一部   E01–E12 sales      (raters R1: E01–E06, R2: E07–E12)
 *              └─ D2 职能部     E13–E20 functional (rater R3)
 *                  └─ T 小组    E21–E23 functional (rater R3; E23 not scored) — below a minimum of 5, pools into D2
 * 2024-01 scores are chosen so the expected ranking can be worked out by hand (see the tests).
 */
import { insertKpiLinesOn, type Warehouse } from '../src/index.ts';

export const JAN_SCORES: Array<number | null> = [
  95, 90, 88, 88, 85, 80, 78, 75, 75, 70, 65, 55, // D1
  92, 86, 84, 80, 79, 77, 72, 68, // D2
  66, 61, null, // T
];
export const id = (k: number) => `E${String(k).padStart(2, '0')}`;
const unitOf = (k: number) => (k <= 12 ? 'D1' : k <= 20 ? 'D2' : 'T');
const roleOf = (k: number) => (k <= 12 ? 'sales' : 'functional');
export const raterOf = (k: number) => (k <= 6 ? 'R1' : k <= 12 ? 'R2' : 'R3');
const band = (s: number | null) => {
  if (s === null) return null;
  const r = Math.floor(s + 0.5);
  return r >= 91 ? 'A' : r >= 81 ? 'B' : r >= 71 ? 'C' : r >= 60 ? 'D' : 'E';
};
/** Supervisor ratings: R1 is lenient (+6), R2 severe (−4), R3 neutral, plus a fixed wobble. */
export const supervisorScore = (k: number, s: number) =>
  s + (raterOf(k) === 'R1' ? 6 : raterOf(k) === 'R2' ? -4 : 0) + ((k * 7) % 5) - 2;

/** February: 30 people with many ties (scores on a coarse grid) for the SQL-vs-core comparison. */
export const FEB_SCORES = Array.from({ length: 23 }, (_, i) => 60 + ((i * 37) % 9) * 5);

export async function loadCalibrationFixture(wh: Warehouse): Promise<void> {
  await wh.run(`INSERT INTO org_units (id, name, parent_id, kind) VALUES
    ('HQ', '总公司', NULL, 'company'), ('D1', '销售一部', 'HQ', 'department'),
    ('D2', '职能部', 'HQ', 'department'), ('T', '小组', 'D2', 'team')`);
  await wh.run(`INSERT INTO periods VALUES ('2024-01', 'month', '2024-01-01', '2024-01-31', NULL, NULL),
    ('2024-02', 'month', '2024-02-01', '2024-02-29', NULL, NULL)`);
  for (let k = 1; k <= 23; k++) {
    await wh.run(
      `INSERT INTO employees (id, name, org_unit_id, role, hire_date, gender, birth_year)
       VALUES ($id, $name, $unit, $role, $hire, $gender, $by)`,
      {
        id: id(k),
        name: `员工${k}`,
        unit: unitOf(k),
        role: roleOf(k),
        hire: `${2010 + (k % 13)}-0${1 + (k % 9)}-15`,
        gender: k % 2 === 0 ? 'F' : 'M',
        by: 1970 + ((k * 3) % 30),
      },
    );
    for (const [p, s] of [
      ['2024-01', JAN_SCORES[k - 1]!],
      ['2024-02', FEB_SCORES[k - 1]!],
    ] as const) {
      await wh.run(
        `INSERT INTO assessments (employee_id, period_id, org_unit_id, role, score, grade) VALUES ($e, $p, $u, $r, $s, $g)`,
        { e: id(k), p, u: unitOf(k), r: roleOf(k), s, g: band(s) },
      );
      if (s !== null)
        await wh.run(`INSERT INTO rater_scores VALUES ($e, $p, $rater, 'supervisor', $x, NULL, NULL)`, {
          e: id(k),
          p,
          rater: raterOf(k),
          x: supervisorScore(k, s),
        });
    }
    if (k % 3 !== 0) await wh.transaction((c) => insertKpiLinesOn(c, `SELECT $e::VARCHAR, '2024-02', 'K1', NULL::DOUBLE, NULL::DOUBLE, $s::DOUBLE, NULL::DOUBLE, NULL::INTEGER, NULL::INTEGER`, { e: id(k), s: (k * 11) % 7 }));
  }
}
