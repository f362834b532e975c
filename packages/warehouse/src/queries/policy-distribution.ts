import { GRADES, type DistributionInputs, type GradeCounts } from '@perflens/core';
import type { Warehouse } from '../db.ts';
import { ensureAnalytics } from '../analytics.ts';
import { personDistributionSql, policyScopeCtes, policyScopeParams, type PolicyScopeParams } from './policy-scope-sql.ts';

/**
 * Score and grade distributions of the treated and control groups before and after the policy,
 * one value per person and window (personDistributionSql: each person's mean score and median
 * grade), as value counts: the rank and chi-square tests need the distributions, not the rows.
 */
export async function policyDistribution(wh: Warehouse, input: PolicyScopeParams): Promise<DistributionInputs> {
  await ensureAnalytics(wh);
  // Taken after ensureAnalytics: a rebuild it ran is itself a write.
  const generation = wh.writeGeneration;
  let entry = cache.get(wh);
  if (!entry || entry.generation !== generation || entry.byKey.size >= MAX_KEYS) cache.set(wh, (entry = { generation, byKey: new Map() }));
  const key = JSON.stringify([input.policyId, input.cycle, input.before ?? null, input.after ?? null, input.controlOrgUnitIds ?? null]);
  let hit = entry.byKey.get(key);
  if (!hit) {
    const byKey = entry.byKey;
    hit = personDistribution(wh, input);
    byKey.set(key, hit);
    // A failed read is not kept: the next request asks again.
    hit.catch(() => {
      if (byKey.get(key) === hit) byKey.delete(key);
    });
  }
  return hit;
}

/**
 * The person-level distribution groups every assessment row of the window by person (7.2 million
 * rows into 400,000 person × side groups at 200,000 employees × 36 months: about a second on two
 * cores), and it does not depend on the outcome: policy.brief asks it once per outcome and the
 * dashboard re-asks it on every view. So it is kept per warehouse until the next write (any
 * import, policy edit or rebuild bumps the write generation), bounded like resolveCycle's cache.
 */
const cache = new WeakMap<Warehouse, { generation: number; byKey: Map<string, Promise<DistributionInputs>> }>();
const MAX_KEYS = 64;

async function personDistribution(wh: Warehouse, input: PolicyScopeParams): Promise<DistributionInputs> {
  // The window as a period_start range (no per-row joins over millions of facts), the side as
  // period_start ≥ effective date.
  const d = personDistributionSql();
  // Ordered by value so the rank test's sort of up to 400,000 person means meets sorted input.
  const rows = await wh.query<DistributionCountRow>(
    `${policyScopeCtes()},
    bounds AS (SELECT min(p.start_date) AS lo, max(p.start_date) AS hi FROM per p JOIN win w ON w.period_id = p.id),
    ${d.ctes}
    SELECT * FROM (${d.select}) ORDER BY g, score, grade`,
    policyScopeParams(input),
  );
  return distributionFromCounts(rows);
}

/** One value count (people): g = 0 for a (treated, post, mean score) row, 1 for a (treated, post, median grade) row. */
export interface DistributionCountRow {
  treated: boolean;
  post: boolean | null;
  score: number | null;
  grade: string | null;
  n: number;
  g: number | null;
}

/** Value counts → the inputs of the rank and chi-square tests (shared with policyAssessmentPanel). */
export function distributionFromCounts(rows: readonly DistributionCountRow[]): DistributionInputs {
  const zero = (): GradeCounts => ({ A: 0, B: 0, C: 0, D: 0, E: 0 });
  const out: DistributionInputs = {
    scores: { treated: [], control: [] },
    grades: { treated: { before: zero(), after: zero() }, control: { before: zero(), after: zero() } },
  };
  const scoreMaps = { treated: new Map<number, { value: number; x: number; y: number }>(), control: new Map<number, { value: number; x: number; y: number }>() };
  for (const r of rows) {
    const group = r.treated ? 'treated' : 'control';
    if (r.g === 0) {
      if (r.score === null) continue;
      const m = scoreMaps[group];
      const c = m.get(r.score) ?? { value: r.score, x: 0, y: 0 };
      // x = after, y = before: Cliff's delta > 0 means scores rose.
      if (r.post) c.x += r.n;
      else c.y += r.n;
      m.set(r.score, c);
    } else if (r.grade !== null && (GRADES as readonly string[]).includes(r.grade)) {
      out.grades[group][r.post ? 'after' : 'before'][r.grade as keyof GradeCounts] += r.n;
    }
  }
  out.scores.treated = [...scoreMaps.treated.values()];
  out.scores.control = [...scoreMaps.control.values()];
  return out;
}
