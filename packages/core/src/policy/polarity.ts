import { BUILTIN_SCHEMES } from '../scheme/seeds.ts';
import { parseOutcome, type OutcomeId } from './schema.ts';

/**
 * Which direction of an outcome is good news, so an executive view can say "improved" or
 * "worsened" rather than leave a sign to interpret. Bonus per head is a cost to the company
 * and pay to the employee: it has no good direction ('neutral').
 */
export type Polarity = 'higher' | 'lower' | 'neutral';

/** Metric names (org unit or employee level) where less is better. */
const LOWER_METRICS = new Set(['turnover_rate', 'turnover', 'complaints', 'complaint_exposure', 'cost', 'cost_per_head', 'absence', 'error_rate', 'returns']);
const NEUTRAL_METRICS = new Set(['headcount']);

export function outcomePolarity(outcome: OutcomeId): Polarity {
  const { kind, code } = parseOutcome(outcome);
  switch (kind) {
    case 'score':
      return 'higher';
    case 'bonus':
      return 'neutral';
    case 'grade':
      // More people at the top is good news; more at the bottom is not; the middle says little.
      return code === 'A' || code === 'B' ? 'higher' : code === 'D' || code === 'E' ? 'lower' : 'neutral';
    case 'kpi': {
      // The seed schemes know whether a KPI's actual value is better high or low.
      const kpi = BUILTIN_SCHEMES.flatMap((s) => s.kpis).find((k) => k.code === code);
      if (!kpi) return 'higher';
      const r = kpi.rule;
      if (r.type === 'tier' || r.type === 'ratio') return r.direction;
      if (r.type === 'deduction') return r.basis === 'shortfall' ? 'higher' : 'lower';
      return 'higher';
    }
    case 'metric':
    case 'emetric':
      return LOWER_METRICS.has(code!) ? 'lower' : NEUTRAL_METRICS.has(code!) ? 'neutral' : 'higher';
  }
}

export type Verdict = 'improved' | 'worsened' | 'changed' | 'unclear';

/**
 * 'unclear' unless the effect is significant at 5% (p < 0.05); then improved / worsened by the
 * outcome's polarity, or just 'changed' for a neutral outcome.
 */
export function effectVerdict(estimate: number | null, p: number | null, polarity: Polarity): Verdict {
  if (estimate === null || p === null || !(p < 0.05) || estimate === 0) return 'unclear';
  if (polarity === 'neutral') return 'changed';
  return (estimate > 0) === (polarity === 'higher') ? 'improved' : 'worsened';
}
