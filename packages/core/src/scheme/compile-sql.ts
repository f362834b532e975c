import { GRADES, type Cycle, type RaterRelation } from '../domain.ts';
import type { SchemeIssue } from './validate.ts';
import { type BonusBase, type Kpi, type Scheme, schemeSchema } from './types.ts';

/**
 * Scheme → DuckDB SQL. The second implementation of evaluate.ts: it must give bit-identical
 * scores, grades, coefficients and bonuses, so every expression below repeats the TS arithmetic
 * in the same order on DOUBLEs (IEEE operations are deterministic; only reordering would change
 * results). The property test in test/scheme-sql.test.ts holds the two together.
 *
 * Numbers from the scheme are inlined as DOUBLE literals (they are validated finite numbers,
 * never text); column names come from the caller's `SqlSource`, which builds them from
 * whitelists. No user string reaches the SQL.
 */

/** Where the compiled query finds its inputs: one row per employee-period. */
export interface SqlSource {
  /** Relation to read (table name or parenthesised subquery with alias). */
  from: string;
  /** Actual/target column expressions for a KPI code, or null when the data has no such KPI. */
  kpi: (code: string) => { actual: string; target: string } | null;
  /** Mean score of a rater relation (NULL when that relation did not rate), or null if never present. */
  rater: (relation: RaterRelation) => string | null;
  /** Event count over the window (e.g. complaints quarter-to-date), or null: counted as 0. */
  event: (code: string, window: Cycle) => string | null;
  salary: string | null;
  orderTotal: string | null;
  supervisorRatio: string | null;
  /** Plain column names of `from` copied to the output unchanged (ids, period order …). */
  passthrough: readonly string[];
}

export class SchemeCompileError extends Error {
  constructor(readonly issues: SchemeIssue[]) {
    super(issues.map((i) => `${i.path.join('.') || '(scheme)'}: ${i.zh} / ${i.en}`).join('\n'));
    this.name = 'SchemeCompileError';
  }
}

/** A finite JS number as a DOUBLE literal with the same value (String() round-trips). */
export function dbl(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`not a finite number: ${x}`);
  return `CAST('${String(x)}' AS DOUBLE)`;
}

/**
 * roundHalfUp(x, d) of format.ts, with the same floating-point operations in the same order
 * (see there for why it is half-up on the written decimal). No CASE and no string: this runs
 * on every scored row up to three times (score, each bonus part, the bonus), and the earlier
 * CASE with a decimal-string path for near-ties cost about 3× as much per row.
 * NULL, NaN and ±∞ come through unchanged as in TS; sign() is 0 for ±0, so zero gives +0.
 */
export function roundHalfUpSql(x: string, digits = 2): string {
  const m = dbl(10 ** digits);
  const k = `floor(abs(${x}) * ${m})`;
  return `(sign(${x}) * ((${k} + CAST(abs(${x}) >= (${k} + CAST('0.5' AS DOUBLE)) / ${m} AS DOUBLE)) / ${m}))`;
}

const ZERO = dbl(0);
const HUNDRED = dbl(100);

function finite(col: string): string {
  return `(${col} IS NOT NULL AND isfinite(${col}))`;
}

