/**
 * Calibration sessions: one row per person and period of a saved session (the session itself,
 * its inputs and group quotas live in `calibrations` from migration 001; its changes in
 * `audit_log`). A session over a month of 200,000 people holds 200,000 proposals, too many for
 * the session's JSON definition, hence a table. `final_grade` starts as the proposal and is the
 * only column an adjustment changes.
 */
export const name = 'calibration session items';
export const sql = `
CREATE TABLE calibration_items (
  calibration_id VARCHAR NOT NULL,
  employee_id VARCHAR NOT NULL,
  employee_name VARCHAR,
  period_id VARCHAR NOT NULL,
  group_key VARCHAR NOT NULL,
  org_unit_id VARCHAR NOT NULL,
  role VARCHAR NOT NULL,
  score DOUBLE,
  ranking_score DOUBLE,
  position INTEGER NOT NULL,
  recorded_grade VARCHAR,
  proposed_grade VARCHAR NOT NULL,
  final_grade VARCHAR NOT NULL,
  flagged BOOLEAN NOT NULL
);
`;
