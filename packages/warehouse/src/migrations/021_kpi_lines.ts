/**
 * KPI lines are the one table that reaches tens of millions of rows (200,000 employees × 36
 * months × 8 KPIs = 57.6M). Stored with three VARCHAR keys, writing them was the import's floor:
 * DuckDB spent most of an import compressing the strings (5M rows: 2.7 s for the three strings,
 * 0.33 s for the numbers). They are now stored as `kpi_lines` with integer keys into three small
 * dictionaries, and `kpi_results` becomes a view that spells the keys out again, so every reader
 * and the import templates keep the canonical shape.
 * A dictionary may hold ids that are not (or not yet) in employees/periods: references are
 * validated by the importer against the canonical tables, not against the dictionaries.
 */
export const name = 'integer-keyed KPI lines';
export const sql = `
CREATE TABLE employee_keys (key INTEGER PRIMARY KEY, id VARCHAR NOT NULL UNIQUE);
CREATE TABLE period_keys (key INTEGER PRIMARY KEY, id VARCHAR NOT NULL UNIQUE);
CREATE TABLE kpi_codes (key INTEGER PRIMARY KEY, code VARCHAR NOT NULL UNIQUE);

INSERT INTO employee_keys
SELECT CAST(row_number() OVER (ORDER BY id) AS INTEGER), id
  FROM (SELECT id FROM employees UNION SELECT employee_id FROM kpi_results);
INSERT INTO period_keys
SELECT CAST(row_number() OVER (ORDER BY id) AS INTEGER), id
  FROM (SELECT id FROM periods UNION SELECT period_id FROM kpi_results);
INSERT INTO kpi_codes
SELECT CAST(row_number() OVER (ORDER BY code) AS INTEGER), code
  FROM (SELECT DISTINCT kpi_code AS code FROM kpi_results);

CREATE TABLE kpi_lines (
  employee_key INTEGER NOT NULL,
  period_key INTEGER NOT NULL,
  kpi_key INTEGER NOT NULL,
  target DOUBLE,
  actual DOUBLE,
  score DOUBLE,
  weight DOUBLE,
  batch_id INTEGER,
  source_row INTEGER
);

INSERT INTO kpi_lines
SELECT e.key, p.key, k.key, r.target, r.actual, r.score, r.weight, r.batch_id, r.source_row
  FROM kpi_results r
  JOIN employee_keys e ON e.id = r.employee_id
  JOIN period_keys p ON p.id = r.period_id
  JOIN kpi_codes k ON k.code = r.kpi_code;

DROP TABLE kpi_results;

CREATE VIEW kpi_results AS
SELECT e.id AS employee_id, p.id AS period_id, k.code AS kpi_code,
       l.target, l.actual, l.score, l.weight, l.batch_id, l.source_row
  FROM kpi_lines l
  JOIN employee_keys e ON e.key = l.employee_key
  JOIN period_keys p ON p.key = l.period_key
  JOIN kpi_codes k ON k.key = l.kpi_key;
`;
