import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZodError } from 'zod';
import {
  EMPLOYEE_SORT_FIELDS,
  Warehouse,
  gradeDistribution,
  listEmployeeAssessments,
  listOrgUnits,
  listPeriods,
  orgUnitBoxPlots,
  raterLeniency,
  scoreDistribution,
  type EmployeeAssessmentRow,
} from '../src/index.ts';
import { ASSESSMENTS, EMPLOYEES, ORG_UNITS, PERIODS, loadFixture } from './queries.fixture.ts';

let dir: string;
let wh: Warehouse;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perflens-queries-'));
  wh = await Warehouse.open({ path: join(dir, 'q.duckdb') });
  await loadFixture(wh);
});
afterAll(() => {
  wh.close();
  rmSync(dir, { recursive: true, force: true });
});

const counts = (A: number, B: number, C: number, D: number, E: number) => ({ A, B, C, D, E });

describe('meta lists', () => {
  it('returns the org tree parents first with depths', async () => {
    expect(await listOrgUnits(wh)).toEqual([
      { id: 'HQ', name: '总公司', parentId: null, kind: 'company', depth: 0 },
      { id: 'OPS', name: '运营部', parentId: 'HQ', kind: 'department', depth: 1 },
      { id: 'SALES', name: '销售部', parentId: 'HQ', kind: 'division', depth: 1 },
      { id: 'S-N', name: '北区', parentId: 'SALES', kind: 'team', depth: 2 },
      { id: 'S-S', name: '南区', parentId: 'SALES', kind: 'team', depth: 2 },
    ]);
  });
  it('returns periods by start date, then month < quarter < year', async () => {
    expect((await listPeriods(wh)).map((p) => `${p.id}/${p.kind}/${p.startDate}/${p.endDate}`)).toEqual([
      '2024-01/month/2024-01-01/2024-01-31',
      '2024-Q1/quarter/2024-01-01/2024-03-31',
      '2024/year/2024-01-01/2024-12-31',
      '2024-02/month/2024-02-01/2024-02-29',
      '2024-03/month/2024-03-01/2024-03-31',
    ]);
  });
});

describe('distribution.grades', () => {
  it('counts all monthly rows, keeping the ungraded one out of the shares', async () => {
    const r = await gradeDistribution(wh, {});
    expect(r.grades).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(r.ungraded).toBe(1);
    expect(r.groups).toHaveLength(1);
    const g = r.groups[0]!;
    expect(g.key).toBe('all');
    expect(g.total).toBe(35);
    expect(g.counts).toEqual(counts(5, 5, 8, 4, 13));
    expect(g.shares.A).toBeCloseTo(5 / 35, 12);
    expect(g.shares.E).toBeCloseTo(13 / 35, 12);
  });

  it('groups by org unit recorded on the row, sorted by label', async () => {
    const r = await gradeDistribution(wh, { groupBy: 'orgUnit' });
    expect(r.groups.map((g) => [g.key, g.label, g.total, g.counts])).toEqual([
      ['S-N', '北区', 10, counts(2, 1, 1, 1, 5)],
      ['S-S', '南区', 10, counts(0, 2, 2, 0, 6)],
      ['OPS', '运营部', 10, counts(2, 2, 3, 1, 2)],
      ['SALES', '销售部', 5, counts(1, 0, 2, 2, 0)],
    ]);
    expect(r.groups[3]!.shares.D).toBeCloseTo(0.4, 12);
  });

  it('groups by role', async () => {
    const r = await gradeDistribution(wh, { groupBy: 'role' });
    expect(r.groups.map((g) => [g.key, g.total, g.counts])).toEqual([
      ['functional', 10, counts(2, 2, 3, 1, 2)],
      ['key_account', 5, counts(1, 0, 2, 2, 0)],
      ['sales', 20, counts(2, 3, 3, 1, 11)],
    ]);
  });

  it('groups by period in time order', async () => {
    const r = await gradeDistribution(wh, { groupBy: 'period' });
    expect(r.groups.map((g) => [g.key, g.total, g.counts])).toEqual([
      ['2024-01', 20, counts(4, 4, 7, 3, 2)],
      ['2024-02', 10, counts(0, 0, 0, 0, 10)],
      ['2024-03', 5, counts(1, 1, 1, 1, 1)],
    ]);
  });

  it('filters an org subtree, a period range, a role and the cycle', async () => {
    const sales = await gradeDistribution(wh, { orgUnitId: 'SALES' });
    expect([sales.ungraded, sales.groups[0]!.total, sales.groups[0]!.counts]).toEqual([1, 25, counts(3, 3, 5, 3, 11)]);
    const north = await gradeDistribution(wh, { orgUnitId: 'S-N' });
    expect([north.ungraded, north.groups[0]!.counts]).toEqual([0, counts(2, 1, 1, 1, 5)]);
    const range = await gradeDistribution(wh, { from: '2024-02', to: '2024-03' });
    expect([range.ungraded, range.groups[0]!.total, range.groups[0]!.counts]).toEqual([1, 15, counts(1, 1, 1, 1, 11)]);
    const ka = await gradeDistribution(wh, { role: 'key_account' });
    expect([ka.ungraded, ka.groups[0]!.counts]).toEqual([1, counts(1, 0, 2, 2, 0)]);
    const quarter = await gradeDistribution(wh, { cycle: 'quarter' });
    expect(quarter.groups[0]!.counts).toEqual(counts(0, 2, 0, 2, 1));
    // 2024-Q1 starts on 2024-01-01: inside a January–March range, outside one starting in February.
    expect((await gradeDistribution(wh, { cycle: 'quarter', from: '2024-01', to: '2024-03' })).groups[0]!.total).toBe(5);
    const empty = await gradeDistribution(wh, { cycle: 'quarter', from: '2024-02' });
    expect(empty.groups).toEqual([{ key: 'all', label: 'all', total: 0, counts: counts(0, 0, 0, 0, 0), shares: counts(0, 0, 0, 0, 0) }]);
  });

  it('rejects a group column outside the whitelist', async () => {
    await expect(gradeDistribution(wh, { groupBy: 'a.grade; DROP TABLE assessments' as never })).rejects.toBeInstanceOf(ZodError);
  });
});

