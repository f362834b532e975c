import { periodInfo, type AnalysisFilters } from '@perflens/core';
import type { SqlParams } from '../db.ts';

/**
 * SQL fragments for the shared analysis filters over a derived fact table (migration 002:
 * assessment_facts or rater_summary, both carrying period kind/start, org unit and role inline).
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

const FACT_TABLES = { assessments: 'assessment_facts', raters: 'rater_summary' } as const;

export function filterSql(f: AnalysisFilters, facts: keyof typeof FACT_TABLES = 'assessments'): FilterSql {
  const params: SqlParams = { cycle: f.cycle };
  // Parameters are cast to the columns' ENUM types so the comparison runs on codes and can
  // use zone maps (migration 003).
  const where = ['period_kind = $cycle::period_kind_t'];
  let withSql = '';
  // Compared by start date so that e.g. a month range also picks the quarters starting inside it.
  // A period's start date follows from its id (2024-03 → 2024-03-01, 2024-Q2 → 2024-04-01), so
  // it is bound as a constant: DuckDB then prunes whole row groups of the period-ordered facts,
  // which a scalar subquery on periods would prevent.
  if (f.from !== undefined) {
    where.push('period_start >= $fromDate::DATE');
    params.fromDate = periodInfo(f.from)!.start;
  }
  if (f.to !== undefined) {
    where.push('period_start <= $toDate::DATE');
    params.toDate = periodInfo(f.to)!.start;
  }
  if (f.role !== undefined) {
    where.push('role = $role::role_t');
    params.role = f.role;
  }
  if (f.orgUnitId !== undefined) {
    // UNION (not UNION ALL) stops on a cycle in bad parent data instead of recursing forever.
    withSql = `WITH RECURSIVE subtree(id) AS (
      SELECT id FROM org_units WHERE id = $orgUnitId
      UNION
      SELECT o.id FROM org_units o JOIN subtree s ON o.parent_id = s.id
    )`;
    where.push('org_unit_id IN (SELECT id FROM subtree)');
    params.orgUnitId = f.orgUnitId;
  }
  return {
    with: withSql,
    from: `(SELECT * FROM ${FACT_TABLES[facts]} WHERE ${where.join(' AND ')}) a`,
    params,
  };
}

/** Prefix for a statement with extra CTEs: merges with the recursive subtree CTE when present. */
export function withClause(fs: FilterSql, ...ctes: string[]): string {
  if (ctes.length === 0) return fs.with;
  return fs.with ? `${fs.with}, ${ctes.join(', ')}` : `WITH ${ctes.join(', ')}`;
}
