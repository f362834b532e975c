import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DistributionInputs, Grade } from '@perflens/core';
import { ensureAnalytics, policyDistribution, savePolicy, Warehouse } from '../src/index.ts';

/*
 * policyDistribution reads per-person running totals (migration 041, rebuilt with the derived
 * tables) and takes each person's sums over a window as differences of the totals at the window's
 * edges and the policy date. These tests hold it to the plain definition computed here in TS from
 * the raw rows: one value per person, group and side of the date (mean score, median grade), with
 * people who move between units and roles, gaps in their history (no row at an edge), missing
 * scores and grades, roles outside the roles table, duplicate rows, and windows of every kind.
 */

const UNITS: Array<[id: string, parent: string | null]> = [['R', null], ['A', 'R'], ['A1', 'A'], ['B', 'R'], ['C', 'R']];
const ROLES = ['sales', 'functional', 'merchandiser', 'not_a_role'];
const MONTHS = Array.from({ length: 12 }, (_, i) => `2024-${String(i + 1).padStart(2, '0')}`);
const QUARTERS = [1, 2, 3, 4].map((q) => ({ id: `2024-Q${q}`, start: `2024-${String(3 * q - 2).padStart(2, '0')}-01` }));

interface Row {
  employee: string;
  period: string;
  cycle: 'month' | 'quarter';
  start: string;
  unit: string;
  role: string;
  score: number | null;
  grade: Grade | null;
}

/** Deterministic: a tiny LCG, so a failure reproduces. */
function rows(seed: number): Row[] {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648), s / 2147483648);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const out: Row[] = [];
  const periods = [
    ...MONTHS.map((id) => ({ id, start: `${id}-01`, cycle: 'month' as const })),
    ...QUARTERS.map((q) => ({ ...q, cycle: 'quarter' as const })),
  ];
  for (let e = 1; e <= 40; e++) {
    let unit = pick(['A', 'A1', 'B', 'C']);
    let role = pick(ROLES);
    for (const p of periods) {
      if (rnd() < 0.12) continue; // a gap: no row at some window edges
      if (rnd() < 0.1) unit = pick(['A', 'A1', 'B', 'C']); // moves
      if (rnd() < 0.05) role = pick(ROLES);
      // Some scores with six decimals: the person means must still be exact.
      const score = rnd() < 0.1 ? null : Math.round((50 + rnd() * 50) * 10) / 10 + (rnd() < 0.15 ? 0.123457 : 0);
      const grade = rnd() < 0.1 ? null : pick(['A', 'B', 'C', 'D', 'E'] as const);
      const row = { employee: `E${e}`, period: p.id, cycle: p.cycle, start: p.start, unit, role, score, grade };
      out.push(row);
      if (rnd() < 0.03) out.push({ ...row }); // a duplicated line counts twice, as in the facts
    }
  }
  return out;
}

interface Pol {
  id: string;
  date: string;
  orgs: string[];
  roles: string[];
}
const POLICIES: Pol[] = [
  { id: 'P-ORG', date: '2024-07-01', orgs: ['A'], roles: [] },
  { id: 'P-ROLE-ORG', date: '2024-04-15', orgs: ['A'], roles: ['sales'] },
  { id: 'P-ROLE', date: '2024-10-01', orgs: [], roles: ['merchandiser'] },
  { id: 'P-TWO', date: '2024-02-01', orgs: ['B', 'C'], roles: ['sales', 'functional'] },
  { id: 'P-EARLY', date: '2023-06-01', orgs: ['C'], roles: [] },
  { id: 'P-LATE', date: '2025-06-01', orgs: ['A1'], roles: [] },
];

const subtree = (ids: string[]) => {
  const set = new Set(ids);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [id, parent] of UNITS) if (parent && set.has(parent) && !set.has(id)) grew = set.add(id) !== null;
  }
  return set;
};