describe('distribution.scores', () => {
  // February in SALES: E01–E10 scored 1..10 plus E11 ungraded.
  const feb = { orgUnitId: 'SALES', from: '2024-02', to: '2024-02' } as const;

  it('gives textbook mean, sample sd and type-7 percentiles', async () => {
    const { stats } = await scoreDistribution(wh, feb);
    expect(stats!.n).toBe(10);
    expect(stats!.mean).toBeCloseTo(5.5, 12);
    expect(stats!.sd).toBeCloseTo(Math.sqrt(82.5 / 9), 12); // 3.0277
    expect([stats!.min, stats!.max]).toEqual([1, 10]);
    expect(stats!.p10).toBeCloseTo(1.9, 12);
    expect(stats!.p25).toBeCloseTo(3.25, 12);
    expect(stats!.p50).toBeCloseTo(5.5, 12);
    expect(stats!.p75).toBeCloseTo(7.75, 12);
    expect(stats!.p90).toBeCloseTo(9.1, 12);
  });

  it('bins over floor(min)..ceil(max) by default', async () => {
    const { bins } = await scoreDistribution(wh, { ...feb, bins: 5 });
    expect(bins.map((b) => b.count)).toEqual([2, 2, 2, 2, 2]);
    expect(bins[0]!.from).toBe(1);
    expect(bins[1]!.from).toBeCloseTo(2.8, 12);
    expect(bins[4]!.to).toBe(10);
  });

  it('puts a score on an edge in the bin starting there and the maximum in the last bin', async () => {
    const { bins } = await scoreDistribution(wh, { ...feb, bins: 5, min: 0, max: 10 });
    expect(bins.map((b) => [b.from, b.to, b.count])).toEqual([
      [0, 2, 1], // 1
      [2, 4, 2], // 2, 3
      [4, 6, 2],
      [6, 8, 2],
      [8, 10, 3], // 8, 9, 10
    ]);
  });

  it('keeps every count consistent with the reported edges when they are not exact in binary', async () => {
    // Here (3 − 0.7) / 0.1 floors to 22 although the reported edge 0.7 + 23·0.1 is exactly 3: a naive floor misbins 3, 4 and 5.
    const { bins } = await scoreDistribution(wh, { ...feb, bins: 100, min: 0.7, max: 10.7 });
    for (let v = 1; v <= 10; v++) {
      const i = bins.findIndex((b, j) => b.from <= v && (v < b.to || (j === bins.length - 1 && v <= b.to)));
      expect(bins[i]!.count, `score ${v} in [${bins[i]!.from}, ${bins[i]!.to})`).toBe(1);
    }
    expect(bins.reduce((s, b) => s + b.count, 0)).toBe(10);
  });

  it('counts only scores inside an explicit range but describes them all', async () => {
    const r = await scoreDistribution(wh, { ...feb, bins: 5, min: 3, max: 8 });
    expect(r.bins.reduce((s, b) => s + b.count, 0)).toBe(6); // 3..8
    expect(r.stats!.n).toBe(10);
  });

  it('returns null stats for an empty filter and rejects min ≥ max', async () => {
    expect((await scoreDistribution(wh, { cycle: 'year' })).stats).toBeNull();
    await expect(scoreDistribution(wh, { min: 5, max: 5 })).rejects.toBeInstanceOf(ZodError);
    await expect(scoreDistribution(wh, { bins: 4 })).rejects.toBeInstanceOf(ZodError);
  });
});

