/**
 * Per-person running totals for the policy analyses' person-level tests (one value per person
 * and window: the mean score and the median grade). Grouping 7.2M assessment rows by person on
 * every new policy, window or control group took 0.65–0.9 s of a policy.effect call at 200,000
 * employees × 36 months; the grouping itself cannot be cached, because who is treated and which
 * side of the date a row is on depend on the policy. Running totals can: a person's sums over any
 * window [lo, hi] split at any date d are differences of the totals at three boundaries, so a
 * request reads one row per person and boundary instead of every row (≈ 150 ms).
 * - person_stints: one row per person, cycle, org unit and role they were assessed in (a stint;
 *   people who moved have several). `person` is a dense integer per employee, `shared` says the
 *   person has other stints in that cycle (only those need merging per person at query time).
 * - person_cumulative: one row per stint and assessed period, with the stint's totals up to and
 *   including that period and the start of its next assessed period ('infinity' after the last):
 *   the totals before date x are on the one row with period_start < x ≤ next_start.
 *   Scores are summed as integer micro-points, so the sums are exact and the same on every run
 *   (a DOUBLE sum depends on the order the threads add, which split tied person means apart).
 * Role is text here, not role_t: these tables then stay out of the role ENUM rebuild.
 * Rebuilt with the other derived tables (analytics.ts); clearing analytics_state makes the next
 * read fill them on an existing database (as migration 004 does).
 */
export const name = 'person stints and running totals';
export const sql = `
CREATE TABLE person_stints (
  stint INTEGER NOT NULL,
  period_kind period_kind_t NOT NULL,
  person INTEGER NOT NULL,
  employee_id VARCHAR NOT NULL,
  org_unit_id VARCHAR NOT NULL,
  role VARCHAR,
  shared BOOLEAN NOT NULL
);

CREATE TABLE person_cumulative (
  period_kind period_kind_t NOT NULL,
  period_start DATE NOT NULL,
  next_start DATE NOT NULL,
  stint INTEGER NOT NULL,
  score_micro BIGINT NOT NULL,
  scored INTEGER NOT NULL,
  grade_a INTEGER NOT NULL,
  grade_b INTEGER NOT NULL,
  grade_c INTEGER NOT NULL,
  grade_d INTEGER NOT NULL,
  grade_e INTEGER NOT NULL
);

DELETE FROM analytics_state;
`;
