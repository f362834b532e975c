import { periodInfo, type AnalysisFilters, type Cycle, type ResolvedAnalysisFilters } from '@perflens/core';
import type { SqlParams, Warehouse } from '../db.ts';
import { orgSubtree } from './org-subtree.ts';
import { currentActor } from '../context.ts';

/**
 * SQL fragments for the shared analysis filters over a derived fact table (migrations 002–004:
 * assessment_facts, assessment_cube or rater_summary, all carrying period kind/start, org unit
 * and role inline).
 * Only the fragments for filters that are present are emitted (and only their parameters
 * bound): DuckDB plans the statement before it sees the values, so an always-present
 * `$x IS NULL OR …` would cost a full evaluation per row and defeat the zone-map pruning
 * on the (kind, start)-ordered fact table.
 * Every fragment is a constant of this file; user values only ever travel as `$params`.
 */
export interface FilterSql {
  /** `WITH RECURSIVE …` prefix (empty when no org filter); other CTEs go after it with a comma. */
  with: string;
  /** The filtered fact table as a derived table aliased `a`; callers may add their own WHERE. */
  from: string;
  params: SqlParams;
}

/** `cube` counts assessments per period, unit, role, grade and score (migration 004): read `sum(a.n)`. */
const FACT_TABLES = { assessments: 'assessment_facts', cube: 'assessment_cube', raters: 'rater_summary' } as const;
type FactTable = keyof typeof FACT_TABLES;

/** Above this many units an IN list costs more to plan than the recursive CTE it replaces. */
const MAX_LISTED_UNITS = 256;

/**
 * `subtree`: the org filter's unit and its descendants when the caller has them (orgSubtree),
 * bound as a list of constants; without it the statement walks the tree itself.
 */
export function filterSql(f: ResolvedAnalysisFilters, facts: FactTable = 'assessments', subtree?: readonly string[]): FilterSql {
  // Without a cycle the rows of every cycle would be counted together (a year's assessment
  // beside its twelve months): callers resolve it first (resolveCycle). Guarded at run time too,
  // for callers the types do not reach (a cast, plain JS).
  if ((f.cycle as Cycle | undefined) === undefined) throw new Error('filterSql needs a resolved cycle: call resolveCycle first');
  return build(f, f.cycle, facts, subtree);
}

/**
 * The same filters over every cycle (no `period_kind` condition): for resolveCycle, which asks
 * which cycles have rows in the rest of the filter. Analyses go through filterSql, whose type
 * requires a resolved cycle, so none can read months, quarters and years summed together.
 */
export function anyCycleFilterSql(f: AnalysisFilters, facts: FactTable = 'assessments', subtree?: readonly string[]): FilterSql {
  return build(f, undefined, facts, subtree);
}

function build(f: AnalysisFilters, cycle: Cycle | undefined, facts: FactTable, subtree: readonly string[] | undefined): FilterSql {
  const params: SqlParams = {};
  const where: string[] = [];
  // Parameters are cast to the columns' ENUM types so the comparison runs on codes and can
  // use zone maps (migration 003).
  if (cycle !== undefined) {
    where.push('period_kind = $cycle::period_kind_t');
    params.cycle = cycle;
  }
  let withSql = '';
  // A period is in the range when its start date lies between the start of `from` and the END of
  // `to`: a bound names a whole period, so `to: "2024"` on the monthly cycle reaches December and
  // `to: "2024-Q1"` March (comparing with the start of `to` kept only its first month). Start
  // dates also let a month range pick the quarters starting inside it. Both dates follow from the
  // ids (2024-03 → 2024-03-01 … 2024-03-31, 2024-Q2 → 2024-04-01 … 2024-06-30) and are bound as
  // constants: DuckDB then prunes whole row groups of the period-ordered facts, which a scalar
  // subquery on periods would prevent.
  if (f.from !== undefined) {
    where.push('period_start >= $fromDate::DATE');
    params.fromDate = periodInfo(f.from)!.start;
  }
  if (f.to !== undefined) {
    where.push('period_start <= $toDate::DATE');
    params.toDate = periodInfo(f.to)!.end;
  }
  if (f.role !== undefined) {
    // TRY_CAST: roles are data now, and a code that role_t does not (yet) list matches no row
    // instead of failing the statement; still a constant, so zone maps keep pruning.
    where.push('role = TRY_CAST($role AS role_t)');
    params.role = f.role;
  }
  if (f.orgUnitId !== undefined && subtree && subtree.length <= MAX_LISTED_UNITS) {
    where.push(`org_unit_id IN (${subtree.map((_, i) => `$ou${i}`).join(', ')})`);
    subtree.forEach((id, i) => (params[`ou${i}`] = id));
  } else if (f.orgUnitId !== undefined) {
    // UNION (not UNION ALL) stops on a cycle in bad parent data instead of recursing forever.
    withSql = `WITH RECURSIVE subtree(id) AS (
      SELECT id FROM org_units WHERE id = $orgUnitId
      UNION
      SELECT o.id FROM org_units o JOIN subtree s ON o.parent_id = s.id
    )`;
    where.push('org_unit_id IN (SELECT id FROM subtree)');
    params.orgUnitId = f.orgUnitId;
  }
  scopeWhere(where, params);
  return {
    with: withSql,
    from: `(SELECT * FROM ${FACT_TABLES[facts]}${where.length ? ` WHERE ${where.join(' AND ')}` : ''}) a`,
    params,
  };
}

/**
 * The caller's org scope (issue: who may see what), added to every filtered statement whatever
 * the request's own filters say: a manager or viewer reads only rows of the units in their
 * subtrees (the actor carries them expanded, context.ts). An empty scope matches nothing:
 * default deny. Unit ids travel as bound parameters like every user value.
 */
export function scopeWhere(where: string[], params: SqlParams, column = 'org_unit_id'): void {
  const units = currentActor()?.orgScopes;
  if (units == null) return;
  if (units.length === 0) {
    where.push('FALSE');
    return;
  }
  where.push(`${column} IN (${units.map((_, i) => `$scope${i}`).join(', ')})`);
  units.forEach((id, i) => (params[`scope${i}`] = id));
}

/** The scope as a cache key part: cached answers must never cross from one scope to another. */
export function scopeKey(): string {
  const units = currentActor()?.orgScopes;
  return units == null ? '*' : [...units].sort().join(',');
}

/** filterSql with the org filter's subtree read from the cached tree (one statement fewer to plan). */
export async function scopedFilterSql(wh: Warehouse, f: ResolvedAnalysisFilters, facts: FactTable = 'assessments'): Promise<FilterSql> {
  return filterSql(f, facts, f.orgUnitId === undefined ? undefined : await orgSubtree(wh, f.orgUnitId));
}

/** Prefix for a statement with extra CTEs: merges with the recursive subtree CTE when present. */
export function withClause(fs: FilterSql, ...ctes: string[]): string {
  if (ctes.length === 0) return fs.with;
  return fs.with ? `${fs.with}, ${ctes.join(', ')}` : `WITH ${ctes.join(', ')}`;
}