describe('distribution.byOrgUnit', () => {
  it('gives Tukey box plots per unit, best median first', async () => {
    const { cycle, units: r } = await orgUnitBoxPlots(wh, { from: '2024-01', to: '2024-01' });
    expect(cycle).toBe('month');
    expect(r.map((b) => [b.orgUnitId, b.name, b.n, b.min, b.q1, b.median, b.q3, b.max, b.lowerWhisker, b.upperWhisker, b.outliers])).toEqual([
      // 65 78 85 92 95: IQR 14, fences 57..113
      ['S-N', '北区', 5, 65, 78, 85, 92, 95, 65, 95, 0],
      // 60 70 80 80 91: IQR 10, fences 55..95
      ['SALES', '销售部', 5, 60, 70, 80, 80, 91, 60, 91, 0],
      // 58 73 77 86 99: IQR 13, fences 53.5..105.5
      ['OPS', '运营部', 5, 58, 73, 77, 86, 99, 58, 99, 0],
      // 55 72 75 83 88: IQR 11, fences 55.5..99.5 → 55 is an outlier
      ['S-S', '南区', 5, 55, 72, 75, 83, 88, 72, 88, 1],
    ]);
    expect(r.map((b) => b.mean)).toEqual([83, 76.2, 78.6, 74.6].map((m) => expect.closeTo(m, 10)));
  });

  it('interpolates quartiles between ranks', async () => {
    // OPS over all months: 58 73 77 86 99 | 100 90 80 70 20 → sorted 20 58 70 73 77 80 86 90 99 100
    const [ops] = (await orgUnitBoxPlots(wh, { orgUnitId: 'OPS' })).units;
    expect(ops!.q1).toBeCloseTo(70 + 0.25 * 3, 12); // h = 2.25
    expect(ops!.median).toBeCloseTo(78.5, 12); // h = 4.5
    expect(ops!.q3).toBeCloseTo(86 + 0.75 * 4, 12); // h = 6.75 → 89
    // IQR 89 − 70.75 = 18.25 → lower fence 43.375: 20 is an outlier, 58 the whisker.
    expect([ops!.lowerWhisker, ops!.upperWhisker, ops!.outliers]).toEqual([58, 100, 1]);
  });
});

