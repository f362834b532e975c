import { GRADE_LABELS, GRADES, metricLabel, type OutcomeLevel } from '@perflens/core';
import type { Warehouse } from '../db.ts';
import { ensureAnalytics } from '../analytics.ts';

export interface PolicyOutcome {
  id: string;
  kind: 'score' | 'bonus' | 'grade' | 'kpi' | 'metric' | 'emetric';
  label: { zh: string; en: string };
  level: OutcomeLevel;
  /** Records holding the outcome (for the picker: empty outcomes are hidden). */
  rows: number;
}

/**
 * What a policy can be evaluated on: total score, bonus per head and each grade's share (from
 * assessments), every KPI's actual value (labelled from the stored schemes where one names the
 * code), and every metric at the level(s) it is recorded at.
 */
export async function policyOutcomes(wh: Warehouse): Promise<PolicyOutcome[]> {
  await ensureAnalytics(wh);
  const [a] = await wh.query<{ scored: number; bonus: number; graded: number }>(
    `SELECT count(score)::INTEGER AS scored, count(bonus)::INTEGER AS bonus, count(grade)::INTEGER AS graded FROM assessment_facts`,
  );
  const kpis = await wh.query<{ code: string; n: number; zh: string | null; en: string | null }>(
    `WITH names AS (
       SELECT k.code, any_value(k.name.zh) AS zh, any_value(k.name.en) AS en
         FROM (SELECT unnest(from_json(definition->'kpis', '[{"code":"VARCHAR","name":{"zh":"VARCHAR","en":"VARCHAR"}}]')) AS k
                 FROM schemes)
        GROUP BY k.code)
     SELECT c.kpi_code AS code, c.n, names.zh, names.en
       FROM (SELECT d.code AS kpi_code, l.n FROM (SELECT kpi_key, count(actual)::INTEGER AS n FROM kpi_lines GROUP BY kpi_key) l
               JOIN kpi_codes d ON d.key = l.kpi_key) c
       LEFT JOIN names ON names.code = c.kpi_code
      ORDER BY c.kpi_code`,
  );
  const metrics = await wh.query<{ metric: string; org: number; emp: number }>(
    `SELECT metric, count(*) FILTER (WHERE employee_id IS NULL AND org_unit_id IS NOT NULL)::INTEGER AS org,
            count(*) FILTER (WHERE employee_id IS NOT NULL)::INTEGER AS emp
       FROM metrics GROUP BY metric ORDER BY metric`,
  );
  const out: PolicyOutcome[] = [
    { id: 'score', kind: 'score', label: { zh: '考核总分', en: 'total score' }, level: 'employee', rows: a?.scored ?? 0 },
    { id: 'bonus', kind: 'bonus', label: { zh: '人均奖金', en: 'bonus per head' }, level: 'employee', rows: a?.bonus ?? 0 },
    ...GRADES.map((g): PolicyOutcome => ({
      id: `grade:${g}`,
      kind: 'grade',
      label: { zh: `${GRADE_LABELS[g].zh}（${g}）占比 %`, en: `share of grade ${g} (${GRADE_LABELS[g].en}), %` },
      level: 'employee',
      rows: a?.graded ?? 0,
    })),
    ...kpis.map((k): PolicyOutcome => ({
      id: `kpi:${k.code}`,
      kind: 'kpi',
      label: { zh: `${k.zh ?? k.code}（实际值）`, en: `${(k.en ?? k.code).toLowerCase()} (actual)` },
      level: 'employee',
      rows: k.n,
    })),
  ];
  for (const m of metrics) {
    const l = metricLabel(m.metric);
    if (m.org > 0) out.push({ id: `metric:${m.metric}`, kind: 'metric', label: { zh: `${l.zh}（部门）`, en: `${l.en} (org unit)` }, level: 'orgUnit', rows: m.org });
    if (m.emp > 0) out.push({ id: `emetric:${m.metric}`, kind: 'emetric', label: { zh: `${l.zh}（员工）`, en: `${l.en} (employee)` }, level: 'employee', rows: m.emp });
  }
  return out.filter((o) => o.rows > 0);
}
