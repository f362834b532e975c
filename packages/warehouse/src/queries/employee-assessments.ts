import { z } from 'zod';
import { GRADES, analysisFiltersSchema, type Cycle, type Grade } from '@perflens/core';
import type { Warehouse } from '../db.ts';
import { ensureAnalytics } from '../analytics.ts';
import { filterSql, withClause } from './filter-sql.ts';
import { orgSubtree, orgUnitNames } from './org-subtree.ts';
import { withResolvedCycle } from './resolve-cycle.ts';

export const EMPLOYEE_SORT_FIELDS = ['employeeId', 'name', 'orgUnit', 'role', 'period', 'score', 'grade'] as const;
export type EmployeeSortField = (typeof EMPLOYEE_SORT_FIELDS)[number];

/** The only way a sort column reaches SQL. Period sorts chronologically, not by id text. */
const SORT_COLUMN: Record<EmployeeSortField, string> = {
  employeeId: 'a.employee_id',
  name: 'a.employee_name',
  orgUnit: 'a.org_unit_name',
  role: 'a.role::VARCHAR',
  period: 'a.period_start',
  score: 'a.score',
  grade: 'a.grade',
};

export const employeeAssessmentsInputSchema = analysisFiltersSchema
  .extend({
    grade: z.enum(GRADES).optional(),
    scoreMin: z.number().finite().optional(),
    scoreMax: z.number().finite().optional(),
    search: z.string().trim().max(64, 'search must be at most 64 characters / 搜索内容不能超过 64 个字符').optional(),
    sort: z
      .strictObject({ field: z.enum(EMPLOYEE_SORT_FIELDS), order: z.enum(['asc', 'desc']) })
      .default({ field: 'score', order: 'desc' }),
    page: z.number().int().min(1).default(1),
    pageSize: z.number().int().min(1).max(200).default(50),
  })
  .refine((v) => v.scoreMin === undefined || v.scoreMax === undefined || v.scoreMin <= v.scoreMax, {
    message: 'scoreMin must not exceed scoreMax / 最低分 scoreMin 不能大于最高分 scoreMax',
    path: ['scoreMax'],
  })
  .prefault({});
export type EmployeeAssessmentsInput = z.input<typeof employeeAssessmentsInputSchema>;

export interface EmployeeAssessmentRow {
  employeeId: string;
  name: string | null;
  orgUnitId: string;
  orgUnitName: string | null;
  role: string;
  periodId: string;
  score: number | null;
  grade: Grade | null;
  /** The grade in the company's own words as imported (卓越, "Exceeds", 3), when it was recorded. */
  gradeLabel: string | null;
  coefficient: number | null;
  /** Exact DECIMAL as text, e.g. "4000.00". */
  bonus: string | null;
}

export interface EmployeeAssessmentPage {
  /** The cycle listed: the caller's, or the finest one with data in the filter. */
  cycle: Cycle;
  total: number;
  page: number;
  pageSize: number;
  rows: EmployeeAssessmentRow[];
}