describe('distribution.raters', () => {
  const overallSd = Math.sqrt(1850 / 9);
  it('ranks raters by the shrunk leniency with its interval; z clusters by the people rated', async () => {
    const r = await raterLeniency(wh, { withZ: true });
    expect(r.overall.n).toBe(10);
    expect(r.overall.mean).toBeCloseTo(75, 12);
    expect(r.overall.sd).toBeCloseTo(overallSd, 12);
    expect(r.raters.map((x) => [x.raterId, x.raterName, x.n, x.lowN])).toEqual([
      ['X1', null, 2, true],
      ['E05', '陈静', 4, true],
      ['E10', '吴刚', 4, true],
    ]);
    const [x1, e05, e10] = r.raters;
    expect(x1!.mean).toBeCloseTo(95, 12);
    expect(x1!.diff).toBeCloseTo(20, 12);
    // z with ratees as clusters: X1 rated E01 100 and E06 90 → SE = √(2/1·(5² + 5²))/2 = 5.
    expect(x1!.z).toBeCloseTo(20 / 5, 10);
    expect(x1!.ratees).toBe(2);
    expect(e05!.z).toBeCloseTo(0, 12);
    expect(e05!.sd).toBeCloseTo(Math.sqrt(500 / 3), 12);
    // E10: 60 60 70 70 on four people → SE = √(4/3·100)/4.
    expect(e10!.z).toBeCloseTo(-10 / (Math.sqrt(400 / 3) / 4), 10);
    // Shrinkage (method of moments): σ² = 650/7, τ² = (1200 − 2σ²)/(10 − 36/10).
    const s2 = 650 / 7;
    const t2 = (1200 - 2 * s2) / 6.4;
    const lam = (n: number) => t2 / (t2 + s2 / n);
    expect(x1!.shrunk).toBeCloseTo(lam(2) * 20, 10);
    expect(e10!.shrunk).toBeCloseTo(lam(4) * -10, 10);
    expect(x1!.shrunkCi[0]).toBeCloseTo(lam(2) * 20 - 1.959963984540054 * Math.sqrt((lam(2) * s2) / 2), 10);
    // E10's interval (−8.72 ± 8.82) still reaches 0: neutral, not coloured severe.
    expect([x1!.level, e05!.level, e10!.level]).toEqual(['lenient', 'neutral', 'neutral']);
    void overallSd;
  });

  it('filters relations, org subtree and minN', async () => {
    const self = await raterLeniency(wh, { relations: ['self'], withZ: true });
    expect(self.overall).toEqual({ n: 1, mean: 99, sd: null });
    expect(self.raters).toEqual([
      { raterId: 'E01', raterName: '王芳', n: 1, mean: 99, sd: null, diff: 0, shrunk: 0, shrunkCi: [0, 0], level: 'neutral', z: 0, ratees: 1, lowN: true },
    ]);
    const south = await raterLeniency(wh, { orgUnitId: 'S-S', minN: 3, withZ: true });
    // 60 60 70 70 (E10) and 90 (X1): mean 70, sd √150
    expect(south.overall.mean).toBeCloseTo(70, 12);
    expect(south.overall.sd).toBeCloseTo(Math.sqrt(150), 12);
    expect(south.raters.map((x) => [x.raterId, x.lowN])).toEqual([
      ['X1', true],
      ['E10', false],
    ]);
    expect(south.raters[1]!.z).toBeCloseTo(-5 / (Math.sqrt(400 / 3) / 4), 10);
    // The March peer score has no assessment to join to.
    expect((await raterLeniency(wh, { relations: ['peer'] })).overall.n).toBe(0);
  });

  it('pages the ordered list while the overall figures keep covering every rater', async () => {
    const p2 = await raterLeniency(wh, { page: 2, pageSize: 2 });
    expect(p2.total).toBe(3);
    expect(p2.raters.map((x) => x.raterId)).toEqual(['E10']);
    expect(p2.overall.n).toBe(10);
    expect(p2.overall.mean).toBeCloseTo(75, 12);
    expect((await raterLeniency(wh, { page: 1, pageSize: 2 })).raters.map((x) => x.raterId)).toEqual(['X1', 'E05']);
    const past = await raterLeniency(wh, { page: 3, pageSize: 2 });
    expect([past.raters, past.total, past.overall.n]).toEqual([[], 3, 10]);
    expect((await raterLeniency(wh, {})).raters).toHaveLength(3);
  });
});

