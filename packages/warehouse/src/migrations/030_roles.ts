import { DEFAULT_SCHEME_BY_ROLE, ROLES, ROLE_LABELS, ROLE_SYNONYMS } from '@perflens/core';

/**
 * Roles are data (issue: any company's own history). The seven seed roles stay as built-in rows
 * with their Chinese aliases and schemes; any other job title a company imports becomes a row of
 * its own with no scheme. Rating scales map a company's own grade values onto A–E and are kept
 * with the mapping; the original label is stored beside the canonical grade.
 *
 * role_t (migration 003) is no longer a fixed list: analytics.ts recreates it from this table
 * whenever the set of roles changes (the derived tables that use it are rebuilt at that moment
 * anyway), so grouping and filtering keep running on one-byte codes.
 */
const q = (s: string) => `'${s.replace(/'/g, "''")}'`;
const list = (xs: readonly string[]) => `[${xs.map(q).join(', ')}]::VARCHAR[]`;

const builtins = ROLES.map(
  (r) => `(${q(r)}, ${q(ROLE_LABELS[r].zh)}, ${q(ROLE_LABELS[r].en)}, ${list(ROLE_SYNONYMS[r])}, ${q(DEFAULT_SCHEME_BY_ROLE[r])}, true)`,
).join(',\n  ');

export const name = 'roles, rating scales, grade labels';
export const sql = `
CREATE TABLE roles (
  code VARCHAR PRIMARY KEY,
  name_zh VARCHAR NOT NULL,
  name_en VARCHAR NOT NULL,
  aliases VARCHAR[] NOT NULL DEFAULT [],
  scheme_id VARCHAR,
  builtin BOOLEAN NOT NULL DEFAULT false,
  batch_id INTEGER,
  created_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);
INSERT INTO roles (code, name_zh, name_en, aliases, scheme_id, builtin) VALUES
  ${builtins};
-- Any role already referenced by stored rows (none before this migration could be outside the
-- seven, but a hand-edited database should not lose its rows from the analyses).
INSERT INTO roles (code, name_zh, name_en)
SELECT DISTINCT role, role, role FROM (SELECT role FROM employees UNION SELECT role FROM assessments)
 WHERE role NOT IN (SELECT code FROM roles);

CREATE TABLE rating_scales (
  name VARCHAR PRIMARY KEY,
  label_zh VARCHAR NOT NULL,
  label_en VARCHAR NOT NULL,
  entries JSON NOT NULL,
  updated_at TIMESTAMP NOT NULL
);

-- The grade as the company wrote it (卓越, "Exceeds", 3), and whether the grade was derived from
-- the score by the bands because the file had none.
ALTER TABLE assessments ADD COLUMN grade_label VARCHAR;
ALTER TABLE assessments ADD COLUMN grade_derived BOOLEAN;
ALTER TABLE import_mappings ADD COLUMN grade_map JSON;

-- A rater known only by name (a flat sheet's "Manager" column), or by an id that is no employee.
CREATE TABLE rater_names (
  rater_id VARCHAR PRIMARY KEY,
  name VARCHAR NOT NULL
);

ALTER TABLE assessment_facts ADD COLUMN grade_label VARCHAR;
DELETE FROM analytics_state;
`;
