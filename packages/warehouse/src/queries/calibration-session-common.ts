import { z } from 'zod';
import { GRADES, type Grade } from '@perflens/core';
import type { Warehouse } from '../db.ts';
import type { RankingGroup } from './ranking-forced.ts';

/** A user-facing session error; the API maps `kind` to an HTTP-ish code. Messages are bilingual. */
export class CalibrationError extends Error {
  constructor(
    readonly kind: 'not-found' | 'locked' | 'invalid',
    message: string,
  ) {
    super(message);
    this.name = 'CalibrationError';
  }
}

export const sessionIdSchema = z.string().uuid();

/** What a session stores in calibrations.definition (its proposals live in calibration_items). */
export interface SessionDefinition {
  input: unknown;
  groups: Array<Pick<RankingGroup, 'periodId' | 'key' | 'label' | 'orgUnitIds' | 'n' | 'quota' | 'departmentGrade'>>;
}

export interface SessionRow {
  id: string;
  name: string;
  status: 'open' | 'final';
  createdAt: string;
  finalisedAt: string | null;
  definition: SessionDefinition;
}

export async function loadSession(wh: Warehouse, id: string): Promise<SessionRow> {
  const [row] = await wh.query<{ id: string; name: string; status: 'open' | 'final'; createdAt: string; finalisedAt: string | null; definition: string }>(
    `SELECT id, name, status, strftime(created_at, '%Y-%m-%dT%H:%M:%S') AS "createdAt",
            strftime(finalised_at, '%Y-%m-%dT%H:%M:%S') AS "finalisedAt", definition::VARCHAR AS definition
       FROM calibrations WHERE id = $id`,
    { id },
  );
  if (!row) throw new CalibrationError('not-found', `Calibration session ${id} does not exist. / 校准会话 ${id} 不存在。`);
  return { ...row, definition: JSON.parse(row.definition) as SessionDefinition };
}

export interface QuotaCounter {
  periodId: string;
  key: string;
  label: string;
  n: number;
  quota: Record<Grade, number>;
  current: Record<Grade, number>;
  /** current − quota: positive is over quota, negative under. */
  diff: Record<Grade, number>;
}

/** Running quota counters: the final grades of a session against each group's quota. */
export async function quotaCounters(wh: Warehouse, s: SessionRow): Promise<QuotaCounter[]> {
  const rows = await wh.query<{ p: string; g: string; grade: Grade; n: number }>(
    `SELECT period_id AS p, group_key AS g, final_grade AS grade, count(*)::INTEGER AS n
       FROM calibration_items WHERE calibration_id = $id GROUP BY ALL`,
    { id: s.id },
  );
  return s.definition.groups.map((g) => {
    const current = Object.fromEntries(GRADES.map((x) => [x, 0])) as Record<Grade, number>;
    for (const r of rows) if (r.p === g.periodId && r.g === g.key) current[r.grade] += r.n;
    const diff = Object.fromEntries(GRADES.map((x) => [x, current[x] - g.quota[x]])) as Record<Grade, number>;
    return { periodId: g.periodId, key: g.key, label: g.label, n: g.n, quota: g.quota, current, diff };
  });
}
