import { BilingualError, compileSchemeSql, GRADES, type Grade, reusableLines, sameRaters, type Scheme, streakConditionSql } from '@perflens/core';
import type { SqlParams, Warehouse } from '../db.ts';
import { ensureBaseScores } from './simulation-base.ts';
import { ensureSimulationLayout, kpiSlots, monthOrdinals, simSource } from './simulation-layout.ts';
import { orgUnitNames } from './org-subtree.ts';

export interface SimulationQuery {
  /** Scheme the baseline is re-scored with when `baseline` is 'base'; also the role filter. */
  base: Scheme;
  scenario: Scheme;
  /** 'recorded': the score/grade/bonus on file; 'base': the base scheme re-scored by the same SQL. */
  baseline: 'recorded' | 'base';
  /** Month period ids, inclusive; omitted = whole history. */
  from?: string;
  to?: string;
  orgUnitId?: string;
  page: number;
  pageSize: number;
  /** Most affected by mean |Δ score| or by |Δ bonus|; ties by grade changes, then the other measure. */
  sortBy: 'score' | 'bonus';
}

export interface MigrationCell {
  from: Grade | null;
  to: Grade | null;
  count: number;
}

export interface UnitCost {
  orgUnitId: string;
  orgUnitName: string | null;
  rows: number;
  changed: number;
  /** Exact decimals as strings (DECIMAL(38,2)). */
  baseline: string;
  scenario: string;
  delta: string;
}

export interface AffectedEmployee {
  employeeId: string;
  name: string | null;
  orgUnitId: string;
  periods: number;
  baselineScore: number | null;
  scenarioScore: number | null;
  deltaScore: number | null;
  gradeChanges: number;
  baselineGrade: Grade | null;
  scenarioGrade: Grade | null;
  deltaBonus: string;
}

export interface StreakChange {
  code: string;
  name: { zh: string; en: string };
  baseline: number;
  scenario: number;
  gained: number;
  lost: number;
}

export interface SimulationResult {
  rows: number;
  employees: number;
  periods: { from: string | null; to: string | null; count: number };
  distribution: { baseline: Record<Grade, number>; scenario: Record<Grade, number> };
  matrix: MigrationCell[];
  changed: number;
  shareChanged: number;
  spearman: number | null;
  cost: { baseline: string; scenario: string; delta: string; byUnit: UnitCost[]; missingBaseline: number; missingScenario: number };
  streaks: StreakChange[];
  affected: { total: number; page: number; pageSize: number; items: AffectedEmployee[] };
  vetoed: number;
  warnings: Array<{ zh: string; en: string }>;
}


export class SimulationInputError extends BilingualError {}


/** One bit per month; UBIGINT covers 64 months (the usual case), HUGEINT up to 127. */
function streakMask(cond: string, wide: boolean, minOrd: number): string {
  const t = wide ? 'HUGEINT' : 'UBIGINT';
  return `bit_or(CASE WHEN ${cond} THEN CAST(1 AS ${t}) << CAST(period_ord - ${Math.trunc(minOrd)} AS INTEGER) ELSE CAST(0 AS ${t}) END)`;
}

/** True when the mask has `n` consecutive set bits: m & m>>1 & … & m>>(n−1) ≠ 0. */
function hasRun(mask: string, n: number): string {
  const terms = Array.from({ length: n }, (_, i) => (i === 0 ? mask : `(${mask} >> ${i})`));
  return `((${terms.join(' & ')}) <> 0)`;
}

/**
 * Re-scores the filtered history under the scenario (and the base scheme when the baseline is
 * 'base') in one statement: the compiled schemes run as a pipeline over sim_facts, the scored
 * rows are materialised once and every figure is an aggregate over them. Spearman's ρ uses mid
 * ranks from value counts (scores have 2 decimals, so a hash aggregate instead of a sort).
 */