/** Weighted contribution of one KPI line (KpiLine.weighted), mirroring evaluateKpi. */
function weightedSql(kpi: Kpi, actual: string, target: string): string {
  const w = dbl(kpi.weight);
  const rule = kpi.rule;
  const a = actual;
  const t = target;
  const fromPoints = (points: string) => `((${points}) * ${w}) / ${HUNDRED}`;
  switch (rule.type) {
    case 'tier': {
      const v = rule.measure === 'achievement' ? `(${a} / ${t})` : a;
      const whens = rule.tiers.map((tier) => {
        const conds: string[] = [];
        if (rule.direction === 'higher') {
          if (tier.from !== null) conds.push(`${v} >= ${dbl(tier.from)}`);
          if (tier.to !== null) conds.push(`${v} < ${dbl(tier.to)}`);
        } else {
          if (tier.from !== null) conds.push(`${v} > ${dbl(tier.from)}`);
          if (tier.to !== null) conds.push(`${v} <= ${dbl(tier.to)}`);
        }
        return `WHEN ${conds.length ? conds.join(' AND ') : 'TRUE'} THEN ${dbl(tier.points)}`;
      });
      const guard = rule.measure === 'achievement' ? `WHEN ${t} IS NULL OR NOT (${t} > ${ZERO}) THEN ${ZERO}` : '';
      const points = `CASE WHEN NOT ${finite(a)} THEN ${ZERO} ${guard} ${whens.join(' ')} ELSE ${ZERO} END`;
      return fromPoints(points);
    }
    case 'ratio': {
      const bad = `NOT ${finite(a)} OR ${t} IS NULL OR NOT (${t} > ${ZERO})${rule.direction === 'lower' ? ` OR NOT (${a} > ${ZERO})` : ''}`;
      const raw = rule.direction === 'higher' ? `((${a} / ${t}) * ${HUNDRED})` : `((${t} / ${a}) * ${HUNDRED})`;
      const capped = rule.cap !== undefined ? `CASE WHEN ${raw} > ${dbl(rule.cap)} THEN ${dbl(rule.cap)} ELSE ${raw} END` : raw;
      return `CASE WHEN ${bad} THEN ${ZERO} ELSE ${fromPoints(`greatest(${ZERO}, ${capped})`)} END`;
    }
    case 'deduction': {
      const occ = rule.basis === 'shortfall' ? `greatest(${ZERO}, ${t} - ${a})` : `greatest(${ZERO}, ${a})`;
      const steps = `floor(${occ} / ${dbl(rule.every)} + ${dbl(1e-9)})`;
      const bad = `NOT ${finite(a)}${rule.basis === 'shortfall' ? ` OR ${t} IS NULL` : ''}`;
      return `CASE WHEN ${bad} THEN ${ZERO} ELSE greatest(${ZERO}, ${dbl(rule.full ?? kpi.weight)} - ${dbl(rule.per)} * ${steps}) END`;
    }
    case 'bonus': {
      const steps = `floor(greatest(${ZERO}, ${a}) / ${dbl(rule.every)} + ${dbl(1e-9)})`;
      return `CASE WHEN NOT ${finite(a)} THEN ${ZERO} ELSE least(${dbl(rule.cap ?? kpi.weight)}, ${dbl(rule.base)} + ${dbl(rule.per)} * ${steps}) END`;
    }
    case 'rater':
      return `CASE WHEN NOT ${finite(a)} THEN ${ZERO} ELSE ${fromPoints(`least(${HUNDRED}, greatest(${ZERO}, ${a}))`)} END`;
  }
}

/** Rater composite of raters.ts: Σ wᵢsᵢ / Σ wᵢ over the relations present, in the scheme's key order. */
function compositeSql(scheme: Scheme, source: SqlSource): string | null {
  if (!scheme.raters) return null;
  const terms: Array<{ col: string; w: number }> = [];
  for (const [rel, w] of Object.entries(scheme.raters.weights) as Array<[RaterRelation, number | undefined]>) {
    if (!w) continue;
    const col = source.rater(rel);
    if (col) terms.push({ col, w });
  }
  if (terms.length === 0) return 'CAST(NULL AS DOUBLE)';
  let num = ZERO;
  let den = ZERO;
  for (const { col, w } of terms) {
    // Adding 0.0 for a missing relation leaves a sum unchanged, like skipping it in TS.
    num = `(${num} + CASE WHEN ${finite(col)} THEN ${dbl(w)} * ${col} ELSE ${ZERO} END)`;
    den = `(${den} + CASE WHEN ${finite(col)} THEN ${dbl(w)} ELSE ${ZERO} END)`;
  }
  return `CASE WHEN ${den} > ${ZERO} THEN ${num} / ${den} ELSE NULL END`;
}

