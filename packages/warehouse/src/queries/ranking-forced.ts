import { z } from 'zod';
import {
  CYCLES,
  GRADES,
  GRADE_LABELS,
  RATER_RELATIONS,
  ROLE_LABELS,
  calibrationGroupingSchema,
  departmentLinkedQuotas,
  gradeForScore,
  groupQuota,
  guidelineSchema,
  periodIdSchema,
  roleCodeSchema,
  poolSmallUnits,
  tieRuleSchema,
  type Cycle,
  type Grade,
} from '@perflens/core';
import type { SqlParams, Warehouse } from '../db.ts';
import { ensureRankingCells } from './ranking-cells.ts';
import { filterSql, withClause } from './filter-sql.ts';
import { CalibrationError } from './calibration-session-common.ts';
import { knownRoles } from './role-codes.ts';
import { resolveCycle } from './resolve-cycle.ts';

const gradeEnum = z.enum(GRADES);

/** Normalisations the SQL ranking supports (percentile needs a per-row company quantile lookup; see calibration.raters for it). */
export const RANKING_NORMALISATIONS = ['centre', 'zscore', 'shrinkage'] as const;

// Strict throughout (as every API input): a misspelt option must be a 400 naming it, not a
// ranking run silently on the defaults.
export const rankingForcedInputSchema = z.strictObject({
  /** First (or only) period; `to` makes it a range — each period is ranked on its own. */
  from: periodIdSchema,
  to: periodIdSchema.optional(),
  /** Absent = the finest cycle with assessments in the other filters (resolveCycle); echoed as `cycle`. */
  cycle: z.enum(CYCLES).optional(),
  /** Restricts the population to this org unit's subtree. */
  orgUnitId: z.string().min(1).max(64).optional(),
  role: roleCodeSchema.optional(),
  grouping: calibrationGroupingSchema.default('orgUnit'),
  guideline: guidelineSchema.default({ mode: 'shares', shares: { A: 10, B: 20, C: 50, D: 15, E: 5 } }),
  /** `recorded`: the assessment score. `normalised`: minus the direct rater's estimated leniency. */
  scoreSource: z.enum(['recorded', 'normalised']).default('recorded'),
  normalisation: z.enum(RANKING_NORMALISATIONS).default('centre'),
  raterRelation: z.enum(RATER_RELATIONS).default('supervisor'),
  tieRule: tieRuleSchema.default('better'),
  /** KPI code whose score breaks ties first under the `secondary` rule (tenure comes next). */
  secondaryKpi: z.string().min(1).max(64).optional(),
  minGroupSize: z.number().int().min(1).max(100_000).default(10),
  /** Department-linked quotas (seed 004); only with grouping orgUnit and a shares guideline. */
  departmentLinked: z
    .strictObject({
      /** Department grades set by HR; units not listed are graded from their mean score by the default bands. */
      grades: z.record(z.string().min(1).max(64), gradeEnum).default({}),
      multipliers: z.partialRecord(gradeEnum, z.number().min(0).max(10)).default({}),
    })
    .optional(),
  /** Which people to return (all proposals are computed; a session stores them all). */
  people: z
    .strictObject({
      groupKey: z.string().max(200).optional(),
      onlyChanged: z.boolean().default(false),
      onlyFlagged: z.boolean().default(false),
      limit: z.number().int().min(0).max(5000).default(200),
      offset: z.number().int().min(0).default(0),
    })
    .prefault({}),
});
export type RankingForcedInput = z.input<typeof rankingForcedInputSchema>;
/** The parsed input with its cycle resolved: what a plan ranks and a session stores. */
export type RankingForcedParsed = z.output<typeof rankingForcedInputSchema> & { cycle: Cycle };

export interface Message {
  code: string;
  zh: string;
  en: string;
}

export interface RankingGroup {
  periodId: string;
  key: string;
  label: string;
  /** Org units whose people rank in this group (more than one when small units were pooled). */
  orgUnitIds: string[];
  n: number;
  quota: Record<Grade, number>;
  proposed: Record<Grade, number>;
  recorded: Record<Grade, number>;
  /** proposed − quota; non-zero only under the `better` tie rule. */
  over: Record<Grade, number>;
  changed: number;
  flagged: number;
  departmentGrade: Grade | null;
  departmentGradeSource: 'hr' | 'score' | null;
}

export interface RankedPerson {
  employeeId: string;
  employeeName: string | null;
  periodId: string;
  groupKey: string;
  orgUnitId: string;
  role: string;
  score: number;
  rankingScore: number;
  /** 1-based position in the group's ranking (ties broken by the rule's keys, then id). */
  position: number;
  recordedGrade: string | null;
  proposedGrade: Grade;
  changed: boolean;
  flagged: boolean;
}