/** One page of assessment rows (employee × period) matching the filters, sorted server-side. */
export async function listEmployeeAssessments(wh: Warehouse, input: EmployeeAssessmentsInput): Promise<EmployeeAssessmentPage> {
  // Parsed first: a bad input is refused before anything touches the database.
  const f = await withResolvedCycle(wh, employeeAssessmentsInputSchema.parse(input));
  await ensureAnalytics(wh);
  const subtree = f.orgUnitId === undefined ? undefined : await orgSubtree(wh, f.orgUnitId);
  const fs = filterSql(f, 'assessments', subtree);
  const params = { ...fs.params };
  const where: string[] = [];
  if (f.grade !== undefined) {
    where.push('a.grade = $grade::grade_t');
    params.grade = f.grade;
  }
  if (f.scoreMin !== undefined) {
    where.push('a.score >= $scoreMin');
    params.scoreMin = f.scoreMin;
  }
  if (f.scoreMax !== undefined) {
    where.push('a.score <= $scoreMax');
    params.scoreMax = f.scoreMax;
  }
  if (f.search) {
    // contains() rather than LIKE: the user's % and _ are ordinary characters here.
    where.push('(contains(lower(a.employee_id), $search) OR contains(lower(a.employee_name), $search))');
    params.search = f.search.toLowerCase();
  }
  // Names are inlined in assessment_facts, so sorting or searching by them needs no join.
  const fromWhere = (extra: string[] = []) => `${fs.from}
      ${where.length + extra.length ? `WHERE ${[...where, ...extra].join(' AND ')}` : ''}`;
  const from = fromWhere();
  const dir = f.sort.order === 'asc' ? 'ASC' : 'DESC';
  const limit = f.pageSize;
  const offset = (f.page - 1) * f.pageSize;
  // Without a text search every filter is a column of the assessment cube (migration 004), which
  // counts the rows in a fraction of the time a scan of the facts takes.
  const cube = filterSql(f, 'cube', subtree);
  const count = f.search
    ? wh.query<{ total: number }>(`${fs.with} SELECT count(*)::INTEGER AS total FROM ${from}`, params)
    : wh.query<{ total: number }>(
        `${cube.with} SELECT coalesce(sum(a.n), 0)::INTEGER AS total FROM ${cube.from} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`,
        { ...cube.params, ...params },
      );
  count.catch(() => undefined); // awaited below; a failure then is reported there, not as unhandled
  let pageFrom = from;
  const pageParams: Record<string, unknown> = { ...params, limit, offset };
  // One period holds at most one row per employee: sorting it outright beats a second round trip.
  const onePeriod = f.from !== undefined && f.from === f.to;
  if (f.sort.field === 'score' && !onePeriod) {
    // The tiebreak on employee id makes a top-N over the whole history compare strings for
    // millions of rows. The score of the page's last row comes first (from the cube's value
    // counts, or a top-N over the score alone when a text search needs the rows); only rows at
    // least that good are then sorted in full. Rows tied with it all stay in, so the page is
    // exactly the full sort's. Unbounded when the page reaches the NULL scores.
    const kth = offset + limit;
    let th: { nn: number; m: number | null } | undefined;
    if (!f.search) {
      // The cube's (score, count) pairs give the k-th score without touching the rows.
      const vc = await wh.columns<{ v: number[]; c: number[] }>(
        `${cube.with} SELECT a.score AS v, sum(a.n)::INTEGER AS c FROM ${cube.from}
          WHERE ${[...where, 'a.score IS NOT NULL'].join(' AND ')} GROUP BY a.score ORDER BY a.score ${dir}`,
        { ...cube.params, ...params },
      );
      let nn = 0;
      let m: number | null = null;
      for (let i = 0; i < vc.v.length && nn < kth; i++) {
        nn += vc.c[i]!;
        m = vc.v[i]!;
      }
      th = { nn, m };
    } else {
      [th] = await wh.query<{ nn: number; m: number | null }>(
        `${fs.with} SELECT count(v)::INTEGER AS nn, ${dir === 'ASC' ? 'max' : 'min'}(v) AS m
           FROM (SELECT a.score AS v FROM ${from} ORDER BY a.score ${dir} NULLS LAST LIMIT $kth)`,
        { ...params, kth },
      );
    }
    if (th && th.m !== null && th.nn >= kth) {
      pageFrom = fromWhere([`a.score ${dir === 'ASC' ? '<=' : '>='} $bound`]);
      pageParams.bound = th.m;
    }
  }
  // A department's period (at most one row per employee of part of the company) is gathered
  // first: sorted straight off the table, DuckDB's late materialization fetched the page's other
  // columns with a rowid join that scanned every row group of the facts (department month
  // 21 -> 14 ms). For a whole company's month (22 -> 33 ms) or many periods (sorting by name
  // 400 -> 240 ms) that join pays off, so it stays there.
  const slice = onePeriod && subtree !== undefined && subtree.length < (await orgUnitNames(wh)).size;
  const rows = await wh.query<EmployeeAssessmentRow>(
    `${slice ? withClause(fs, `slice AS MATERIALIZED (SELECT a.* FROM ${pageFrom})`) : fs.with}
    SELECT a.employee_id AS "employeeId", a.employee_name AS name, a.org_unit_id AS "orgUnitId", a.org_unit_name AS "orgUnitName",
           a.role, a.period_id AS "periodId", a.score, a.grade, a.grade_label AS "gradeLabel", a.coefficient, a.bonus::VARCHAR AS bonus
      FROM ${slice ? 'slice a' : pageFrom}
     ORDER BY ${SORT_COLUMN[f.sort.field]} ${dir} NULLS LAST, a.employee_id, a.period_start
     LIMIT $limit OFFSET $offset`,
    pageParams as never,
  );
  return { cycle: f.cycle, total: (await count)[0]?.total ?? 0, page: f.page, pageSize: f.pageSize, rows };
}
