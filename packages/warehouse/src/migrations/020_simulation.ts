/**
 * Layout for the what-if simulator. Re-scoring reads every KPI line of the history; in the
 * canonical long form (one row per KPI line, 57.6M rows at 200k employees × 36 months) that is
 * a 57.6M-row pivot per run. `sim_facts` holds the same facts pre-pivoted: one row per
 * employee-month with the KPI actual/target in slots a0…a11/t0…t11 (slot per role and KPI code in
 * `sim_kpi_slots`), rater relations averaged into columns, and the bonus inputs inline. Rows are
 * written in period order so a one-month run reads one month's row groups (zone maps).
 * Derived data: rebuilt from the canonical tables when their signature changes.
 */
export const name = 'simulation layout';

export const KPI_SLOTS = 12;
const slotCols = Array.from({ length: KPI_SLOTS }, (_, i) => `a${i} DOUBLE, t${i} DOUBLE`).join(',\n  ');

export const sql = `
CREATE TABLE sim_kpi_slots (
  role VARCHAR NOT NULL,
  kpi_code VARCHAR NOT NULL,
  slot SMALLINT NOT NULL,
  PRIMARY KEY (role, kpi_code)
);
CREATE TABLE sim_periods (
  ord SMALLINT PRIMARY KEY,
  period_id VARCHAR NOT NULL,
  start_date DATE NOT NULL
);
CREATE TABLE sim_facts (
  period_ord SMALLINT NOT NULL,
  period_id VARCHAR NOT NULL,
  employee_id VARCHAR NOT NULL,
  org_unit_id VARCHAR NOT NULL,
  role VARCHAR NOT NULL,
  scheme_id VARCHAR,
  rec_score DOUBLE,
  rec_grade VARCHAR,
  rec_coefficient DOUBLE,
  rec_bonus DECIMAL(14,2),
  salary DOUBLE,
  order_total DOUBLE,
  supervisor_ratio DOUBLE,
  complaints_m DOUBLE,
  complaints_q DOUBLE,
  complaints_y DOUBLE,
  r_self DOUBLE,
  r_peer DOUBLE,
  r_supervisor DOUBLE,
  r_indirect_supervisor DOUBLE,
  r_customer DOUBLE,
  ${slotCols}
);
CREATE TABLE sim_state (
  id INTEGER PRIMARY KEY,
  signature VARCHAR NOT NULL,
  refreshed_at TIMESTAMP NOT NULL
);
`;