function baseSql(base: BonusBase, source: SqlSource): string {
  if (base.kind === 'fixed') return dbl(base.amount);
  if (!source.salary) return 'CAST(NULL AS DOUBLE)';
  // A NULL salary makes the part NULL: the TS evaluator refuses (throws) in that case.
  return `(CASE WHEN ${finite(source.salary)} THEN ${source.salary} * ${dbl(base.share)} ELSE NULL END)`;
}

/** Checks that the data can feed the scheme: every non-rater KPI code must exist for the role. */
export function sourceIssues(scheme: Scheme, source: SqlSource): SchemeIssue[] {
  const issues: SchemeIssue[] = [];
  scheme.kpis.forEach((k, i) => {
    if (k.rule.type === 'rater' && scheme.raters) return;
    if (!source.kpi(k.code))
      issues.push({
        path: ['kpis', i, 'code'],
        zh: `指标代码 ${k.code}（${k.name.zh}）在 ${scheme.role} 岗位的历史数据中不存在；请改用已有的指标代码或先导入该指标的数据`,
        en: `KPI code ${k.code} (${k.name.en}) does not occur in the ${scheme.role} history; use an existing KPI code or import that KPI first`,
      });
  });
  return issues;
}

export interface CompiledScheme {
  /**
   * SELECT producing, per source row: the passthrough columns, score, band_grade, grade,
   * coefficient, bonus (DOUBLE rounded to cents; NULL when the scheme has no bonus formula or an
   * input it needs is missing), bonus_missing, vetoed.
   */
  sql: string;
}

/**
 * Validates (zod + cross-field rules + data availability) and compiles. Throws
 * SchemeCompileError with the validator's bilingual messages.
 */
export interface CompileOptions {
  /** Also output the weighted lines as w0…wN and the rater composite as composite. */
  keepLines?: boolean;
  /**
   * Columns of `source` holding already-computed weighted lines (per KPI index; null = compute)
   * and the rater composite. Only valid for lines whose KPI, weight, rule (and raters, for rater
   * KPIs) are identical to the scheme that produced them — see reusableLines.
   */
  reuse?: { lines: ReadonlyArray<string | null>; composite: string | null };
}

/**
 * For each KPI of `next`, the index of an identical line in `prev` (same code, weight and rule;
 * for rater lines also the same rater weights), else null. Identical inputs and identical
 * arithmetic give identical doubles, so such a line need not be recomputed.
 */
export function reusableLines(prev: Scheme, next: Scheme): Array<number | null> {
  const sameRaters = JSON.stringify(prev.raters ?? null) === JSON.stringify(next.raters ?? null);
  return next.kpis.map((k) => {
    const j = prev.kpis.findIndex((p) => p.code === k.code);
    if (j < 0) return null;
    const p = prev.kpis[j]!;
    if (p.weight !== k.weight || JSON.stringify(p.rule) !== JSON.stringify(k.rule)) return null;
    if (k.rule.type === 'rater' && !sameRaters) return null;
    return j;
  });
}

export function sameRaters(prev: Scheme, next: Scheme): boolean {
  return JSON.stringify(prev.raters ?? null) === JSON.stringify(next.raters ?? null);
}

/**
 * Bumped whenever the compiled SQL can give a different number for the same scheme and data
 * (2: half-up rounding of the written decimal without the string path). Results stored from
 * compiled SQL, such as the simulator's base-scheme caches, carry it in their key.
 */
export const SCHEME_SQL_VERSION = 2;