export async function runSimulation(wh: Warehouse, q: SimulationQuery): Promise<SimulationResult> {
  if (q.base.role !== q.scenario.role)
    throw new SimulationInputError(
      `基准方案（${q.base.role}）与模拟方案（${q.scenario.role}）的岗位不同`,
      `base scheme role ${q.base.role} differs from the scenario role ${q.scenario.role}`,
    );
  const signature = await ensureSimulationLayout(wh);
  const slots = await kpiSlots(wh, q.scenario.role, signature);
  const ords = await monthOrdinals(wh, signature);
  const monthOrd = (id: string, field: string): number => {
    const o = ords.get(id);
    if (o === undefined) throw new SimulationInputError(`${field}：${id} 不是有 KPI 数据的月度考核期`, `${field}: ${id} is not a month period with KPI data`);
    return o;
  };
  const all = [...ords.values()];
  const fromOrd = q.from !== undefined ? monthOrd(q.from, 'from') : all.length ? Math.min(...all) : 0;
  const toOrd = q.to !== undefined ? monthOrd(q.to, 'to') : all.length ? Math.max(...all) : 0;
  if (fromOrd > toOrd) throw new SimulationInputError(`起始期 ${q.from} 晚于结束期 ${q.to}`, `from ${q.from} is after to ${q.to}`);
  const warnings: SimulationResult['warnings'] = [];
  const streaks = q.scenario.streaks;
  if (streaks.length && toOrd - fromOrd >= 127)
    throw new SimulationInputError('连续期规则最多跨 127 个月，请缩小期间范围', 'streak rules span at most 127 months; narrow the period range');
  for (const s of [q.base, q.scenario])
    for (const v of s.vetoes)
      if (v.event !== 'complaint_exposure')
        warnings.push({ zh: `否决事件 ${v.event} 没有逐人数据，按 0 次计`, en: `veto event ${v.event} has no per-employee data; counted as 0` });

  // Validate the scenario before paying for a base cache.
  compileSchemeSql(q.scenario, simSource('sim_facts', slots, []));
  const baseTable = await ensureBaseScores(wh, q.base, slots, signature);

  const params: SqlParams = {};
  const where = [`period_ord BETWEEN ${Math.trunc(fromOrd)} AND ${Math.trunc(toOrd)}`];
  let withSql = 'WITH ';
  if (q.orgUnitId !== undefined) {
    withSql = `WITH RECURSIVE subtree(id) AS (
      SELECT id FROM org_units WHERE id = $orgUnitId
      UNION
      SELECT o.id FROM org_units o JOIN subtree s ON o.parent_id = s.id
    ), `;
    where.push('org_unit_id IN (SELECT id FROM subtree)');
    params.orgUnitId = q.orgUnitId;
  }
  const baselineCols =
    q.baseline === 'base'
      ? 'base_score AS b_score, base_grade AS b_grade, base_bonus AS b_bonus, base_missing AS b_missing'
      : 'rec_score AS b_score, rec_grade AS b_grade, CAST(rec_bonus AS DOUBLE) AS b_bonus, (rec_bonus IS NULL) AS b_missing';
  const reuse = reusableLines(q.base, q.scenario);
  const reuseComposite = sameRaters(q.base, q.scenario) && !!q.base.raters;
  // Only the columns this scenario reads travel up the pipeline: every nested stage of the
  // compiled SQL re-projects them, and planning time grows with their number.
  const keys = ['period_ord', 'emp_idx', 'employee_id', 'org_unit_id', 'b_score', 'b_grade', 'b_bonus', 'b_missing'];
  const needed = new Set<string>(['salary', 'order_total', 'supervisor_ratio']);
  q.scenario.kpis.forEach((k, i) => {
    const slot = slots.get(k.code);
    if (slot !== undefined) needed.add(`a${slot}`).add(`t${slot}`);
    if (reuse[i] !== null) needed.add(`bw${reuse[i]}`);
  });
  if (reuseComposite) needed.add('b_composite');
  else for (const rel of Object.keys(q.scenario.raters?.weights ?? {})) needed.add(`r_${rel}`);
  for (const v of q.scenario.vetoes) if (v.event === 'complaint_exposure') needed.add(`complaints_${v.window === 'month' ? 'm' : v.window === 'quarter' ? 'q' : 'y'}`);
  const filtered = `(SELECT ${[...keys.slice(0, 4), ...needed].join(', ')}, ${baselineCols} FROM ${baseTable} WHERE ${where.join(' AND ')}) f`;
  const source = simSource(filtered, slots, keys);
  // Relations the scenario weights but the cache does not carry are never read (composite reused).
  const scenario = compileSchemeSql(q.scenario, { ...source, rater: (rel) => (needed.has(`r_${rel}`) ? `r_${rel}` : null) }, {
    reuse: { lines: reuse.map((j) => (j === null ? null : `bw${j}`)), composite: reuseComposite ? 'b_composite' : null },
  });
  const wide = toOrd - fromOrd >= 64;

  // A run of N periods cannot fit in a range shorter than N: such a rule's counts are 0 without
  // a bit mask per employee (on a one-month run that is every rule, and a third of the time).
  const live = streaks.map((s) => s.periods <= toOrd - fromOrd + 1);
  const streakCols = streaks.flatMap((s, i) =>
    live[i]
      ? [`${streakMask(streakConditionSql(s, 'b_score', 'b_grade'), wide, fromOrd)} AS _bm${i}`, `${streakMask(streakConditionSql(s, 's_score', 's_grade'), wide, fromOrd)} AS _sm${i}`]
      : [],
  );
  const streakFlags = streaks.flatMap((s, i) => (live[i] ? [`${hasRun(`_bm${i}`, s.periods)} AS _bf${i}`, `${hasRun(`_sm${i}`, s.periods)} AS _sf${i}`] : []));
  const streakAgg = live.some(Boolean)
    ? streaks
        .map((_, i) =>
          live[i]
            ? `{'baseline': count(*) FILTER (WHERE _bf${i}), 'scenario': count(*) FILTER (WHERE _sf${i}), 'gained': count(*) FILTER (WHERE _sf${i} AND NOT _bf${i}), 'lost': count(*) FILTER (WHERE _bf${i} AND NOT _sf${i})}`
            : `{'baseline': 0, 'scenario': 0, 'gained': 0, 'lost': 0}`,
        )
        .join(', ')
    : '';
  // Ties on the chosen measure go to grade changes, then to the other measure: when only the
  // bands move, every Δ score is 0 and the people whose grade changed must still come first.
  const sortKey =
    q.sortBy === 'bonus'
      ? 'abs(d_bonus) DESC NULLS LAST, changes DESC, abs(d_score) DESC NULLS LAST'
      : 'abs(d_score) DESC NULLS LAST, changes DESC, abs(d_bonus) DESC NULLS LAST';
  const offset = Math.max(0, Math.trunc((q.page - 1) * q.pageSize));
  const limit = Math.max(1, Math.trunc(q.pageSize));

  // One month holds one row per employee (the layout guarantees it), so the per-employee
  // figures are the rows themselves: no grouping, and the page needs no join back to its month.
  // Rules with a live streak need the general path's masks.
  const onePeriod = fromOrd === toOrd && !live.some(Boolean);
  const ONE_PERIOD_EMP = `
  emp AS (
    SELECT emp_idx, 1 AS n, b_score, s_score, s_score - b_score AS d_score, CAST(b_grade IS DISTINCT FROM s_grade AS INTEGER) AS changes,
           coalesce(s_bonus, 0) - coalesce(b_bonus, 0) AS d_bonus, employee_id, org_unit_id, b_grade AS b_last, s_grade AS s_last
      FROM scored
  ),
  top AS (SELECT * FROM emp ORDER BY ${sortKey}, emp_idx LIMIT ${limit} OFFSET ${offset}),
  page AS (SELECT t.*, x.name FROM top t LEFT JOIN employees x ON x.id = t.employee_id)`;

  const sql = `${withSql}
  scored AS MATERIALIZED (
    SELECT period_ord, emp_idx, employee_id, org_unit_id,
           b_score, b_grade, CAST(b_bonus AS DECIMAL(18,2)) AS b_bonus, b_missing,
           score AS s_score, grade AS s_grade, CAST(bonus AS DECIMAL(18,2)) AS s_bonus, bonus_missing AS s_missing, vetoed
      FROM (${scenario.sql}) sq
  ),
  -- One pass for grades × unit: the matrix, the unit costs and the totals are roll-ups of these
  -- few cells, done in TS (rollUpCells) rather than as more aggregates, each with its own
  -- pipeline overhead, over a handful of rows.
  cells AS (
    SELECT org_unit_id, b_grade, s_grade, count(*) AS n,
           coalesce(sum(b_bonus), 0) AS b, coalesce(sum(s_bonus), 0) AS s,
           count(*) FILTER (WHERE vetoed) AS vetoed, count(*) FILTER (WHERE b_missing) AS missing_b,
           count(*) FILTER (WHERE s_missing) AS missing_s, min(period_ord) AS lo, max(period_ord) AS hi
      FROM scored GROUP BY ALL
  ),
  bv AS (SELECT b_score AS v, count(*) AS c FROM scored WHERE b_score IS NOT NULL AND s_score IS NOT NULL GROUP BY 1),
  sv AS (SELECT s_score AS v, count(*) AS c FROM scored WHERE b_score IS NOT NULL AND s_score IS NOT NULL GROUP BY 1),
  br AS (SELECT v, sum(c) OVER (ORDER BY v ROWS UNBOUNDED PRECEDING) - (c - 1) / 2.0 AS r FROM bv),
  sr AS (SELECT v, sum(c) OVER (ORDER BY v ROWS UNBOUNDED PRECEDING) - (c - 1) / 2.0 AS r FROM sv),
  rho AS (SELECT corr(br.r, sr.r) AS rho FROM scored JOIN br ON br.v = scored.b_score JOIN sr ON sr.v = scored.s_score),
${onePeriod ? ONE_PERIOD_EMP : `
  emp AS MATERIALIZED (
    SELECT *${streakFlags.length ? `, ${streakFlags.join(', ')}` : ''} FROM (
      SELECT emp_idx, count(*) AS n,
             avg(b_score) AS b_score, avg(s_score) AS s_score, avg(s_score - b_score) AS d_score,
             count(*) FILTER (WHERE b_grade IS DISTINCT FROM s_grade) AS changes,
             max(period_ord) AS last_ord,
             coalesce(sum(s_bonus), 0) - coalesce(sum(b_bonus), 0) AS d_bonus
             ${streakCols.length ? `, ${streakCols.join(', ')}` : ''}
        FROM scored GROUP BY emp_idx)
  ),
  top AS (SELECT * FROM emp ORDER BY ${sortKey}, emp_idx LIMIT ${limit} OFFSET ${offset}),
  -- Names, unit and last grades only for the page: a join back on a handful of keys.
  page AS (
    SELECT t.*, s.employee_id, s.org_unit_id, s.b_grade AS b_last, s.s_grade AS s_last, x.name
      FROM top t
      JOIN scored s ON s.emp_idx = t.emp_idx AND s.period_ord = t.last_ord
      LEFT JOIN employees x ON x.id = s.employee_id
  )`}
  -- Each figure is its own branch of a UNION ALL rather than a scalar subquery of one SELECT:
  -- DuckDB flattens scalar subqueries into one join tree, and ordering the joins of nine
  -- single-row relations cost more planning than a month's whole execution.
  SELECT 'cells' AS k, to_json(list({'u': org_unit_id, 'bg': b_grade, 'sg': s_grade, 'n': n, 'b': CAST(b AS VARCHAR), 's': CAST(s AS VARCHAR),
                                      'vetoed': vetoed, 'mb': missing_b, 'ms': missing_s, 'lo': lo, 'hi': hi})) AS v FROM cells
  ${onePeriod ? '' : `UNION ALL SELECT 'n_periods', to_json(count(DISTINCT period_ord)) FROM scored`}
  ${onePeriod ? '' : `UNION ALL SELECT 'employees', to_json(count(*)) FROM emp`}
  UNION ALL SELECT 'rho', to_json(CASE WHEN NOT isnan(rho) THEN rho END) FROM rho
  ${streakAgg ? `UNION ALL SELECT 'streaks', to_json([${streakAgg}]) FROM emp` : ''}
  UNION ALL SELECT 'page', to_json(list({'id': employee_id, 'name': name, 'unit': org_unit_id, 'n': n, 'b': b_score, 's': s_score, 'd': d_score,
                                         'changes': changes, 'bl': b_last, 'sl': s_last, 'db': CAST(d_bonus AS VARCHAR)} ORDER BY ${sortKey}, emp_idx))
              FROM page
  `;
  const parts = await wh.query<{ k: string; v: string | null }>(sql, params);
  const row: Record<string, unknown> = Object.fromEntries(parts.map((p) => [p.k, p.v === null ? null : JSON.parse(p.v)]));
  const rolled = rollUpCells((row.cells as Cell[] | null) ?? [], await orgUnitNames(wh), ords);
  if (onePeriod) Object.assign(row, { n_periods: rolled.rows ? 1 : 0, employees: rolled.rows });
  return shape(row, rolled, q, streaks, warnings);
}