/** The definition, row by row (as the SQL before the running totals computed it). */
function expected(data: Row[], pol: Pol, cycle: 'month' | 'quarter', before?: number, after?: number, control?: string[]): DistributionInputs {
  const starts = (cycle === 'month' ? MONTHS.map((m) => `${m}-01`) : QUARTERS.map((q) => q.start)).sort();
  const t0 = starts.filter((s) => s < pol.date).length;
  const inWindow = new Set(starts.filter((_, i) => i - t0 >= -(before ?? 1e6) && i - t0 < (after ?? 1e6)));
  const scope = pol.orgs.length ? subtree(pol.orgs) : null;
  const controls = control ? subtree(control) : null;
  // Roles outside the roles table are no role (NULL) in the facts.
  const roleOf = (r: Row) => (r.role === 'not_a_role' ? null : r.role);
  const inScope = (r: Row) => scope === null || scope.has(r.unit);
  const mayControl = (r: Row) => controls === null || controls.has(r.unit);
  const rs = data.filter((r) => r.cycle === cycle && inWindow.has(r.start));
  const same = rs.some((r) => !inScope(r) && mayControl(r) && roleOf(r) !== null && pol.roles.includes(roleOf(r)!));
  // treated: null when the role is unknown under a role scope (SQL's three-valued logic).
  const treated = (r: Row): boolean | null =>
    !inScope(r) ? false : pol.roles.length === 0 ? true : roleOf(r) === null ? null : pol.roles.includes(roleOf(r)!);
  const kept = (r: Row) => {
    const t = treated(r);
    if (t === true) return true;
    const control = pol.roles.length === 0 || (roleOf(r) !== null && pol.roles.includes(roleOf(r)!)) || !same;
    // NULL OR x is true only when x is true; a NULL `control` (unknown role) keeps nothing.
    const roleUnknownUnderScope = pol.roles.length > 0 && roleOf(r) === null && same;
    return mayControl(r) && control && !roleUnknownUnderScope;
  };
  const people = new Map<string, { treated: boolean | null; post: boolean; micro: number; n: number; grades: Grade[] }>();
  for (const r of rs.filter(kept)) {
    const post = r.start >= pol.date;
    const key = `${r.employee}|${treated(r)}|${post}`;
    const p = people.get(key) ?? { treated: treated(r), post, micro: 0, n: 0, grades: [] };
    if (r.score !== null) {
      p.micro += Math.round(r.score * 1e6);
      p.n++;
    }
    if (r.grade !== null) p.grades.push(r.grade);
    people.set(key, p);
  }
  const zero = () => ({ A: 0, B: 0, C: 0, D: 0, E: 0 });
  const out: DistributionInputs = {
    scores: { treated: [], control: [] },
    grades: { treated: { before: zero(), after: zero() }, control: { before: zero(), after: zero() } },
  };
  const maps = { treated: new Map<number, { value: number; x: number; y: number }>(), control: new Map<number, { value: number; x: number; y: number }>() };
  for (const p of people.values()) {
    const g = p.treated ? 'treated' : 'control';
    if (p.n > 0) {
      const value = p.micro / (p.n * 1e6);
      const c = maps[g].get(value) ?? { value, x: 0, y: 0 };
      if (p.post) c.x++;
      else c.y++;
      maps[g].set(value, c);
    }
    if (p.grades.length > 0) {
      // The worse of the two middle grades when their number is even.
      const sorted = [...p.grades].sort();
      out.grades[g][p.post ? 'after' : 'before'][sorted[Math.floor(sorted.length / 2)]!]++;
    }
  }
  out.scores.treated = [...maps.treated.values()];
  out.scores.control = [...maps.control.values()];
  return out;
}

const bySort = (d: DistributionInputs) => ({
  ...d,
  scores: { treated: [...d.scores.treated].sort((a, b) => a.value - b.value), control: [...d.scores.control].sort((a, b) => a.value - b.value) },
});

let dir: string;
let wh: Warehouse;
let data: Row[];

