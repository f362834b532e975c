import { z } from 'zod';
import { RATER_RELATIONS, analysisFiltersSchema, normaliseRaterScores, raterStatsFromSums, type Cycle, type NormalisationResult, type RaterStats } from '@perflens/core';
import type { SqlParams, Warehouse } from '../db.ts';
import { ensureAnalytics } from '../analytics.ts';
import { filterSql, withClause, type FilterSql } from './filter-sql.ts';
import { CalibrationError } from './calibration-session-common.ts';
import { withResolvedCycle } from './resolve-cycle.ts';

/** More scores of the chosen rater than this are not listed row by row: narrow the filter. */
const MAX_ROWS = 400_000;

const SCORE_SORT_KEYS = ['periodId', 'employeeId', 'raw', 'centre', 'zscore', 'percentile', 'shrinkage'] as const;
/** `rater` sorts by name (the id where there is none), as the table shows them. */
const RATER_SORT_KEYS = ['shrunkDiff', 'rater', 'n', 'mean', 'sd', 'diff', 'z'] as const;

export const calibrationRatersInputSchema = analysisFiltersSchema
  .extend({
    relation: z.enum(RATER_RELATIONS).default('supervisor'),
    minN: z.number().int().min(1).max(100_000).default(5),
    /** Rater whose scores are listed side by side with every normalisation. */
    raterId: z.string().min(1).max(64).optional(),
    /**
     * One page of those scores, in the order asked for: a supervisor rates thousands of people a
     * month, and every score of a year was megabytes of JSON for a table showing fifty. An export
     * asks for up to 20,000 (the table export's bound).
     */
    scoresSort: z.enum(SCORE_SORT_KEYS).default('periodId'),
    scoresOrder: z.enum(['asc', 'desc']).default('asc'),
    scoresPage: z.number().int().min(1).max(1_000_000).default(1),
    scoresPageSize: z.number().int().min(1).max(20_000).default(50),
    /**
     * One page of the raters, most lenient (shrunk) first: a company of 2,000,000 has 100,000
     * supervisors (30 MB of JSON), the page shows a chart and a table. An export asks for up to
     * 20,000 (the table export's bound).
     */
    ratersSort: z.enum(RATER_SORT_KEYS).default('shrunkDiff'),
    ratersOrder: z.enum(['asc', 'desc']).default('desc'),
    ratersPage: z.number().int().min(1).max(1_000_000).default(1),
    ratersPageSize: z.number().int().min(1).max(20_000).default(50),
  })
  .prefault({});
export type CalibrationRatersInput = z.input<typeof calibrationRatersInputSchema>;

export interface CalibrationRaters {
  /** The cycle of the rated assessments: the caller's, or the finest one with data in the filter. */
  cycle: Cycle;
  company: NormalisationResult['company'];
  /** The page of raters asked for, in the order asked for (default: most lenient, shrunk, first). */
  raters: Array<RaterStats & { raterName: string | null }>;
  /** Raters in the filter (the company figures and warnings cover all of them). */
  ratersTotal: number;
  warnings: Array<{ code: string; zh: string; en: string }>;
  /** The chosen rater's scores (the page asked for): raw next to each normalisation, never applied silently. */
  scores: Array<{ employeeId: string; periodId: string; raw: number; zscore: number; centre: number; percentile: number; shrinkage: number }>;
  /** How many scores the chosen rater has in the filter (0 without one). */
  scoresTotal: number;
}