type Num = number | string | null;
const num = (v: unknown): number => Number(v ?? 0);

interface Cell {
  u: string;
  bg: Grade | null;
  sg: Grade | null;
  n: number;
  /** Bonus sums as exact decimal strings (DECIMAL(38,2)). */
  b: string;
  s: string;
  vetoed: number;
  mb: number;
  ms: number;
  lo: number;
  hi: number;
}

/** Exact money: decimal strings with two places as integer cents. */
const cents = (s: string): bigint => {
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(s);
  if (!m) throw new Error(`not a money amount: ${s}`);
  const v = BigInt(m[2]!) * 100n + BigInt((m[3] ?? '0').padEnd(2, '0'));
  return m[1] ? -v : v;
};
const money = (c: bigint): string => {
  const a = c < 0n ? -c : c;
  return `${c < 0n ? '-' : ''}${a / 100n}.${(a % 100n).toString().padStart(2, '0')}`;
};

/** The matrix, unit costs, totals and row counts from the grade × unit cells. */
function rollUpCells(cells: readonly Cell[], names: ReadonlyMap<string, string>, ords: ReadonlyMap<string, number>) {
  const matrix = new Map<string, MigrationCell>();
  const units = new Map<string, { rows: number; changed: number; b: bigint; s: bigint }>();
  let rows = 0;
  let vetoed = 0;
  let missingB = 0;
  let missingS = 0;
  let lo: number | null = null;
  let hi: number | null = null;
  let totalB = 0n;
  let totalS = 0n;
  for (const c of cells) {
    const key = `${c.bg}|${c.sg}`;
    const m = matrix.get(key);
    if (m) m.count += c.n;
    else matrix.set(key, { from: c.bg, to: c.sg, count: c.n });
    const b = cents(c.b);
    const s = cents(c.s);
    const u = units.get(c.u) ?? { rows: 0, changed: 0, b: 0n, s: 0n };
    u.rows += c.n;
    if (c.bg !== c.sg) u.changed += c.n;
    u.b += b;
    u.s += s;
    units.set(c.u, u);
    rows += c.n;
    vetoed += c.vetoed;
    missingB += c.mb;
    missingS += c.ms;
    totalB += b;
    totalS += s;
    lo = lo === null ? c.lo : Math.min(lo, c.lo);
    hi = hi === null ? c.hi : Math.max(hi, c.hi);
  }
  const idOf = new Map([...ords].map(([id, o]) => [o, id]));
  const byUnit: UnitCost[] = [...units]
    // Biggest savings first, as a cost table reads; ties by unit id.
    .sort(([ia, a], [ib, b]) => (a.s - a.b < b.s - b.b ? -1 : a.s - a.b > b.s - b.b ? 1 : ia < ib ? -1 : ia > ib ? 1 : 0))
    .map(([id, u]) => ({ orgUnitId: id, orgUnitName: names.get(id) ?? null, rows: u.rows, changed: u.changed, baseline: money(u.b), scenario: money(u.s), delta: money(u.s - u.b) }));
  return {
    rows,
    vetoed,
    missingB,
    missingS,
    from: lo === null ? null : idOf.get(lo) ?? null,
    to: hi === null ? null : idOf.get(hi) ?? null,
    matrix: [...matrix.values()],
    byUnit,
    total: { b: money(totalB), s: money(totalS), d: money(totalS - totalB) },
  };
}