export interface ForcedRanking {
  /** The cycle ranked: the caller's, or the finest one with data in the filter. */
  cycle: Cycle;
  groups: RankingGroup[];
  totals: { n: number; changed: number; flagged: number; unscored: number };
  people: { total: number; rows: RankedPerson[] };
  warnings: Message[];
}

interface Summary {
  p: string;
  g: string;
  grade: Grade;
  n: number;
  changed: number;
  flagged: number;
  both: number;
}

const byGrade = (xs: readonly number[]) => Object.fromEntries(GRADES.map((g, i) => [g, xs[i] ?? 0])) as Record<Grade, number>;

interface Plan {
  f: RankingForcedParsed;
  groups: RankingGroup[];
  unscored: number;
  warnings: Message[];
  /** The ranked-population SELECT (columns as calibration_items) and its parameters. */
  sql: string;
  params: SqlParams;
  /** One row: `summary` (counts per period, group and proposed grade) and `rows` (the requested page). */
  pageSql: string;
  pageParams: SqlParams;
}

/**
 * Plans a forced ranking: one small aggregate query (headcount and recorded grade mix per period,
 * unit and role), then groups, pooling and quotas in TS with the core engine, then the SQL that
 * ranks every person inside its (period, group) with window functions — the core `rankGroup` is
 * its reference and the tests hold the two equal.
 */
