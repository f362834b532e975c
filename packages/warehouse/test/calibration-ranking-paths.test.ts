/**
 * The forced ranking has two execution paths: counts per tie block for recorded scores
 * (pre-aggregated cells, the page read block by block) and per-person windows for per-person keys
 * (rater-normalised scores, the secondary rule). Both are checked here against the core
 * reference `rankGroup` on a company with many ties and several periods, including every page
 * filter and page windows that cut through tie blocks and group borders.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GRADES, groupQuota, rankGroup, sharesGuidelineSchema, type TieRule } from '@perflens/core';
import { Warehouse } from '../src/index.ts';
import { planForcedRanking, rankingForced, type RankedPerson, type RankingForcedInput } from '../src/queries/ranking-forced.ts';

const PERIODS = ['2024-03', '2024-04', '2024-05'];
const N = 90;
const unitOf = (k: number) => (k % 10 === 0 ? 'U3' : k % 2 === 0 ? 'U1' : 'U2');
// Scores on a 5-point grid: a period's 30-odd people per unit share about nine values.
const scoreOf = (k: number, p: number): number | null => (k % 17 === 5 && p === 1 ? null : 55 + ((k * 7 + p * 3) % 9) * 5);
// Hire dates repeat, so some people tie on score and tenure too; every eleventh has none (sorts last).
const hireOf = (k: number) => (k % 11 === 0 ? null : `${2010 + (k % 4)}-0${1 + (k % 3)}-15`);
const tenureDays = (k: number, periodId: string) => {
  const h = hireOf(k);
  return h === null ? null : Math.round((Date.parse(`${periodId}-01T00:00:00Z`) - Date.parse(`${h}T00:00:00Z`)) / 86_400_000);
};
const band = (s: number | null) => (s === null ? null : s >= 91 ? 'A' : s >= 81 ? 'B' : s >= 71 ? 'C' : s >= 60 ? 'D' : 'E');

let dir: string;
let wh: Warehouse;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perflens-rankpaths-'));
  wh = await Warehouse.open({ path: join(dir, 'r.duckdb') });
  await wh.run(`INSERT INTO org_units (id, name, parent_id, kind) VALUES
    ('HQ', '总公司', NULL, 'company'), ('U1', '一部', 'HQ', 'department'), ('U2', '二部', 'HQ', 'department'),
    ('U3', '小组', 'U2', 'team')`);
  await wh.run(`INSERT INTO periods VALUES ('2024-03', 'month', '2024-03-01', '2024-03-31', NULL, NULL),
    ('2024-04', 'month', '2024-04-01', '2024-04-30', NULL, NULL), ('2024-05', 'month', '2024-05-01', '2024-05-31', NULL, NULL)`);
  const emp: string[] = [];
  const ass: string[] = [];
  const rat: string[] = [];
  for (let k = 1; k <= N; k++) {
    const id = `P${String(k).padStart(3, '0')}`;
    const h = hireOf(k);
    emp.push(`('${id}', '人${k}', '${unitOf(k)}', '${k % 3 === 0 ? 'sales' : 'functional'}', ${h === null ? 'NULL' : `DATE '${h}'`})`);
    PERIODS.forEach((p, i) => {
      const s = scoreOf(k, i);
      const g = band(s);
      ass.push(`('${id}', '${p}', '${unitOf(k)}', '${k % 3 === 0 ? 'sales' : 'functional'}', ${s ?? 'NULL'}, ${g ? `'${g}'` : 'NULL'})`);
      // Four raters of different leniency, so normalised scores differ from the recorded ones.
      if (s !== null) rat.push(`('${id}', '${p}', 'R${k % 4}', 'supervisor', ${s + (k % 4) * 2 - 3 + (k % 3)})`);
    });
  }
  await wh.run(`INSERT INTO employees (id, name, org_unit_id, role, hire_date) VALUES ${emp.join(', ')}`);
  await wh.run(`INSERT INTO assessments (employee_id, period_id, org_unit_id, role, score, grade) VALUES ${ass.join(', ')}`);
  await wh.run(`INSERT INTO rater_scores (employee_id, period_id, rater_id, relation, score) VALUES ${rat.join(', ')}`);
});
afterAll(() => {
  wh.close();
  rmSync(dir, { recursive: true, force: true });
});

const SHARES = sharesGuidelineSchema.parse({ mode: 'shares', shares: { A: 10, B: 20, C: 50, D: 15, E: 5 } });
const BASE = { from: '2024-03', to: '2024-05', minGroupSize: 12 } as const;
/**
 * Rater statistics come from parallel aggregates, so a normalised score may differ in its last
 * bit between two statements; compared to 1e-9, everything else exactly.
 */