/** `calibration.raters`: leniency / severity of each rater and the four normalisations of their scores. */
export async function calibrationRaters(wh: Warehouse, input: CalibrationRatersInput): Promise<CalibrationRaters> {
  // Parsed first: a bad input is refused before anything touches the database.
  const f = await withResolvedCycle(wh, calibrationRatersInputSchema.parse(input));
  await ensureAnalytics(wh);
  const fs = filterSql(f);
  // The rater scores of the filtered assessments (same population as the other analyses), summed
  // per rater in DuckDB: n, Σx, Σx², and per person rated the count and sum that the clustered z
  // needs (the ratee is each score's cluster: a supervisor rates the same people every month).
  // Compensated sums (fsum) and raters in id order: sums of doubles depend on the order the
  // threads finish in; these keep a repeated request's figures equal to 13 or more digits.
  // Reading every score into JS instead cost 250 ms a month at 200,000 employees, most of it on
  // the event loop every other request waits for, and refused ranges over 400,000 scores.
  // The filter's periods are also named on rater_scores itself, as bound constants: the filter
  // selects periods by start date, which DuckDB cannot carry over to rater_scores.period_id, and
  // without them it read the chosen rater's scores of every period (170 ms instead of 20 for one
  // month at 200,000 employees).
  const periods = (await wh.columns<{ p: string[] }>(`${fs.with} SELECT DISTINCT a.period_id AS p FROM ${fs.from}`, fs.params)).p;
  if (periods.length === 0) return { cycle: f.cycle, company: { n: 0, mean: 0, sd: 0, withinVar: 0, betweenVar: 0 }, raters: [], ratersTotal: 0, warnings: [], scores: [], scoresTotal: 0 };
  const params: SqlParams = { ...fs.params, relation: f.relation };
  periods.forEach((p, i) => (params[`period${i}`] = p));
  const scoresSql = `rater_scores r SEMI JOIN ${fs.from} ON a.employee_id = r.employee_id AND a.period_id = r.period_id
    WHERE r.relation = $relation AND r.period_id IN (${periods.map((_, i) => `$period${i}`).join(', ')})`;
  const c = await wh.columns<{ r: string[]; n: number[]; s: number[]; ss: number[]; g: number[]; css: number[]; name: (string | null)[] }>(
    `${withClause(
      fs,
      `per_ratee AS (SELECT r.rater_id, count(*) AS c, fsum(r.score) AS s, fsum(r.score * r.score) AS ss FROM ${scoresSql} GROUP BY r.rater_id, r.employee_id)`,
      'with_mean AS (SELECT *, fsum(s) OVER w / sum(c) OVER w AS m FROM per_ratee WINDOW w AS (PARTITION BY rater_id))',
    )}
     SELECT t.*, e.name FROM (
       SELECT rater_id AS r, sum(c)::BIGINT AS n, fsum(s) AS s, fsum(ss) AS ss, count(*)::BIGINT AS g, fsum((s - c * m) * (s - c * m)) AS css
         FROM with_mean GROUP BY rater_id) t
       LEFT JOIN employees e ON e.id = t.r
      ORDER BY t.r`,
    params,
  );
  if (c.r.length === 0) return { cycle: f.cycle, company: { n: 0, mean: 0, sd: 0, withinVar: 0, betweenVar: 0 }, raters: [], ratersTotal: 0, warnings: [], scores: [], scoresTotal: 0 };
  const res = raterStatsFromSums(
    c.r.map((rater, i) => ({ rater, n: Number(c.n[i]), sum: c.s[i]!, sumSq: c.ss[i]!, ratees: Number(c.g[i]), rateeSS: c.css[i]! })),
    f.minN,
  );
  // Names joined in the statement: a lookup by a list of ids tested every employee against every
  // rater (85 s for one month at 2,000,000 employees, 100,000 raters).
  const names = new Map(c.r.map((id, i) => [id, c.name[i] ?? null]));
  const low = res.raters.filter((r) => r.lowN).length;
  const warnings = low
    ? [
        {
          code: 'low-n',
          zh: `${low} 位评分人的评分少于 ${f.minN} 条，宽严度估计不稳定（收缩估计已向全公司均值拉回）。`,
          en: `${low} ${low === 1 ? 'rater has' : 'raters have'} fewer than ${f.minN} scores; their leniency is unstable (the shrinkage estimate pulls it toward the company mean).`,
        },
      ]
    : [];
  const chosen = f.raterId ? res.raters.find((r) => r.rater === f.raterId) : undefined;
  const all = chosen ? await raterScores(wh, chosen, res.company, fs, scoresSql, params) : [];
  return {
    cycle: f.cycle,
    company: res.company,
    raters: ratersPage(
      res.raters.map((r) => ({ ...r, raterName: names.get(r.rater) ?? null })),
      f,
    ),
    ratersTotal: res.raters.length,
    warnings,
    scores: pageOf(all, f),
    scoresTotal: all.length,
  };
}

