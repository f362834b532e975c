import type { Warehouse } from '../db.ts';

export interface SessionSummary {
  id: string;
  name: string;
  status: 'open' | 'final';
  createdAt: string;
  finalisedAt: string | null;
  people: number;
  adjusted: number;
}

/** `calibration.session.list`: saved sessions, newest first, with their size and adjustment count. */
export async function calibrationSessionList(wh: Warehouse): Promise<SessionSummary[]> {
  return wh.query<SessionSummary>(
    `SELECT c.id, c.name, c.status, strftime(c.created_at, '%Y-%m-%dT%H:%M:%S') AS "createdAt",
            strftime(c.finalised_at, '%Y-%m-%dT%H:%M:%S') AS "finalisedAt",
            (SELECT count(*) FROM calibration_items i WHERE i.calibration_id = c.id)::INTEGER AS people,
            (SELECT count(*) FROM calibration_items i WHERE i.calibration_id = c.id AND i.final_grade <> i.proposed_grade)::INTEGER AS adjusted
       FROM calibrations c ORDER BY c.created_at DESC, c.id`,
  );
}