describe('employees.list', () => {
  const all = { pageSize: 200 } as const;
  const unitName = new Map(ORG_UNITS.map((u) => [u.at(0), u.at(1)]));
  const emp = new Map(EMPLOYEES.map((e) => [e.id, e]));
  const start = new Map(PERIODS.map((p) => [p[0], p[2]]));
  const monthly = ASSESSMENTS.filter((a) => !a.periodId.includes('Q'));
  type A = (typeof monthly)[number];
  const keyOf: Record<(typeof EMPLOYEE_SORT_FIELDS)[number], (a: A) => string | number | null> = {
    employeeId: (a) => a.employeeId,
    name: (a) => emp.get(a.employeeId)!.name,
    orgUnit: (a) => unitName.get(emp.get(a.employeeId)!.unit) ?? null,
    role: (a) => emp.get(a.employeeId)!.role,
    period: (a) => start.get(a.periodId)!,
    score: (a) => a.score,
    grade: (a) => a.grade,
  };
  const cmp = (x: string | number, y: string | number) => (x < y ? -1 : x > y ? 1 : 0);
  /** Independent oracle for the server-side order: nulls last, then employee id, period id ascending. */
  function expected(field: (typeof EMPLOYEE_SORT_FIELDS)[number], order: 'asc' | 'desc') {
    return [...monthly]
      .sort((a, b) => {
        const ka = keyOf[field](a);
        const kb = keyOf[field](b);
        if (ka === null || kb === null) return ka === kb ? 0 : ka === null ? 1 : -1;
        return (order === 'asc' ? cmp(ka, kb) : cmp(kb, ka)) || cmp(a.employeeId, b.employeeId) || cmp(a.periodId, b.periodId);
      })
      .map((a) => `${a.employeeId}@${a.periodId}`);
  }
  const ids = (rows: EmployeeAssessmentRow[]) => rows.map((r) => `${r.employeeId}@${r.periodId}`);

  it('defaults to score descending with nulls last and a stable tiebreak', async () => {
    const r = await listEmployeeAssessments(wh, {});
    expect([r.total, r.page, r.pageSize]).toEqual([36, 1, 50]);
    expect(ids(r.rows).slice(0, 5)).toEqual(['E16@2024-03', 'E16@2024-01', 'E01@2024-01', 'E02@2024-01', 'E11@2024-01']);
    // Three rows score 80: E12 and E13 in January, E18 in March.
    expect(ids(r.rows.filter((x) => x.score === 80))).toEqual(['E12@2024-01', 'E13@2024-01', 'E18@2024-03']);
    expect(ids(r.rows).at(-1)).toBe('E11@2024-02');
    const first = r.rows[0]!;
    expect(first).toMatchObject({ name: '林涛', orgUnitId: 'OPS', orgUnitName: '运营部', role: 'functional', score: 100, grade: 'A', coefficient: 1.3 });
    expect(first.bonus).toBe(ASSESSMENTS.find((a) => a.employeeId === 'E16' && a.periodId === '2024-03')!.bonus);
    expect(typeof first.bonus).toBe('string');
  });

  for (const field of EMPLOYEE_SORT_FIELDS)
    for (const order of ['asc', 'desc'] as const)
      it(`sorts by ${field} ${order}`, async () => {
        const r = await listEmployeeAssessments(wh, { ...all, sort: { field, order } });
        expect(ids(r.rows)).toEqual(expected(field, order));
      });

  it('pages through the same order', async () => {
    const full = expected('name', 'asc');
    const p2 = await listEmployeeAssessments(wh, { sort: { field: 'name', order: 'asc' }, page: 2, pageSize: 7 });
    expect([p2.total, p2.page, p2.pageSize]).toEqual([36, 2, 7]);
    expect(ids(p2.rows)).toEqual(full.slice(7, 14));
    const last = await listEmployeeAssessments(wh, { sort: { field: 'name', order: 'asc' }, page: 6, pageSize: 7 });
    expect(ids(last.rows)).toEqual(full.slice(35));
  });

  it('pages by score exactly as the full sort does, ties and NULL scores at page edges included', async () => {
    for (const order of ['asc', 'desc'] as const) {
      const full = expected('score', order);
      for (const pageSize of [1, 2, 3, 5, 7, 11]) {
        const pages = Math.ceil(full.length / pageSize) + 1; // one past the end: empty
        for (let page = 1; page <= pages; page++) {
          const r = await listEmployeeAssessments(wh, { sort: { field: 'score', order }, page, pageSize });
          expect(ids(r.rows), `${order} page ${page} of ${pageSize}`).toEqual(full.slice((page - 1) * pageSize, page * pageSize));
        }
      }
    }
    // The bound also holds under other filters (it is computed over the filtered rows).
    const e = await listEmployeeAssessments(wh, { grade: 'E', sort: { field: 'score', order: 'desc' }, page: 2, pageSize: 4 });
    expect(ids(e.rows)).toEqual(expected('score', 'desc').filter((k) => monthly.find((a) => `${a.employeeId}@${a.periodId}` === k)!.grade === 'E').slice(4, 8));
  }, 30_000);

  it('pages a department month and a text search like the independent sort', async () => {
    // A department's month is gathered before it is sorted (no late materialization there).
    const sales = new Set(['SALES', 'S-N', 'S-S']);
    for (const field of ['score', 'name'] as const) {
      const month = expected(field, 'desc').filter((k) => k.endsWith('@2024-01') && sales.has(emp.get(k.split('@')[0]!)!.unit));
      for (const page of [1, 2, 3]) {
        const r = await listEmployeeAssessments(wh, { orgUnitId: 'SALES', from: '2024-01', to: '2024-01', sort: { field, order: 'desc' }, page, pageSize: 3 });
        expect(ids(r.rows), `SALES January by ${field}, page ${page}`).toEqual(month.slice((page - 1) * 3, page * 3));
        expect(r.total).toBe(month.length);
      }
    }
    // A text search needs the rows, so its bound comes from a top-N over them instead of the cube.
    for (const order of ['asc', 'desc'] as const) {
      const full = expected('score', order).filter((k) => k.toLowerCase().startsWith('e0'));
      for (const page of [1, 2, 3]) {
        const r = await listEmployeeAssessments(wh, { search: 'e0', sort: { field: 'score', order }, page, pageSize: 5 });
        expect(ids(r.rows), `search ${order} page ${page}`).toEqual(full.slice((page - 1) * 5, page * 5));
      }
    }
  });

  it('filters by grade, score range, org subtree and search', async () => {
    expect((await listEmployeeAssessments(wh, { grade: 'E' })).total).toBe(13);
    // 85 88 83 80 80 86 in January, 90 and 80 in March
    expect((await listEmployeeAssessments(wh, { scoreMin: 80, scoreMax: 90 })).total).toBe(8);
    expect((await listEmployeeAssessments(wh, { orgUnitId: 'OPS', grade: 'A' })).total).toBe(2);
    expect((await listEmployeeAssessments(wh, { search: 'e0' })).total).toBe(18); // E01–E09 × Jan, Feb
    const byName = await listEmployeeAssessments(wh, { search: '  芳 ' });
    expect(ids(byName.rows)).toEqual(['E01@2024-01', 'E01@2024-02']);
    expect((await listEmployeeAssessments(wh, { search: '%' })).total).toBe(0);
    expect((await listEmployeeAssessments(wh, { search: "E0' OR 1=1 --" })).total).toBe(0);
  });

  it('rejects a sort column outside the whitelist and oversized pages', async () => {
    await expect(
      listEmployeeAssessments(wh, { sort: { field: 'score; DROP TABLE assessments' as never, order: 'desc' } }),
    ).rejects.toBeInstanceOf(ZodError);
    await expect(listEmployeeAssessments(wh, { sort: { field: 'score', order: 'sideways' as never } })).rejects.toBeInstanceOf(ZodError);
    await expect(listEmployeeAssessments(wh, { pageSize: 201 })).rejects.toBeInstanceOf(ZodError);
    await expect(listEmployeeAssessments(wh, { search: 'x'.repeat(65) })).rejects.toBeInstanceOf(ZodError);
    expect((await wh.query<{ n: number }>('SELECT count(*)::INTEGER AS n FROM assessments'))[0]!.n).toBe(ASSESSMENTS.length);
  });
});

describe('distribution.raters without withZ', () => {
  it('leaves z out (null) and ranks by the shrunk leniency all the same', async () => {
    const plain = await raterLeniency(wh, {});
    const full = await raterLeniency(wh, { withZ: true });
    expect(plain.raters.every((r) => r.z === null)).toBe(true);
    expect(plain.raters.map((r) => r.raterId)).toEqual(full.raters.map((r) => r.raterId));
    expect(full.raters.every((r) => typeof r.z === 'number')).toBe(true);
  });
});
