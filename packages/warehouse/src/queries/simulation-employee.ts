import { RATER_RELATIONS, type RaterScores, type SchemeInputs } from '@perflens/core';
import type { Warehouse } from '../db.ts';
import { KPI_SLOTS } from '../migrations/020_simulation.ts';
import { ensureSimulationLayout } from './simulation-layout.ts';

export interface EmployeePeriodFacts {
  employeeId: string;
  name: string | null;
  periodId: string;
  orgUnitId: string;
  role: string;
  schemeId: string | null;
  recorded: { score: number | null; grade: string | null; coefficient: number | null; bonus: string | null };
  /** Evaluator inputs rebuilt from sim_facts: the same numbers the compiled SQL reads. */
  inputs: SchemeInputs;
}

/**
 * One employee's month(s) as evaluator inputs, for the line-by-line explanation under two
 * schemes. Quarter-to-date complaints feed quarterly vetoes, like the SQL.
 */
export async function employeeFacts(wh: Warehouse, employeeId: string, periodId?: string): Promise<EmployeePeriodFacts[]> {
  await ensureSimulationLayout(wh);
  const rows = await wh.query<Record<string, number | string | null>>(
    `SELECT f.*, e.name AS employee_name, CAST(f.rec_bonus AS VARCHAR) AS rec_bonus_text
       FROM sim_facts f LEFT JOIN employees e ON e.id = f.employee_id
      WHERE f.employee_id = $employeeId ${periodId !== undefined ? 'AND f.period_id = $periodId' : ''}
      ORDER BY f.period_ord`,
    periodId !== undefined ? { employeeId, periodId } : { employeeId },
  );
  if (rows.length === 0) return [];
  const slots = await wh.query<{ kpi_code: string; slot: number }>('SELECT kpi_code, slot FROM sim_kpi_slots WHERE role = $role', { role: rows[0]!.role as string });
  const n = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
  return rows.map((r) => {
    const kpis: SchemeInputs['kpis'] = {};
    for (const s of slots) if (s.slot < KPI_SLOTS) kpis[s.kpi_code] = { actual: n(r[`a${s.slot}`]), target: n(r[`t${s.slot}`]) };
    const raters: RaterScores = {};
    for (const rel of RATER_RELATIONS) raters[rel] = n(r[`r_${rel}`]);
    return {
      employeeId: String(r.employee_id),
      name: (r.employee_name as string | null) ?? null,
      periodId: String(r.period_id),
      orgUnitId: String(r.org_unit_id),
      role: String(r.role),
      schemeId: (r.scheme_id as string | null) ?? null,
      recorded: { score: n(r.rec_score), grade: (r.rec_grade as string | null) ?? null, coefficient: n(r.rec_coefficient), bonus: (r.rec_bonus_text as string | null) ?? null },
      inputs: {
        kpis,
        raters,
        events: { complaint_exposure: n(r.complaints_q) ?? 0 },
        monthlySalary: n(r.salary),
        orderTotal: n(r.order_total),
        supervisorRatio: n(r.supervisor_ratio),
      },
    };
  });
}