export async function planForcedRanking(wh: Warehouse, input: RankingForcedInput): Promise<Plan> {
  const parsed = rankingForcedInputSchema.parse(input);
  const population = { from: parsed.from, to: parsed.to ?? parsed.from, orgUnitId: parsed.orgUnitId, role: parsed.role };
  // Resolved here so a saved session stores the cycle it ranked, not "whatever the data had".
  const f: RankingForcedParsed = { ...parsed, cycle: parsed.cycle ?? (await resolveCycle(wh, population)) };
  const warnings: Message[] = [];
  if (f.departmentLinked && (f.grouping !== 'orgUnit' || f.guideline.mode !== 'shares'))
    throw new CalibrationError(
      'invalid',
      'Department-linked quotas need grouping by org unit and a guideline of shares. / 部门关联配额需要按组织单元分组，并使用比例形式的强制分布。',
    );
  await ensureRankingCells(wh);
  const fs = filterSql({ ...population, cycle: f.cycle });
  // The same filters over the pre-aggregated cells (migration 011), which carry the fact table's
  // period, unit and role columns; a headcount column `n` replaces the people.
  const cellsFrom = fs.from.replace('FROM assessment_facts WHERE', 'FROM ranking_cells WHERE');
  if (cellsFrom === fs.from) throw new Error('filterSql no longer reads assessment_facts: update ranking-forced.ts');
  // The two setup reads are independent: run them on two pooled connections at once. The
  // statement starts with SELECT (the subtree CTE goes inside) so the warehouse counts it as a read.
  const [cells, units, roles] = await Promise.all([
    wh.query<{ p: string; u: string; r: string; n: number; unscored: number; sum: number | null } & Record<`g${Grade}`, number>>(
      `SELECT * FROM (${fs.with}
      SELECT period_id AS p, org_unit_id AS u, role AS r, coalesce(sum(n) FILTER (WHERE score IS NOT NULL), 0)::INTEGER AS n,
             coalesce(sum(n) FILTER (WHERE score IS NULL), 0)::INTEGER AS unscored, sum(score * n) AS sum,
             ${GRADES.map((g) => `coalesce(sum(n) FILTER (WHERE score IS NOT NULL AND grade = '${g}'), 0)::INTEGER AS g${g}`).join(', ')}
        FROM ${cellsFrom} GROUP BY ALL) ORDER BY p, u, r`,
      fs.params,
    ),
    wh.query<{ id: string; parentId: string | null; name: string }>('SELECT id, parent_id AS "parentId", name FROM org_units'),
    knownRoles(wh),
  ]);
  const unitName = new Map(units.map((u) => [u.id, u.name]));
  const unscored = cells.reduce((a, c) => a + c.unscored, 0);
  if (unscored > 0)
    warnings.push({
      code: 'unscored',
      zh: `${unscored} 条考核记录没有分数，未参与排序。`,
      en: `${unscored} assessment ${unscored === 1 ? 'row has' : 'rows have'} no score and ${unscored === 1 ? 'was' : 'were'} left out of the ranking.`,
    });

  // (period, unit, role) → group key, per period (pooling depends on that period's headcounts).
  const mapping: Array<{ p: string; u: string; r: string; g: string }> = [];
  const groups: RankingGroup[] = [];
  const periods = [...new Set(cells.map((c) => c.p))];
  for (const p of periods) {
    const inP = cells.filter((c) => c.p === p && c.n > 0);
    const members = new Map<string, { label: string; units: Set<string>; n: number; obs: number[]; sum: number }>();
    const add = (key: string, label: string, c: (typeof inP)[number]) => {
      let m = members.get(key);
      if (!m) members.set(key, (m = { label, units: new Set(), n: 0, obs: GRADES.map(() => 0), sum: 0 }));
      m.units.add(c.u);
      m.n += c.n;
      m.sum += c.sum ?? 0;
      GRADES.forEach((g, i) => (m!.obs[i]! += c[`g${g}`]));
      mapping.push({ p, u: c.u, r: c.r, g: key });
    };
    // Built-in roles by their label; a company's own role by its name in the roles table, else its code.
    const roleLabel = (r: string) => ROLE_LABELS[r as keyof typeof ROLE_LABELS]?.zh ?? roles.get(r)?.name.zh ?? r;
    if (f.grouping === 'company') for (const c of inP) add('company', '全公司 / Company', c);
    else if (f.grouping === 'role') {
      const size = new Map<string, number>();
      for (const c of inP) size.set(c.r, (size.get(c.r) ?? 0) + c.n);
      // Roles have no parent: the small ones rank together rather than alone.
      for (const c of inP)
        if ((size.get(c.r) ?? 0) >= f.minGroupSize) add(c.r, roleLabel(c.r), c);
        else add('small-roles', '人数不足的岗位合并 / Small roles pooled', c);
    } else {
      const roles = f.grouping === 'orgUnit' ? [null] : [...new Set(inP.map((c) => c.r))];
      for (const role of roles) {
        const counts = new Map<string, number>();
        for (const c of inP) if (role === null || c.r === role) counts.set(c.u, (counts.get(c.u) ?? 0) + c.n);
        const pool = poolSmallUnits(units, counts, f.minGroupSize);
        for (const c of inP) {
          if (role !== null && c.r !== role) continue;
          const unit = pool.groupOf.get(c.u)!;
          const key = role === null ? unit : `${unit}|${role}`;
          const label = (unitName.get(unit) ?? unit) + (role === null ? '' : ` · ${roleLabel(role)}`);
          add(key, label, c);
        }
      }
    }
    let linked: Map<string, number[]> | null = null;
    const deptGrade = new Map<string, { grade: Grade; source: 'hr' | 'score' }>();
    if (f.departmentLinked) {
      for (const [key, m] of members) {
        const hr = f.departmentLinked.grades[key];
        deptGrade.set(key, hr ? { grade: hr, source: 'hr' } : { grade: gradeForScore(m.sum / m.n), source: 'score' });
      }
      const mult = { A: 1.5, B: 1.0, C: 0.5, D: 0.5, E: 0.5, ...f.departmentLinked.multipliers };
      linked = departmentLinkedQuotas(
        [...members].map(([key, m]) => ({ key, n: m.n, grade: deptGrade.get(key)!.grade })),
        f.guideline as Extract<typeof f.guideline, { mode: 'shares' }>,
        mult,
      ).perDepartment;
    }
    for (const [key, m] of members) {
      const quota = linked ? linked.get(key)! : groupQuota(m.n, f.guideline, m.obs, `${p} ${m.label}`);
      if (m.n < f.minGroupSize)
        warnings.push({
          code: 'small-group',
          zh: `${p} 校准组「${m.label}」只有 ${m.n} 人（少于最小组规模 ${f.minGroupSize}），已无上级可合并，配额仅供参考。`,
          en: `${p} group "${m.label}" has only ${m.n} people (below the minimum of ${f.minGroupSize}) and no parent left to pool into; its quotas are indicative only.`,
        });
      const zero = byGrade([]);
      groups.push({
        periodId: p,
        key,
        label: m.label,
        orgUnitIds: [...m.units].sort(),
        n: m.n,
        quota: byGrade(quota),
        proposed: { ...zero },
        recorded: byGrade(m.obs),
        over: { ...zero },
        changed: 0,
        flagged: 0,
        departmentGrade: deptGrade.get(key)?.grade ?? null,
        departmentGradeSource: deptGrade.get(key)?.source ?? null,
      });
    }
  }
  const quotas = groups.map((g, gi) => {
    let acc = 0;
    const cum = GRADES.map((x) => (acc += g.quota[x]));
    return { p: g.periodId, g: g.key, gi, c1: cum[0]!, c2: cum[1]!, c3: cum[2]!, c4: cum[3]! };
  });

  const params: SqlParams = { ...fs.params, mapping: JSON.stringify(mapping), quotas: JSON.stringify(quotas) };
  // Ranking keys that vary per person exist only for rater-normalised scores and the secondary
  // rule. Otherwise the key is the recorded score and only the requested page needs people: the
  // blocks and the summary are built from counts per (period, unit, role, score, grade).
  const perRow = f.scoreSource === 'normalised' || f.tieRule === 'secondary';
  // A NULL role (not one of ours) still belongs to its cell: the group headcounts include it.
  const mapOn = 'm.p = a.period_id AND m.u = a.org_unit_id AND m.r IS NOT DISTINCT FROM a.role';
  const ctes: string[] = [
    `mapping AS (SELECT unnest(from_json($mapping::JSON, '[{"p":"VARCHAR","u":"VARCHAR","r":"VARCHAR","g":"VARCHAR"}]'), recursive := true))`,
    `quotas AS (SELECT unnest(from_json($quotas::JSON, '[{"p":"VARCHAR","g":"VARCHAR","gi":"INTEGER","c1":"INTEGER","c2":"INTEGER","c3":"INTEGER","c4":"INTEGER"}]'), recursive := true))`,
    `pop AS (SELECT a.employee_id, a.employee_name, a.period_id, a.org_unit_id, a.role, a.score, a.grade, a.period_start, m.g
               FROM ${fs.from} JOIN mapping m ON ${mapOn}
              WHERE a.score IS NOT NULL)`,
  ];
  // Ranking score. Normalised: the assessment score minus the leniency of the person's rater of the
  // chosen relation in that period, estimated over that period's population (normaliseByRater in
  // core gives the same numbers; see the tests).
  let scoreExpr = 'pop.score';
  let popFrom = 'pop';
  let joins = '';
  if (f.scoreSource === 'normalised') {
    params.relation = f.raterRelation;
    // Constant bounds on the period id let DuckDB skip the row groups of other periods (imports
    // arrive period by period); the population's own ids bound them exactly.
    params.pmin = periods[0] ?? '';
    params.pmax = periods[periods.length - 1] ?? '';
    ctes.push(
      // One rating per person and period: the lowest rater id if several raters share the relation.
      `rs0 AS (SELECT r.employee_id, r.period_id, arg_min(r.rater_id, r.rater_id) AS rater_id, arg_min(r.score, r.rater_id) AS x
                 FROM rater_scores r WHERE r.relation = $relation AND r.period_id BETWEEN $pmin AND $pmax GROUP BY ALL)`,
      // Each person with their rating: the one join of person-sized inputs; the statistics below
      // are per rater or per period and join back through small tables.
      `prs AS MATERIALIZED (SELECT pop.*, rs0.rater_id, rs0.x FROM pop LEFT JOIN rs0 ON rs0.employee_id = pop.employee_id AND rs0.period_id = pop.period_id)`,
      `rs AS (SELECT period_id, rater_id, x FROM prs WHERE rater_id IS NOT NULL)`,
      `rstat AS (SELECT period_id, rater_id, count(*) AS n, avg(x) AS m, stddev_samp(x) AS s
                   FROM rs GROUP BY ALL)`,
      `cstat AS (SELECT rs.period_id, avg(x) AS cm, stddev_samp(x) AS cs, count(*) AS cn,
                        count(DISTINCT rater_id) AS cr FROM rs GROUP BY ALL)`,
      // Method-of-moments variance components per period (see normaliseByRater).
      `comp AS (SELECT c.period_id, c.cm, c.cs,
                       CASE WHEN c.cn > c.cr THEN sum(coalesce(t.s * t.s * (t.n - 1), 0)) / (c.cn - c.cr) ELSE 0 END AS w,
                       sum(t.n * (t.m - c.cm) * (t.m - c.cm)) AS b, sum(t.n * t.n) AS n2, c.cn, c.cr
                  FROM cstat c JOIN rstat t ON t.period_id = c.period_id GROUP BY c.period_id, c.cm, c.cs, c.cn, c.cr)`,
      `kstat AS (SELECT *, CASE WHEN cn - n2 / cn > 0 THEN greatest(0, (b - (cr - 1) * w) / (cn - n2 / cn)) ELSE 0 END AS tau2 FROM comp)`,
    );
    // People without such a rater have NULL statistics, hence d NULL, and keep their score.
    const d =
      f.normalisation === 'centre'
        ? 't.m - k.cm'
        : f.normalisation === 'zscore'
          ? // Falls back to centring for a rater with one score or no spread, as the core does.
            'CASE WHEN t.s > 0 THEN pop.x - (k.cm + k.cs * (pop.x - t.m) / t.s) ELSE t.m - k.cm END'
          : 'CASE WHEN k.tau2 > 0 THEN k.tau2 / (k.tau2 + k.w / t.n) * (t.m - k.cm) ELSE 0 END';
    popFrom = 'prs pop';
    joins += ' LEFT JOIN rstat t ON t.period_id = pop.period_id AND t.rater_id = pop.rater_id LEFT JOIN kstat k ON k.period_id = pop.period_id';
    scoreExpr = `pop.score - coalesce(${d}, 0)`;
  }
  const keys = ['rs DESC'];
  if (f.tieRule === 'secondary') {
    if (f.secondaryKpi !== undefined) {
      params.kpi = f.secondaryKpi;
      // Joined on the stored integer keys: through the kpi_results view the planner cannot narrow
      // the 30M-line scan to the population's months (250 ms instead of 35 at 200,000 employees).
      ctes.push(
        `kpi AS (SELECT x.employee_id, x.period_id, max(k.score) AS ks FROM kpi_lines k
                   JOIN (SELECT ek.key AS ek, pk.key AS pk, p.employee_id, p.period_id
                           FROM (SELECT DISTINCT employee_id, period_id FROM pop) p
                           JOIN employee_keys ek ON ek.id = p.employee_id JOIN period_keys pk ON pk.id = p.period_id) x
                     ON x.ek = k.employee_key AND x.pk = k.period_key
                  WHERE k.kpi_key = (SELECT key FROM kpi_codes WHERE code = $kpi) GROUP BY ALL)`,
      );
      joins += ' LEFT JOIN kpi ON kpi.employee_id = pop.employee_id AND kpi.period_id = pop.period_id';
      keys.push('ks DESC NULLS LAST');
    }
    joins += ' LEFT JOIN employees emp ON emp.id = pop.employee_id';
    keys.push('tenure DESC NULLS LAST');
  }
  const ks = f.tieRule === 'secondary' && f.secondaryKpi !== undefined ? 'kpi.ks' : 'NULL::DOUBLE';
  const tenure = f.tieRule === 'secondary' ? 'date_diff(\'day\', emp.hire_date, pop.period_start)' : 'NULL::BIGINT';
  const gradeAt = (pos: string, q = 'b') =>
    `CASE WHEN ${pos} < ${q}.c1 THEN 'A' WHEN ${pos} < ${q}.c2 THEN 'B' WHEN ${pos} < ${q}.c3 THEN 'C' WHEN ${pos} < ${q}.c4 THEN 'D' ELSE 'E' END`;
  const splits = f.tieRule !== 'better';
  const cols = 's.employee_id, s.employee_name, s.period_id, s.g AS group_key, s.org_unit_id, s.role, s.score, s.rs AS ranking_score, s.grade AS recorded_grade';
  const people = f.people;
  const pageParams: SqlParams = { ...params, limit: people.limit, offset: people.offset };
  const pageWhere: string[] = [];
  if (people.groupKey !== undefined) {
    pageWhere.push('g = $groupKey');
    pageParams.groupKey = people.groupKey;
  }
  if (people.onlyChanged) pageWhere.push('recorded_grade IS DISTINCT FROM proposed_grade');
  if (people.onlyFlagged) pageWhere.push('flagged');
  const pw = pageWhere.length ? `WHERE ${pageWhere.join(' AND ')}` : '';
  const summaryCols = `period_id AS p, g, proposed_grade AS grade, sum(n)::INTEGER AS n,
         coalesce(sum(n) FILTER (WHERE recorded_grade IS DISTINCT FROM proposed_grade), 0)::INTEGER AS changed,
         coalesce(sum(n) FILTER (WHERE flagged), 0)::INTEGER AS flagged,
         coalesce(sum(n) FILTER (WHERE flagged AND recorded_grade IS DISTINCT FROM proposed_grade), 0)::INTEGER AS "both"`;
  // Summary and page come back from one statement as two lists, so the ranking runs once.
  const result = (pageFrom: string) => `
    SELECT (SELECT list({'p': p, 'g': g, 'grade': grade, 'n': n, 'changed': changed, 'flagged': flagged, 'both': "both"}) FROM summary) AS summary,
           (SELECT list({'employeeId': employee_id, 'employeeName': employee_name, 'periodId': period_id, 'groupKey': g,
                         'orgUnitId': org_unit_id, 'role': role, 'score': score, 'rankingScore': ranking_score, 'position': position,
                         'recordedGrade': recorded_grade, 'proposedGrade': proposed_grade,
                         'changed': recorded_grade IS DISTINCT FROM proposed_grade, 'flagged': flagged} ORDER BY period_id, g, position, employee_id)
              FROM ${pageFrom}) AS rows`;
  let sql: string;
  let pageSql: string;
  if (perRow) {
    // Per-person keys (a normalised score is nearly unique) leave almost nothing to aggregate, so
    // people are seated with window functions: rank() − 1 is the first seat of a person's tie
    // block, count(*) over the default frame (which takes in every peer) − 1 its last seat, and
    // row_number() the seat in id order, used only where a block straddles a quota boundary.
    // A window carries every column that passes through it, so only ids, keys and grades go
    // through, partitioned by the group's integer index rather than two strings (one month of
    // 200,000 people, EXPLAIN ANALYZE on a busy machine: window 190 -> 100 ms); the page looks up
    // names, units and roles for its own rows. Materialised once for the summary and the page.
    ctes.push(
      `scored AS MATERIALIZED (SELECT pop.*, ${scoreExpr} AS rs, ${ks} AS ks, ${tenure} AS tenure FROM ${popFrom} ${joins})`,
      `seats AS (SELECT s.employee_id, s.period_id, s.g, s.rs, s.grade, q.c1, q.c2, q.c3, q.c4, rank() OVER w - 1 AS blk_start,
                        ${splits ? 'count(*) OVER w - 1' : 'NULL::BIGINT'} AS blk_last,
                        ${splits ? `row_number() OVER (PARTITION BY q.gi ORDER BY ${keys.join(', ')}, s.employee_id) - 1` : 'NULL::BIGINT'} AS seat
                   FROM scored s JOIN quotas q ON q.p = s.period_id AND q.g = s.g
                 WINDOW w AS (PARTITION BY q.gi ORDER BY ${keys.join(', ')}))`,
      `straddle AS (SELECT s.*, ${splits ? `${gradeAt('s.blk_start', 's')} <> ${gradeAt('s.blk_last', 's')}` : 'false'} AS straddles FROM seats s)`,
      `ranked AS MATERIALIZED (
         SELECT s.employee_id, s.period_id, s.g, s.rs AS ranking_score, s.grade AS recorded_grade,
                (CASE WHEN s.straddles THEN s.seat ELSE s.blk_start END + 1)::INTEGER AS position,
                CASE WHEN s.straddles THEN ${gradeAt('s.seat', 's')} ELSE ${gradeAt('s.blk_start', 's')} END AS proposed_grade,
                s.straddles AS flagged
           FROM straddle s)`,
    );
    const withPerson = (from: string) => `SELECT r.*, s.employee_name, s.org_unit_id, s.role, s.score
      FROM ${from} JOIN scored s ON s.period_id = r.period_id AND s.employee_id = r.employee_id`;
    sql = `SELECT * FROM (${withClause(fs, ...ctes)}
      SELECT employee_id, employee_name, period_id, g AS group_key, org_unit_id, role, score, ranking_score, position,
             recorded_grade, proposed_grade, flagged FROM (${withPerson('ranked r')}))`;
    pageSql = `SELECT * FROM (${withClause(
      fs,
      ...ctes,
      `summary AS (SELECT ${summaryCols} FROM (SELECT *, 1 AS n FROM ranked) GROUP BY ALL)`,
    )} ${result(`(${withPerson(`(SELECT * FROM ranked ${pw} ORDER BY period_id, g, position, employee_id LIMIT $limit OFFSET $offset) r`)})`)})`;
  } else {
    // The ranking key is the recorded score, which is coarse (one decimal on a 0–100 scale): a
    // period's 200,000 people fall into a few thousand tie blocks. Ranking the blocks instead of
    // the people turns a 200,000-row window sort into a hash aggregate plus a tiny window: a
    // block's first seat is the headcount of the blocks above it. The facts are counted per
    // (period, unit, role, score, grade) first, so the mapping join and everything after it see
    // a few thousand rows per period; only blocks that straddle a quota boundary (flag rule) and
    // the requested page need people.
    const same = (x: string, y: string) => `${x}.period_id = ${y}.period_id AND ${x}.g = ${y}.g AND ${x}.rs = ${y}.rs`;
    ctes.push(
      `scored AS (SELECT pop.*, pop.score AS rs FROM pop)`,
      `fine AS (SELECT period_id, org_unit_id, role, score, grade, n AS c FROM ${cellsFrom} WHERE score IS NOT NULL)`,
      `cells AS (SELECT a.period_id, m.g, a.score AS rs, a.grade AS rg, sum(a.c) AS c FROM fine a JOIN mapping m ON ${mapOn} GROUP BY ALL)`,
      `blocks AS (SELECT period_id, g, rs, sum(c) AS c FROM cells GROUP BY ALL)`,
      // Blocks are unique on the ORDER BY key, so the default frame's running sum is the block's end.
      `bpos AS (SELECT x.*, sum(x.c) OVER (PARTITION BY x.period_id, x.g ORDER BY x.rs DESC) - x.c AS blk_start FROM blocks x)`,
      `bgrade AS (SELECT x.*, q.c1, q.c2, q.c3, q.c4 FROM bpos x JOIN quotas q ON q.p = x.period_id AND q.g = x.g)`,
      // A block straddles when its first and last seats fall in different grades; under `better` it
      // is never split (everyone takes the first seat's grade), so it counts as whole.
      `bfinal AS (SELECT b.*, ${gradeAt('b.blk_start')} AS g_start, ${
        splits ? `${gradeAt('b.blk_start')} <> ${gradeAt('b.blk_start + b.c - 1')}` : 'false'
      } AS straddles FROM bgrade b)`,
    );
    // People are read by joining the facts to the wanted blocks spelt out per (unit, role, score):
    // keys of the fact table itself, so DuckDB pushes the blocks' periods and scores into the scan
    // as filters and skips the row groups of other periods.
    const peopleOf = (blocks: string) => `${fs.from} JOIN (SELECT w.*, m.u, m.r::role_t AS r FROM ${blocks} w JOIN mapping m ON m.p = w.period_id AND m.g = w.g) w
        ON a.period_id = w.period_id AND a.org_unit_id = w.u AND a.score = w.rs AND a.role IS NOT DISTINCT FROM w.r`;
    const facts = 'a.employee_id, a.employee_name, a.period_id, w.g, a.org_unit_id, a.role, a.score, a.score AS rs, a.grade';
    // People of straddling blocks, seated one by one in id order.
    if (splits)
      ctes.push(
        `sflag AS MATERIALIZED (SELECT s.*, ${gradeAt('s.blk_start + s.rn - 1', 's')} AS proposed_grade FROM (
           SELECT ${facts}, w.blk_start, w.c1, w.c2, w.c3, w.c4,
                  row_number() OVER (PARTITION BY a.period_id, w.g, a.score ORDER BY a.employee_id) AS rn
             FROM ${peopleOf('(SELECT * FROM bfinal WHERE straddles)')}) s)`,
      );
    sql = `SELECT * FROM (${withClause(fs, ...ctes)}
      SELECT ${cols}, (b.blk_start + 1)::INTEGER AS position, b.g_start AS proposed_grade, false AS flagged
        FROM scored s JOIN bfinal b ON ${same('s', 'b')} WHERE NOT b.straddles
      ${splits ? `UNION ALL SELECT ${cols}, (s.blk_start + s.rn)::INTEGER AS position, s.proposed_grade, true AS flagged FROM sflag s` : ''})`;
    // `units` is the result as counts: one row per (whole block, recorded grade), one per person
    // of a straddling block. The page walks the matching people in output order (period, group,
    // seat; a block's people by id) in two steps — groups, then the blocks of the groups that
    // overlap [offset, offset + limit) — and reads the people of the overlapping blocks only.
    pageSql = `SELECT * FROM (${withClause(
      fs,
      ...ctes,
      `units AS (
         SELECT b.period_id, b.g, b.blk_start, b.rs, b.straddles, b.g_start AS blk_grade,
                c.rg AS recorded_grade, b.g_start AS proposed_grade, false AS flagged, c.c AS n
           FROM bfinal b JOIN cells c ON ${same('c', 'b')} WHERE NOT b.straddles
         ${splits ? 'UNION ALL SELECT period_id, g, blk_start, rs, true, NULL, grade, proposed_grade, true, 1 FROM sflag' : ''})`,
      `summary AS (SELECT ${summaryCols} FROM units GROUP BY ALL)`,
      `umatch AS (SELECT * FROM units ${pw})`,
      `gwin AS (SELECT x.*, sum(x.m) OVER (ORDER BY x.period_id, x.g) - x.m AS before
                  FROM (SELECT period_id, g, sum(n) AS m FROM umatch GROUP BY ALL) x)`,
      `gsel AS (SELECT * FROM gwin WHERE before < $offset + $limit AND before + m > $offset)`,
      `bwin AS (SELECT x.*, gs.before + sum(x.m) OVER (PARTITION BY x.period_id, x.g ORDER BY x.blk_start) - x.m AS before
                  FROM (SELECT period_id, g, blk_start, rs, straddles, blk_grade, sum(n) AS m FROM umatch GROUP BY ALL) x
                  JOIN gsel gs ON gs.period_id = x.period_id AND gs.g = x.g)`,
      `bsel AS (SELECT * FROM bwin WHERE before < $offset + $limit AND before + m > $offset)`,
      `prows AS (
         SELECT ${facts.replace('a.score AS rs', 'a.score AS ranking_score').replace('a.grade', 'a.grade AS recorded_grade')},
                w.blk_start, (w.blk_start + 1)::INTEGER AS position, w.blk_grade AS proposed_grade, false AS flagged, w.before
           FROM ${peopleOf('bsel')} WHERE NOT w.straddles
         ${
           splits
             ? `UNION ALL
         SELECT ${cols.replace('s.g AS group_key', 's.g')}, w.blk_start, (s.blk_start + s.rn)::INTEGER, s.proposed_grade, true, w.before
           FROM sflag s JOIN bsel w ON ${same('s', 'w')}`
             : ''
         })`,
      // Index of each matching person in the whole ordered result.
      `page AS (SELECT *, before + row_number() OVER (PARTITION BY period_id, g, blk_start ORDER BY employee_id) - 1 AS idx FROM prows ${pw})`,
    )} ${result('page WHERE idx >= $offset AND idx < $offset + $limit')})`;
  }
  if (f.scoreSource === 'normalised') {
    warnings.push({
      code: 'normalised',
      zh: `排序分数 = 考核分数 − 直接评分人（${f.raterRelation}）的宽严度估计（方法：${f.normalisation}）；没有该评分人的人员按原分数排序。`,
      en: `Ranking score = assessment score − the estimated leniency of the person's ${f.raterRelation} rater (method: ${f.normalisation}); people without such a rater rank on their recorded score.`,
    });
  }
  if (f.departmentLinked)
    warnings.push({
      code: 'department-linked',
      zh: `部门关联配额：优秀比例按部门等级放大或缩小（${GRADES.map((g) => `${GRADE_LABELS[g].zh}×${({ A: 1.5, B: 1.0, C: 0.5, D: 0.5, E: 0.5, ...f.departmentLinked!.multipliers })[g]}`).join('，')}），全公司合计仍符合强制分布。`,
      en: 'Department-linked quotas: the top-grade share scales with the department grade; company totals still meet the guideline.',
    });
  return { f, groups, unscored, warnings, sql, params, pageSql, pageParams };
}