export function compileSchemeSql(input: unknown, source: SqlSource, options: CompileOptions = {}): CompiledScheme {
  const parsed = schemeSchema.safeParse(input);
  if (!parsed.success)
    throw new SchemeCompileError(
      parsed.error.issues.map((i) => {
        const [zh, en] = i.message.includes(' / ') ? i.message.split(' / ', 2) : [`方案字段无效：${i.message}`, `invalid scheme field: ${i.message}`];
        return { path: i.path as (string | number)[], zh: zh!, en: en! };
      }),
    );
  const scheme = parsed.data;
  const issues = sourceIssues(scheme, source);
  if (issues.length) throw new SchemeCompileError(issues);

  const pass = source.passthrough;
  const composite = compositeSql(scheme, source);

  // Stage 1: inputs per line (rater KPIs read the composite, falling back to the stored line).
  const lineInputs = scheme.kpis.map((k, i) => {
    const col = source.kpi(k.code);
    let actual = col?.actual ?? 'CAST(NULL AS DOUBLE)';
    const target = col?.target ?? 'CAST(NULL AS DOUBLE)';
    if (k.rule.type === 'rater' && composite) actual = col ? `coalesce(_composite, ${col.actual})` : '_composite';
    return { k, i, actual, target };
  });
  const s1 = [
    ...pass,
    '_composite',
    ...lineInputs.flatMap(({ i, actual, target }) => [`${actual} AS _a${i}`, `${target} AS _t${i}`]),
    ...scheme.vetoes.map((v, i) => `coalesce(${source.event(v.event, v.window) ?? ZERO}, ${ZERO}) AS _ev${i}`),
    `${source.salary ?? 'CAST(NULL AS DOUBLE)'} AS _salary`,
    `${source.orderTotal ?? 'CAST(NULL AS DOUBLE)'} AS _order_total`,
    `${source.supervisorRatio ?? 'CAST(NULL AS DOUBLE)'} AS _sup_ratio`,
    ...(options.reuse?.lines ?? []).filter((c): c is string => !!c),
  ];
  const stage0 = `SELECT *, ${options.reuse?.composite ?? composite ?? 'CAST(NULL AS DOUBLE)'} AS _composite FROM ${source.from}`;
  const stage1 = `SELECT ${s1.join(',\n  ')} FROM (${stage0}) s0`;

  // Stage 2: weighted lines and the running total in KPI order (the TS loop's summation order).
  const passAliases = pass;
  const carry = [...passAliases, '_composite', ...scheme.kpis.flatMap((_, i) => [`_a${i}`, `_t${i}`]), ...scheme.vetoes.map((_, i) => `_ev${i}`), '_salary', '_order_total', '_sup_ratio'];
  const reused = options.reuse?.lines ?? [];
  const weighted = scheme.kpis.map((k, i) => `${reused[i] ?? weightedSql(k, `_a${i}`, `_t${i}`)} AS _w${i}`);
  const stage2 = `SELECT ${[...carry, ...weighted].join(', ')} FROM (${stage1}) s1`;
  let total = ZERO;
  scheme.kpis.forEach((_, i) => {
    total = `(${total} + _w${i})`;
  });
  const lineCols = options.keepLines ? [...scheme.kpis.map((_, i) => `_w${i}`)] : [];
  // The raw total is its own column: roundHalfUpSql repeats its argument, and a column costs
  // nothing to repeat where a 12-term sum does.
  const stage3 = `SELECT ${[...carry, ...lineCols].join(', ')}, ${roundHalfUpSql('_total')} AS score FROM (SELECT *, ${total} AS _total FROM (${stage2}) s2) s2b`;

  // Stage 4: grade from the bands (core gradeForScore: the score itself, or floor(score + 0.5)
  // under gradeRounding 'half_up_integer', against each minimum).
  const bands = scheme.gradeBands;
  const graded = (scheme.gradeRounding ?? 'none') === 'half_up_integer' ? `floor(score + ${dbl(0.5)})` : 'score';
  const bandIdx = `CASE ${bands.map((b) => (b.min === null ? `WHEN TRUE THEN ${GRADES.indexOf(b.grade)}` : `WHEN ${graded} >= ${dbl(b.min)} THEN ${GRADES.indexOf(b.grade)}`)).join(' ')} ELSE ${GRADES.indexOf(bands[bands.length - 1]!.grade)} END`;
  let gradeIdx = '_band_idx';
  scheme.vetoes.forEach((v, i) => {
    gradeIdx = `CASE WHEN _ev${i} >= ${dbl(v.threshold)} THEN greatest(${gradeIdx}, ${GRADES.indexOf(v.capGrade)}) ELSE ${gradeIdx} END`;
  });
  const stage4 = `SELECT *, ${gradeIdx} AS _grade_idx FROM (SELECT *, ${bandIdx} AS _band_idx FROM (${stage3}) s3) s4a`;
  const gradeCode = (col: string) => `CASE ${col} ${GRADES.map((g, i) => `WHEN ${i} THEN '${g}'`).join(' ')} END`;
  const coef = `CASE _grade_idx ${bands.map((b) => `WHEN ${GRADES.indexOf(b.grade)} THEN ${dbl(b.coefficient)}`).join(' ')} END`;

  // Stage 5: bonus parts, each rounded to cents, then the rounded sum (computeBonus).
  // Raw part amounts (NULL when an input is missing), rounded to cents one stage later.
  const rawParts = scheme.bonus.map((c) => {
    switch (c.type) {
      case 'score_share':
        return `((${baseSql(c.base, { ...source, salary: '_salary' })} * score) / ${HUNDRED})`;
      case 'grade_coefficient':
        return `(${baseSql(c.base, { ...source, salary: '_salary' })} * coefficient)`;
      case 'achievement_split': {
        const i = scheme.kpis.findIndex((k) => k.code === c.kpiCode);
        // TS: line.actual !== null && line.target (truthy: non-null, non-zero) ? actual/target : 0
        const ach = `(CASE WHEN _a${i} IS NOT NULL AND _t${i} IS NOT NULL AND _t${i} <> ${ZERO} AND NOT isnan(_t${i}) THEN _a${i} / _t${i} ELSE ${ZERO} END)`;
        const b = baseSql(c.base, { ...source, salary: '_salary' });
        const ratio = `least(${dbl(c.supervisorRatioMax)}, greatest(${dbl(c.supervisorRatioMin)}, _sup_ratio))`;
        return `(CASE WHEN ${finite('_sup_ratio')} THEN (${ach} * ${b}) * ${dbl(c.resultShare)} + (${ratio} * ${b}) * ${dbl(c.supervisorShare)} ELSE NULL END)`;
      }
      case 'commission':
        return `(CASE WHEN ${finite('_order_total')} THEN (_order_total * ${dbl(c.rate)}) ELSE NULL END)`;
    }
  });
  const parts = rawParts.map((_, i) => roundHalfUpSql(`_r${i}`));
  let bonusSum = ZERO;
  parts.forEach((_, i) => {
    bonusSum = `(${bonusSum} + _p${i})`;
  });
  const bonus = parts.length ? roundHalfUpSql('_bonus_sum') : 'CAST(NULL AS DOUBLE)';
  const stage5Inner = `SELECT *, ${coef} AS coefficient FROM (${stage4}) s4`;
  const rawCols = rawParts.map((p, i) => `${p} AS _r${i}`);
  const partCols = parts.map((p, i) => `${p} AS _p${i}`);
  const stage5 = partCols.length
    ? `SELECT *, ${bonusSum} AS _bonus_sum FROM (SELECT *, ${partCols.join(', ')} FROM (SELECT *, ${rawCols.join(', ')} FROM (${stage5Inner}) s5a) s5b) s5c`
    : `SELECT * FROM (${stage5Inner}) s5`;
  const missing = parts.length ? parts.map((_, i) => `_p${i} IS NULL`).join(' OR ') : 'FALSE';
  const sql = `SELECT ${[...passAliases, 'score', `${gradeCode('_band_idx')} AS band_grade`, `${gradeCode('_grade_idx')} AS grade`, 'coefficient', `${bonus} AS bonus`, `(${missing}) AS bonus_missing`, '(_grade_idx <> _band_idx) AS vetoed', ...(options.keepLines ? [...scheme.kpis.map((_, i) => `_w${i} AS w${i}`), '_composite AS composite'] : [])].join(', ')} FROM (${stage5}) s6`;
  return { sql };
}