type Rater = CalibrationRaters['raters'][number];
type Score = CalibrationRaters['scores'][number];

const cmp = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * One page of `all` sorted by `value` over every row (a missing value last either way, ties by
 * `tie`); `all` already in the order asked for is only sliced.
 */
function sortedPage<T>(all: T[], value: (t: T) => string | number | null, order: 'asc' | 'desc', tie: (a: T, b: T) => number, presorted: boolean, page: number, size: number): T[] {
  const dir = order === 'asc' ? 1 : -1;
  const sorted =
    presorted ? all
    : [...all].sort((a, b) => {
        const x = value(a);
        const y = value(b);
        if (x === null || y === null) return x === y ? tie(a, b) : x === null ? 1 : -1;
        return dir * cmp(x, y) || tie(a, b);
      });
  return sorted.slice((page - 1) * size, page * size);
}

/** Raters by the key asked for (`rater`: the name, else the id), ties by id; by default raterStatsFromSums's own order. */
function ratersPage(all: Rater[], f: { ratersSort: (typeof RATER_SORT_KEYS)[number]; ratersOrder: 'asc' | 'desc'; ratersPage: number; ratersPageSize: number }): Rater[] {
  const key = f.ratersSort;
  const value = (r: Rater) => (key === 'rater' ? (r.raterName ?? r.rater) : r[key]);
  return sortedPage(all, value, f.ratersOrder, (a, b) => cmp(a.rater, b.rater), key === 'shrunkDiff' && f.ratersOrder === 'desc', f.ratersPage, f.ratersPageSize);
}

/** Scores by the key asked for, ties by period, then person; `all` comes by period, then person. */
function pageOf(all: Score[], f: { scoresSort: (typeof SCORE_SORT_KEYS)[number]; scoresOrder: 'asc' | 'desc'; scoresPage: number; scoresPageSize: number }): Score[] {
  const key = f.scoresSort;
  const tie = (a: Score, b: Score) => cmp(a.periodId, b.periodId) || cmp(a.employeeId, b.employeeId);
  return sortedPage(all, (s) => s[key], f.scoresOrder, tie, key === 'periodId' && f.scoresOrder === 'asc', f.scoresPage, f.scoresPageSize);
}

/**
 * The chosen rater's scores (by period, then person) with each normalisation beside the raw one;
 * the percentile method reads the company's scores, which come as value counts.
 */
async function raterScores(
  wh: Warehouse,
  rater: RaterStats,
  company: NormalisationResult['company'],
  fs: FilterSql,
  scoresSql: string,
  params: SqlParams,
): Promise<Score[]> {
  const [rows, counts] = await Promise.all([
    wh.columns<{ e: string[]; p: string[]; x: number[] }>(
      `${fs.with} SELECT r.employee_id AS e, r.period_id AS p, r.score AS x FROM ${scoresSql} AND r.rater_id = $raterId
        ORDER BY r.period_id, r.employee_id LIMIT ${MAX_ROWS + 1}`,
      { ...params, raterId: rater.rater },
    ),
    wh.columns<{ v: number[]; c: number[] }>(`${fs.with} SELECT r.score AS v, count(*)::INTEGER AS c FROM ${scoresSql} GROUP BY r.score ORDER BY r.score`, params),
  ]);
  if (rows.e.length > MAX_ROWS)
    throw new CalibrationError(
      'invalid',
      `More than ${MAX_ROWS} scores of this rater match: choose a shorter period range or an org unit. / 该评分人符合条件的评分超过 ${MAX_ROWS} 条：请缩短期间范围或选择组织单元。`,
    );
  const adjusted = normaliseRaterScores(rows.x, rater, company, { values: counts.v, counts: counts.c });
  return rows.e.map((employeeId, i) => ({
    employeeId,
    periodId: rows.p[i]!,
    raw: rows.x[i]!,
    zscore: adjusted.zscore[i]!,
    centre: adjusted.centre[i]!,
    percentile: adjusted.percentile[i]!,
    shrinkage: adjusted.shrinkage[i]!,
  }));
}
