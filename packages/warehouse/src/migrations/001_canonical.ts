/**
 * Canonical tables (DESIGN.md "Data model"). Fact tables carry no PRIMARY KEY: DuckDB's ART
 * indexes make bulk loads of tens of millions of rows slow and memory-hungry, so key
 * uniqueness is enforced by the importers (duplicate-key policy) instead.
 * Every imported row keeps batch_id + source_row so any figure can be traced to its file line.
 */
export const name = 'canonical tables';
export const sql = `
CREATE SEQUENCE IF NOT EXISTS import_batch_seq START 1;

CREATE TABLE import_batches (
  id INTEGER PRIMARY KEY,
  table_name VARCHAR NOT NULL,
  file_name VARCHAR NOT NULL,
  file_sha256 VARCHAR,
  format VARCHAR NOT NULL,
  row_count INTEGER NOT NULL,
  inserted INTEGER NOT NULL DEFAULT 0,
  replaced INTEGER NOT NULL DEFAULT 0,
  mapping JSON,
  source VARCHAR NOT NULL DEFAULT 'upload',
  started_at TIMESTAMP NOT NULL,
  finished_at TIMESTAMP NOT NULL
);

-- Warnings attached to a committed batch (a failed batch writes nothing at all).
CREATE TABLE import_errors (
  batch_id INTEGER NOT NULL,
  row_number INTEGER,
  column_name VARCHAR,
  code VARCHAR NOT NULL,
  message_zh VARCHAR NOT NULL,
  message_en VARCHAR NOT NULL,
  value VARCHAR
);

CREATE TABLE import_mappings (
  name VARCHAR PRIMARY KEY,
  table_name VARCHAR NOT NULL,
  mapping JSON NOT NULL,
  constants JSON NOT NULL,
  updated_at TIMESTAMP NOT NULL
);

CREATE TABLE org_units (
  id VARCHAR PRIMARY KEY,
  name VARCHAR NOT NULL,
  parent_id VARCHAR,
  kind VARCHAR NOT NULL DEFAULT 'department',
  batch_id INTEGER,
  source_row INTEGER
);

CREATE TABLE employees (
  id VARCHAR PRIMARY KEY,
  name VARCHAR NOT NULL,
  org_unit_id VARCHAR NOT NULL,
  role VARCHAR NOT NULL,
  level VARCHAR,
  hire_date DATE,
  leave_date DATE,
  manager_id VARCHAR,
  gender VARCHAR,
  birth_year INTEGER,
  monthly_salary DECIMAL(12,2),
  batch_id INTEGER,
  source_row INTEGER
);

CREATE TABLE periods (
  id VARCHAR PRIMARY KEY,
  kind VARCHAR NOT NULL,
  start_date DATE NOT NULL,
  end_date DATE NOT NULL,
  batch_id INTEGER,
  source_row INTEGER
);

CREATE TABLE schemes (
  id VARCHAR PRIMARY KEY,
  role VARCHAR NOT NULL,
  version INTEGER NOT NULL,
  name_zh VARCHAR NOT NULL,
  name_en VARCHAR NOT NULL,
  definition JSON NOT NULL
);

CREATE TABLE kpi_results (
  employee_id VARCHAR NOT NULL,
  period_id VARCHAR NOT NULL,
  kpi_code VARCHAR NOT NULL,
  target DOUBLE,
  actual DOUBLE,
  score DOUBLE,
  weight DOUBLE,
  batch_id INTEGER,
  source_row INTEGER
);

CREATE TABLE rater_scores (
  employee_id VARCHAR NOT NULL,
  period_id VARCHAR NOT NULL,
  rater_id VARCHAR NOT NULL,
  relation VARCHAR NOT NULL,
  score DOUBLE NOT NULL,
  batch_id INTEGER,
  source_row INTEGER
);

CREATE TABLE assessments (
  employee_id VARCHAR NOT NULL,
  period_id VARCHAR NOT NULL,
  org_unit_id VARCHAR NOT NULL,
  role VARCHAR NOT NULL,
  scheme_id VARCHAR,
  score DOUBLE,
  grade VARCHAR,
  coefficient DOUBLE,
  bonus DECIMAL(14,2),
  batch_id INTEGER,
  source_row INTEGER
);

CREATE TABLE metrics (
  org_unit_id VARCHAR,
  employee_id VARCHAR,
  period_id VARCHAR NOT NULL,
  metric VARCHAR NOT NULL,
  value DOUBLE NOT NULL,
  batch_id INTEGER,
  source_row INTEGER
);

CREATE TABLE policies (
  id VARCHAR PRIMARY KEY,
  name VARCHAR NOT NULL,
  description VARCHAR,
  effective_from DATE NOT NULL,
  scope_org_unit_ids VARCHAR[],
  scope_roles VARCHAR[],
  scheme_before VARCHAR,
  scheme_after VARCHAR,
  batch_id INTEGER,
  source_row INTEGER
);

CREATE TABLE scenarios (
  id VARCHAR PRIMARY KEY,
  name VARCHAR NOT NULL,
  base_scheme_id VARCHAR,
  definition JSON NOT NULL,
  created_at TIMESTAMP NOT NULL,
  created_by VARCHAR
);

CREATE TABLE calibrations (
  id VARCHAR PRIMARY KEY,
  name VARCHAR NOT NULL,
  definition JSON NOT NULL,
  status VARCHAR NOT NULL DEFAULT 'open',
  created_at TIMESTAMP NOT NULL,
  finalised_at TIMESTAMP
);

CREATE TABLE users (
  id VARCHAR PRIMARY KEY,
  name VARCHAR NOT NULL,
  role VARCHAR NOT NULL DEFAULT 'analyst',
  created_at TIMESTAMP NOT NULL
);

CREATE TABLE sessions (
  id VARCHAR PRIMARY KEY,
  user_id VARCHAR NOT NULL,
  created_at TIMESTAMP NOT NULL,
  expires_at TIMESTAMP NOT NULL
);

CREATE SEQUENCE IF NOT EXISTS audit_log_seq START 1;
CREATE TABLE audit_log (
  id BIGINT PRIMARY KEY DEFAULT nextval('audit_log_seq'),
  occurred_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
  actor VARCHAR,
  action VARCHAR NOT NULL,
  entity VARCHAR,
  entity_id VARCHAR,
  before JSON,
  after JSON,
  reason VARCHAR
);
`;
