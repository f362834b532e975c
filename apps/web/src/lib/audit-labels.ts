/**
 * Audit entries as people read them. The log stores machine codes (`calibration.adjust`,
 * `user.password_reset`, entity `import_batch`) and before/after JSON with grade letters; the
 * admin audit page and a calibration session's trail show the action's name and a one-line
 * change in words, keeping the code only as a secondary, muted element for the analyst who
 * filters on it. Kept free of component and CSS imports so unit tests can load it.
 */

type T = (key: string, named?: Record<string, unknown>) => string;
type Te = (key: string) => boolean;

/** An action's name (`auditAction.calibration.adjust` → "调整等级"); an action this build does not know shows as its code. */
export function auditActionLabel(action: string, t: T, te: Te): string {
  const key = `auditAction.${action}`;
  if (te(key)) return t(key);
  // `export.<what>` for any export added later: "导出" plus what was exported, when known.
  if (action.startsWith('export.') && te('auditAction.export.any')) return t('auditAction.export.any');
  return action;
}

/** The kind of thing an entry is about (`import_batch` → "导入批次"), else its code. */
export function auditEntityLabel(entity: string | null | undefined, t: T, te: Te): string {
  if (!entity) return '';
  const key = `auditEntity.${entity}`;
  return te(key) ? t(key) : entity;
}

const gradeName = (g: unknown, t: T, te: Te): string => (typeof g === 'string' && te(`grade.${g}`) ? t(`grade.${g}`) : typeof g === 'string' ? g : '–');

interface EntryLike {
  action: string;
  before?: unknown;
  after?: unknown;
  /** Set by the calibration session trail: the name of the person an adjustment moved. */
  employeeName?: string | null;
}

/**
 * The change of a calibration entry in words — "员工4（E04）· 2024-01：良 → 中", "「一月校准」已保存，22 人",
 * "已定稿" — or null when the entry is of another kind (the caller then shows its generic form).
 */
export function calibrationChange(e: EntryLike, t: T, te: Te): string | null {
  const b = (e.before ?? null) as { grade?: string; employeeId?: string; periodId?: string } | null;
  const x = (e.after ?? null) as { grade?: string; employeeId?: string; periodId?: string; people?: number; name?: string } | null;
  if (e.action === 'calibration.adjust' && x?.grade) {
    const who = e.employeeName ? `${e.employeeName}（${x.employeeId ?? ''}）` : (x.employeeId ?? '');
    return `${who} · ${x.periodId ?? ''}: ${b?.grade ? gradeName(b.grade, t, te) : '–'} → ${gradeName(x.grade, t, te)}`;
  }
  if (e.action === 'calibration.create' && x) return t('calibration.audit.created', { name: x.name ?? '', n: x.people ?? 0 });
  if (e.action === 'calibration.finalise') return t('calibration.audit.locked');
  if (e.action.startsWith('export.')) return t('calibration.audit.exported');
  return null;
}
