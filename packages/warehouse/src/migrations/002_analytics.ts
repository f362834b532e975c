/**
 * Derived, read-optimised copies of the facts the analyses scan. The canonical tables stay the
 * source of truth; these are rebuilt from them (analytics.ts) after every committed write.
 * - assessment_facts: assessments with the period's kind and start date, and the employee and
 *   org-unit names, inlined and stored in (kind, start, unit) order, so that filters need no
 *   joins and DuckDB's zone maps skip whole row groups for a period slice.
 * - rater_summary: rater scores pre-aggregated per rater, relation and the rated assessment's
 *   period and unit (n, Σx, Σx²) — rater leniency then reads thousands of rows, not tens of millions.
 */
export const name = 'analytics layout';
export const sql = `
CREATE TABLE assessment_facts (
  employee_id VARCHAR NOT NULL,
  employee_name VARCHAR,
  period_id VARCHAR NOT NULL,
  period_kind VARCHAR NOT NULL,
  period_start DATE NOT NULL,
  org_unit_id VARCHAR NOT NULL,
  org_unit_name VARCHAR,
  role VARCHAR NOT NULL,
  score DOUBLE,
  grade VARCHAR,
  coefficient DOUBLE,
  bonus DECIMAL(14,2)
);

CREATE TABLE rater_summary (
  rater_id VARCHAR NOT NULL,
  relation VARCHAR NOT NULL,
  period_id VARCHAR NOT NULL,
  period_kind VARCHAR NOT NULL,
  period_start DATE NOT NULL,
  org_unit_id VARCHAR NOT NULL,
  role VARCHAR NOT NULL,
  n BIGINT NOT NULL,
  sum_score DOUBLE NOT NULL,
  sum_sq DOUBLE NOT NULL
);

CREATE TABLE analytics_state (
  id INTEGER PRIMARY KEY,
  signature VARCHAR NOT NULL,
  refreshed_at TIMESTAMP NOT NULL
);
`;