async function insertRows(rs: Row[]) {
  const lit = (v: string | number | null) => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : `'${v}'`);
  await wh.run(
    `INSERT INTO assessments (employee_id, period_id, org_unit_id, role, score, grade) VALUES ${rs
      .map((r) => `(${lit(r.employee)}, ${lit(r.period)}, ${lit(r.unit)}, ${lit(r.role)}, ${lit(r.score)}, ${lit(r.grade)})`)
      .join(', ')}`,
  );
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perflens-person-totals-'));
  wh = await Warehouse.open({ path: join(dir, 'p.duckdb') });
  await wh.run(`INSERT INTO org_units (id, name, parent_id) VALUES ${UNITS.map(([id, p]) => `('${id}', '${id}', ${p ? `'${p}'` : 'NULL'})`).join(', ')}`);
  for (const m of MONTHS) await wh.run(`INSERT INTO periods VALUES ($id, 'month', CAST($s AS DATE), last_day(CAST($s AS DATE)), NULL, NULL)`, { id: m, s: `${m}-01` });
  for (const q of QUARTERS)
    await wh.run(`INSERT INTO periods VALUES ($id, 'quarter', CAST($s AS DATE), CAST(CAST($s AS DATE) + INTERVAL 3 MONTH - INTERVAL 1 DAY AS DATE), NULL, NULL)`, { id: q.id, s: q.start });
  data = rows(7);
  await wh.run(`INSERT INTO employees (id, name, org_unit_id, role) SELECT DISTINCT employee_id, employee_id, 'A', 'sales' FROM (VALUES ${[...new Set(data.map((r) => `('${r.employee}')`))].join(', ')}) t(employee_id)`);
  await insertRows(data);
  for (const p of POLICIES)
    await savePolicy(wh, 'create', { id: p.id, name: p.id, description: null, effectiveFrom: p.date, scopeOrgUnitIds: p.orgs, scopeRoles: p.roles, schemeBefore: null, schemeAfter: null });
}, 60_000);
afterAll(() => {
  wh.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('person-level distribution from the running totals', () => {
  it('has what it needs: people who moved, gaps at the edges, unknown roles, duplicates', async () => {
    await ensureAnalytics(wh);
    const [s] = await wh.query<{ shared: number; norole: number }>(
      `SELECT count(*) FILTER (WHERE shared)::INTEGER AS shared, count(*) FILTER (WHERE role IS NULL)::INTEGER AS norole FROM person_stints`,
    );
    expect(s!.shared).toBeGreaterThan(10);
    expect(s!.norole).toBeGreaterThan(0);
  });

  const WINDOWS: Array<{ before?: number; after?: number }> = [{}, { before: 2, after: 1 }, { before: 1 }, { after: 3 }, { before: 600, after: 2 }];
  for (const pol of POLICIES)
    it(`equals the row-by-row definition: ${pol.id}, every window, both cycles, automatic and chosen control`, async () => {
      for (const cycle of ['month', 'quarter'] as const)
        for (const w of WINDOWS)
          for (const control of [undefined, ['B']]) {
            const got = await policyDistribution(wh, { policyId: pol.id, cycle, ...w, ...(control ? { controlOrgUnitIds: control } : {}) });
            expect(bySort(got), JSON.stringify({ cycle, ...w, control })).toEqual(bySort(expected(data, pol, cycle, w.before, w.after, control)));
          }
    });

  it('gives people with the same scores exactly the same mean, whatever the order of the rows', async () => {
    // 70.1 + 70.2 + 70.3 summed as DOUBLEs in different orders differ in the last bit; as micro-points they do not.
    const d = await policyDistribution(wh, { policyId: 'P-ORG', cycle: 'month' });
    for (const c of [...d.scores.treated, ...d.scores.control]) expect(Number.isFinite(c.value)).toBe(true);
    const [r] = await wh.query<{ v: number }>(
      `SELECT CAST(sum(s) AS DOUBLE) / (3 * 1000000.0) AS v FROM (SELECT CAST(round(x * 1000000) AS BIGINT) AS s FROM (VALUES (70.3), (70.1), (70.2)) t(x))`,
    );
    expect(r!.v).toBe(70.2);
  });

  it('follows a write: the totals are rebuilt with the other derived tables', async () => {
    const before = await policyDistribution(wh, { policyId: 'P-ORG', cycle: 'month' });
    const extra: Row[] = MONTHS.map((m) => ({ employee: 'E1', period: m, cycle: 'month', start: `${m}-01`, unit: 'A', role: 'sales', score: 99.5, grade: 'A' }));
    await insertRows(extra);
    data.push(...extra);
    const after = await policyDistribution(wh, { policyId: 'P-ORG', cycle: 'month' });
    expect(after).not.toEqual(before);
    expect(bySort(after)).toEqual(bySort(expected(data, POLICIES[0]!, 'month')));
  });
});
