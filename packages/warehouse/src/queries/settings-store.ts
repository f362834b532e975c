import { z } from 'zod';
import type { Warehouse } from '../db.ts';
import { appendAuditOn } from './audit-append.ts';

/**
 * Organisation-wide settings an administrator changes at run time (stored in `settings`, one
 * JSON value per key). Every change is audited with its before and after value.
 */
export const SettingsSchema = z.strictObject({
  /**
   * Aggregate-only roles (viewer) see no figure for a group smaller than this, so a breakdown
   * cannot be narrowed to one person's grade. Five is the usual floor for HR reporting.
   */
  minGroupSize: z.number().int().min(1).max(1000),
});
export type Settings = z.infer<typeof SettingsSchema>;

export const DEFAULT_SETTINGS: Settings = { minGroupSize: 5 };

/** The settings in force: stored values over the defaults. Read once per unit of work (memo). */
export function currentSettings(wh: Warehouse): Promise<Settings> {
  return wh.memo('settings', async () => {
    const rows = await wh.query<{ key: string; value: string }>('SELECT key, value::VARCHAR AS value FROM settings');
    const stored: Record<string, unknown> = {};
    for (const r of rows) stored[r.key] = JSON.parse(r.value);
    const merged = SettingsSchema.safeParse({ ...DEFAULT_SETTINGS, ...stored });
    // A value written by an older version that no longer validates falls back to the default.
    return merged.success ? merged.data : DEFAULT_SETTINGS;
  });
}

/** Changes some settings, auditing each changed key. */
export async function updateSettings(wh: Warehouse, patch: Partial<Settings>): Promise<Settings> {
  const before = await currentSettings(wh);
  const next = SettingsSchema.parse({ ...before, ...patch });
  await wh.transaction(async (conn) => {
    for (const key of Object.keys(patch) as (keyof Settings)[]) {
      if (before[key] === next[key]) continue;
      await conn.run(
        `INSERT INTO settings (key, value, updated_at) VALUES ($k, $v::JSON, current_timestamp)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
        { k: key, v: JSON.stringify(next[key]) },
      );
      await appendAuditOn(conn, { action: 'settings.update', entity: 'setting', entityId: key, before: before[key], after: next[key] });
    }
  });
  return next;
}