function shape(row: Record<string, unknown>, rolled: ReturnType<typeof rollUpCells>, q: SimulationQuery, streaks: Scheme['streaks'], warnings: SimulationResult['warnings']): SimulationResult {
  const matrix = rolled.matrix;
  const empty = (): Record<Grade, number> => Object.fromEntries(GRADES.map((g) => [g, 0])) as Record<Grade, number>;
  const baseline = empty();
  const scenario = empty();
  let changed = 0;
  let total = 0;
  for (const c of matrix) {
    if (c.from) baseline[c.from] += c.count;
    if (c.to) scenario[c.to] += c.count;
    if (c.from !== c.to) changed += c.count;
    total += c.count;
  }
  matrix.sort((a, b) => GRADES.indexOf(a.from ?? ('Z' as Grade)) - GRADES.indexOf(b.from ?? ('Z' as Grade)) || GRADES.indexOf(a.to ?? ('Z' as Grade)) - GRADES.indexOf(b.to ?? ('Z' as Grade)));
  const streakRows = (row.streaks as Array<Record<string, Num>> | undefined) ?? [];
  return {
    rows: rolled.rows,
    employees: num(row.employees),
    periods: { from: rolled.from, to: rolled.to, count: num(row.n_periods) },
    distribution: { baseline, scenario },
    matrix,
    changed,
    shareChanged: total ? changed / total : 0,
    spearman: row.rho === null || row.rho === undefined || Number.isNaN(Number(row.rho)) ? null : Number(row.rho),
    cost: { baseline: rolled.total.b, scenario: rolled.total.s, delta: rolled.total.d, byUnit: rolled.byUnit, missingBaseline: rolled.missingB, missingScenario: rolled.missingS },
    streaks: streaks.map((s, i) => ({ code: s.code, name: s.name, baseline: num(streakRows[i]?.baseline), scenario: num(streakRows[i]?.scenario), gained: num(streakRows[i]?.gained), lost: num(streakRows[i]?.lost) })),
    affected: {
      total: num(row.employees),
      page: q.page,
      pageSize: q.pageSize,
      items: ((row.page as Array<Record<string, Num>> | null) ?? []).map((e) => ({
        employeeId: String(e.id),
        name: (e.name as string | null) ?? null,
        orgUnitId: String(e.unit),
        periods: num(e.n),
        baselineScore: e.b === null ? null : Number(e.b),
        scenarioScore: e.s === null ? null : Number(e.s),
        deltaScore: e.d === null ? null : Number(e.d),
        gradeChanges: num(e.changes),
        baselineGrade: (e.bl as Grade | null) ?? null,
        scenarioGrade: (e.sl as Grade | null) ?? null,
        deltaBonus: String(e.db),
      })),
    },
    vetoed: rolled.vetoed,
    warnings,
  };
}
