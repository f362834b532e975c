import type { Cycle } from '@perflens/core';
import type { Warehouse } from '../db.ts';

export interface PeriodRow {
  id: string;
  kind: Cycle;
  /** YYYY-MM-DD */
  startDate: string;
  endDate: string;
}

/** All periods by start date; a month, its quarter and its year share a start, so kind breaks the tie (month < quarter < year). */
export async function listPeriods(wh: Warehouse): Promise<PeriodRow[]> {
  return wh.query<PeriodRow>(`
    SELECT id, kind,
           strftime(start_date, '%Y-%m-%d') AS "startDate",
           strftime(end_date, '%Y-%m-%d') AS "endDate"
      FROM periods
     ORDER BY start_date, kind, id
  `);
}