function expectSameRows(got: RankedPerson[], want: RankedPerson[], msg?: string): void {
  expect(got.map(({ rankingScore: _, ...p }) => p), msg).toEqual(want.map(({ rankingScore: _, ...p }) => p));
  got.forEach((p, i) => expect(Math.abs(p.rankingScore - want[i]!.rankingScore), msg).toBeLessThan(1e-9));
}
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const order = (a: RankedPerson, b: RankedPerson) =>
  cmp(a.periodId, b.periodId) || cmp(a.groupKey, b.groupKey) || a.position - b.position || cmp(a.employeeId, b.employeeId);

const CASES: Array<{ name: string; input: RankingForcedInput; rule: TieRule }> = [
  { name: 'recorded, better', input: { ...BASE }, rule: 'better' },
  { name: 'recorded, flag', input: { ...BASE, tieRule: 'flag' }, rule: 'flag' },
  { name: 'recorded, flag, unit × role', input: { ...BASE, tieRule: 'flag', grouping: 'orgUnitRole', minGroupSize: 5 }, rule: 'flag' },
  { name: 'recorded, better, company', input: { ...BASE, grouping: 'company' }, rule: 'better' },
  { name: 'normalised (centre), better', input: { ...BASE, scoreSource: 'normalised' }, rule: 'better' },
  { name: 'normalised (centre), flag', input: { ...BASE, scoreSource: 'normalised', tieRule: 'flag' }, rule: 'flag' },
  { name: 'recorded, secondary (tenure)', input: { ...BASE, tieRule: 'secondary' }, rule: 'secondary' },
  { name: 'normalised (zscore), secondary (tenure)', input: { ...BASE, scoreSource: 'normalised', normalisation: 'zscore', tieRule: 'secondary' }, rule: 'secondary' },
];

const keysOf = (p: RankedPerson, rule: TieRule) => ({
  id: p.employeeId,
  score: p.rankingScore,
  ...(rule === 'secondary' ? { secondary: [tenureDays(Number(p.employeeId.slice(1)), p.periodId)] } : {}),
});
/** Seat order of the reference: keys high to low (missing last), then id. */
const seatOrder = (rule: TieRule) => (a: RankedPerson, b: RankedPerson) => {
  if (a.rankingScore !== b.rankingScore) return b.rankingScore - a.rankingScore;
  if (rule === 'secondary') {
    const x = keysOf(a, rule).secondary![0]!;
    const y = keysOf(b, rule).secondary![0]!;
    if (x !== y) return x === null ? 1 : y === null ? -1 : y - x;
  }
  return cmp(a.employeeId, b.employeeId);
};

