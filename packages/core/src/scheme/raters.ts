import type { RaterRelation } from '../domain.ts';
import type { Bilingual, RaterWeights } from './types.ts';
import { formatNumber } from './format.ts';

export type RaterScores = Partial<Record<RaterRelation, number | null>>;

export interface RaterComposite {
  /** Null when no weighted relation has a score. */
  value: number | null;
  used: Array<{ relation: RaterRelation; score: number; weight: number }>;
  missing: RaterRelation[];
  explanation: Bilingual;
}

const REL_ZH: Record<RaterRelation, string> = {
  self: '自评',
  peer: '同事',
  supervisor: '上级',
  indirect_supervisor: '间接上级',
  customer: '客户',
};

/**
 * Weighted mean of the relations that did rate. A missing relation drops out and the weights of
 * those present are renormalised: (3×supervisor + peer + self)/5 becomes (3×supervisor + self)/4
 * without a peer — never a division by a rater who did not score. Scores for relations the scheme
 * does not weight are ignored.
 */
export function raterComposite(weights: RaterWeights, scores: RaterScores, explain = true): RaterComposite {
  const used: RaterComposite['used'] = [];
  const missing: RaterRelation[] = [];
  for (const [relation, weight] of Object.entries(weights) as Array<[RaterRelation, number | undefined]>) {
    if (!weight) continue;
    const score = scores[relation];
    if (score === null || score === undefined || !Number.isFinite(score)) missing.push(relation);
    else used.push({ relation, score, weight });
  }
  const wsum = used.reduce((a, u) => a + u.weight, 0);
  const value = wsum > 0 ? used.reduce((a, u) => a + u.weight * u.score, 0) / wsum : null;
  const explanation = explain ? explainComposite(used, missing, wsum, value) : { zh: '', en: '' };
  return { value, used, missing, explanation };
}

const REL_EN: Record<RaterRelation, string> = {
  self: 'self',
  peer: 'peer',
  supervisor: 'supervisor',
  indirect_supervisor: 'indirect supervisor',
  customer: 'customer',
};

function explainComposite(used: RaterComposite['used'], missing: RaterRelation[], wsum: number, value: number | null): Bilingual {
  if (value === null) return { zh: '无评分人评分', en: 'no rater scores' };
  const terms = (names: Record<RaterRelation, string>) =>
    used.map((u) => `${u.weight === 1 ? '' : `${u.weight}×`}${names[u.relation]} ${formatNumber(u.score)}`).join(' + ');
  const missZh = missing.length ? `（缺${missing.map((m) => REL_ZH[m]).join('、')}评分，按其余权重折算）` : '';
  const missEn = missing.length ? ` (no ${missing.map((m) => REL_EN[m]).join(', ')} score; remaining weights renormalised)` : '';
  return {
    zh: `(${terms(REL_ZH)}) / ${formatNumber(wsum)} = ${formatNumber(value)}${missZh}`,
    en: `(${terms(REL_EN)}) / ${formatNumber(wsum)} = ${formatNumber(value)}${missEn}`,
  };
}
