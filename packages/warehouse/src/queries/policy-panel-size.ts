import type { Warehouse } from '../db.ts';
import { ensureAnalytics } from '../analytics.ts';

/**
 * Cheap size proxy for choosing the unit of analysis of a policy panel: assessment rows in the
 * cycle (the fact table is ordered by kind, so zone maps answer this without a full scan).
 */
export async function policyPanelSize(wh: Warehouse, cycle: string): Promise<number> {
  await ensureAnalytics(wh);
  const [r] = await wh.query<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM assessment_facts WHERE period_kind = $cycle::period_kind_t`, { cycle });
  return r?.n ?? 0;
}