describe('ranking.forced: block and per-person paths against the core reference', () => {
  it.each(CASES)('$name: every person, group counts and totals', async ({ input, rule }) => {
    const r = await rankingForced(wh, { ...input, people: { limit: 5000 } });
    const scored = PERIODS.reduce((a, _, i) => a + Array.from({ length: N }, (_, k) => scoreOf(k + 1, i)).filter((s) => s !== null).length, 0);
    expect(r.totals.n).toBe(scored);
    expect(r.people.total).toBe(scored);
    expect(r.people.rows).toHaveLength(scored);
    // Output order is (period, group, position, id).
    expect([...r.people.rows].sort(order)).toEqual(r.people.rows);
    let changed = 0;
    let flagged = 0;
    for (const g of r.groups) {
      const rows = r.people.rows.filter((p) => p.periodId === g.periodId && p.groupKey === g.key);
      expect(rows).toHaveLength(g.n);
      const quota = groupQuota(g.n, SHARES, GRADES.map((x) => g.recorded[x]));
      expect(Object.values(g.quota)).toEqual(quota);
      const ref = rankGroup(rows.map((p) => keysOf(p, rule)), quota, rule);
      expect(rows.map((p) => p.proposedGrade)).toEqual(ref.grades);
      expect(rows.map((p) => p.flagged)).toEqual(ref.flagged);
      // Seats follow the keys (higher first), then id.
      const seated = [...rows].sort(seatOrder(rule));
      expect(rows.map((p) => p.employeeId)).toEqual(seated.map((p) => p.employeeId));
      // The summary (counted per block) equals the counts over the people.
      expect(GRADES.map((x) => g.proposed[x])).toEqual(ref.counts);
      const ch = rows.filter((p, i) => p.recordedGrade !== ref.grades[i]).length;
      expect(g.changed).toBe(ch);
      expect(rows.filter((p) => p.changed).length).toBe(ch);
      expect(g.flagged).toBe(ref.flagged.filter(Boolean).length);
      changed += ch;
      flagged += g.flagged;
    }
    expect(r.totals.changed).toBe(changed);
    expect(r.totals.flagged).toBe(flagged);
    if (rule !== 'better') expect(flagged).toBeGreaterThan(0); // the data really has straddling ties
    // What a saved session stores (the plan's per-person statement) is the same ranking.
    const plan = await planForcedRanking(wh, input);
    const stored = await wh.query<Record<string, unknown>>(plan.sql, plan.params);
    const asRows = stored
      .map((x) => ({
        employeeId: x.employee_id, employeeName: x.employee_name, periodId: x.period_id, groupKey: x.group_key,
        orgUnitId: x.org_unit_id, role: x.role, score: x.score, rankingScore: x.ranking_score, position: x.position,
        recordedGrade: x.recorded_grade, proposedGrade: x.proposed_grade, changed: x.recorded_grade !== x.proposed_grade, flagged: x.flagged,
      }) as RankedPerson)
      .sort(order);
    expectSameRows(asRows, r.people.rows);
    if (rule === 'better') expect(r.groups.some((g) => GRADES.some((x) => g.over[x] !== 0))).toBe(true);
  });

  it.each(CASES)('$name: pages and filters equal slices of the full ordered list', async ({ input }) => {
    const all = (await rankingForced(wh, { ...input, people: { limit: 5000 } })).people.rows;
    const group = all[Math.floor(all.length / 2)]!.groupKey;
    const filters = [
      {},
      { groupKey: group },
      { onlyChanged: true },
      { onlyFlagged: true },
      { onlyChanged: true, onlyFlagged: true },
      { groupKey: group, onlyChanged: true },
    ];
    for (const fl of filters) {
      const want = all.filter(
        (p) => (fl.groupKey === undefined || p.groupKey === fl.groupKey) && (!fl.onlyChanged || p.changed) && (!('onlyFlagged' in fl) || p.flagged),
      );
      // Windows inside one block, across block and group borders, past the end, and empty.
      for (const [offset, limit] of [[0, 7], [3, 11], [25, 40], [60, 1], [100, 90], [want.length - 2, 10], [want.length + 5, 10], [0, 0]] as const) {
        if (offset < 0) continue;
        const r = await rankingForced(wh, { ...input, people: { ...fl, offset, limit } });
        expect(r.people.total, JSON.stringify({ fl, offset, limit })).toBe(want.length);
        expectSameRows(r.people.rows, want.slice(offset, offset + limit), JSON.stringify({ fl, offset, limit }));
      }
    }
  }, 30_000);

  it('pre-aggregated cells match the facts and follow new data', async () => {
    const diff = async () =>
      wh.query<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM (
        (SELECT period_id, org_unit_id, role, score, grade, n FROM ranking_cells
         EXCEPT ALL SELECT period_id, org_unit_id, role, score, grade, count(*)::INTEGER FROM assessment_facts GROUP BY ALL)
        UNION ALL
        (SELECT period_id, org_unit_id, role, score, grade, count(*)::INTEGER FROM assessment_facts GROUP BY ALL
         EXCEPT ALL SELECT period_id, org_unit_id, role, score, grade, n FROM ranking_cells))`);
    const before = await rankingForced(wh, { from: '2024-03' });
    expect(await diff()).toEqual([{ n: 0 }]);
    // A new person in U1 with the month's top score: one more in U1, ranked first.
    await wh.run(`INSERT INTO employees (id, name, org_unit_id, role) VALUES ('P999', '新人', 'U1', 'sales')`);
    await wh.run(`INSERT INTO assessments (employee_id, period_id, org_unit_id, role, score, grade) VALUES ('P999', '2024-03', 'U1', 'sales', 99, 'A')`);
    const after = await rankingForced(wh, { from: '2024-03', people: { groupKey: 'U1', limit: 1 } });
    expect(after.totals.n).toBe(before.totals.n + 1);
    expect(after.groups.find((g) => g.key === 'U1')!.n).toBe(before.groups.find((g) => g.key === 'U1')!.n + 1);
    expect(after.people.rows.map((p) => [p.employeeId, p.position, p.proposedGrade])).toEqual([['P999', 1, 'A']]);
    expect(await diff()).toEqual([{ n: 0 }]);
  });
});
