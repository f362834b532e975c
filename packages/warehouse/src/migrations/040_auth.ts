/**
 * Users, sessions, personal API tokens and a tamper-evident audit trail (issue: who may see
 * what). Secrets are never stored: a session or token is a random value the client keeps; the
 * table holds its SHA-256. Passwords are argon2id hashes (PHC strings).
 *
 * The audit chain: each entry stores the hash of the previous one and a hash over its own
 * content and that previous hash (audit-append.ts); `perflens audit verify` recomputes it.
 * audit_head holds the last link, so two transactions appending at once conflict (one is retried)
 * instead of forking the chain.
 */
export const name = 'users, sessions, tokens, audit chain';
export const sql = `
ALTER TABLE users ADD COLUMN password_hash VARCHAR;
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN DEFAULT false;
ALTER TABLE users ADD COLUMN disabled BOOLEAN DEFAULT false;
ALTER TABLE users ADD COLUMN org_scopes VARCHAR[];
ALTER TABLE users ADD COLUMN updated_at TIMESTAMP;

ALTER TABLE sessions ADD COLUMN last_seen_at TIMESTAMP;
ALTER TABLE sessions ADD COLUMN ip VARCHAR;
ALTER TABLE sessions ADD COLUMN revoked_at TIMESTAMP;

CREATE TABLE api_tokens (
  id VARCHAR PRIMARY KEY,
  user_id VARCHAR NOT NULL,
  name VARCHAR NOT NULL,
  token_hash VARCHAR NOT NULL UNIQUE,
  created_at TIMESTAMP NOT NULL,
  last_used_at TIMESTAMP,
  revoked_at TIMESTAMP
);

ALTER TABLE audit_log ADD COLUMN ip VARCHAR;
ALTER TABLE audit_log ADD COLUMN prev_hash VARCHAR;
ALTER TABLE audit_log ADD COLUMN hash VARCHAR;
CREATE TABLE audit_head (
  id INTEGER PRIMARY KEY,
  last_id BIGINT NOT NULL,
  hash VARCHAR NOT NULL
);

CREATE TABLE settings (
  key VARCHAR PRIMARY KEY,
  value JSON NOT NULL,
  updated_at TIMESTAMP NOT NULL
);
`;