/** `ranking.forced`: quotas, proposals and who differs from the recorded grade, per (period, group). */
export async function rankingForced(wh: Warehouse, input: RankingForcedInput): Promise<ForcedRanking> {
  const plan = await planForcedRanking(wh, input);
  const { f, groups } = plan;
  if (groups.length === 0)
    return { cycle: f.cycle, groups, totals: { n: 0, changed: 0, flagged: 0, unscored: plan.unscored }, people: { total: 0, rows: [] }, warnings: plan.warnings };
  const [res] = await wh.query<{ summary: Summary[] | null; rows: RankedPerson[] | null }>(plan.pageSql, plan.pageParams);
  const summary = res?.summary ?? [];
  const page = res?.rows ?? [];
  const byKey = new Map(groups.map((g) => [`${g.periodId}\u0000${g.key}`, g]));
  let total = 0;
  for (const s of summary) {
    const g = byKey.get(`${s.p}\u0000${s.g}`)!;
    g.proposed[s.grade] += s.n;
    g.changed += s.changed;
    g.flagged += s.flagged;
    if (f.people.groupKey === undefined || f.people.groupKey === s.g)
      total += f.people.onlyChanged ? (f.people.onlyFlagged ? s.both : s.changed) : f.people.onlyFlagged ? s.flagged : s.n;
  }
  for (const g of groups) for (const x of GRADES) g.over[x] = g.proposed[x] - g.quota[x];
  const totals = {
    n: groups.reduce((a, g) => a + g.n, 0),
    changed: groups.reduce((a, g) => a + g.changed, 0),
    flagged: groups.reduce((a, g) => a + g.flagged, 0),
    unscored: plan.unscored,
  };
  const warnings = [...plan.warnings];
  if (totals.flagged > 0)
    warnings.push({
      code: 'ties-flagged',
      zh: `${totals.flagged} 人在配额边界上同分，需人工决定（暂按工号排序给出等级）。`,
      en: `${totals.flagged} ${totals.flagged === 1 ? 'person is' : 'people are'} tied across a quota boundary and need a human decision (provisional grades follow employee id).`,
    });
  const overGroups = groups.filter((g) => GRADES.some((x) => g.over[x] !== 0)).length;
  if (overGroups > 0)
    warnings.push({
      code: 'over-quota',
      zh: `${overGroups} 个校准组因同分就高而超出配额。`,
      en: `${overGroups} ${overGroups === 1 ? 'group exceeds' : 'groups exceed'} a quota because tied people all took the better grade.`,
    });
  return { cycle: f.cycle, groups, totals, people: { total, rows: page }, warnings };
}
