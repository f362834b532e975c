/**
 * Headcounts per (period, org unit, role, score, recorded grade), derived from assessment_facts
 * for the forced ranking. Scores are coarse (one decimal), so 7.2M assessments collapse to about
 * 110,000 cells: the ranking plans its groups and ranks its tie blocks from these counts and
 * reads individual people only for the page it returns (36 months: 8–9 s before, see the commit).
 * Rows with no score are kept (score NULL) because the ranking reports how many it left out.
 * Rebuilt on first use after the analytics tables change (`built_from` records which refresh of
 * analytics_state it reflects), ordered by period so range filters skip whole row groups.
 */
export const name = 'ranking cells';
export const sql = `
CREATE TABLE ranking_cells (
  period_id VARCHAR NOT NULL,
  period_kind period_kind_t NOT NULL,
  period_start DATE NOT NULL,
  org_unit_id VARCHAR NOT NULL,
  role role_t,
  score DOUBLE,
  grade grade_t,
  n INTEGER NOT NULL
);
CREATE TABLE ranking_cells_state (
  id INTEGER PRIMARY KEY,
  built_from VARCHAR NOT NULL
);
`;
