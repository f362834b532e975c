import { scaleKey, scaleLookup } from '@perflens/core/import/rating-scale';
import type { Grade, GradePreview, ScaleEntry } from '@/api/contract';

/** The select's value for "this value is not a grade" (null in the API; selects need a value). */
export const NOT_A_GRADE = 'none' as const;
/** '' = nobody has said yet what this value means. */
export type ScaleChoice = Grade | typeof NOT_A_GRADE | '';

export interface ScaleRow {
  value: string;
  count: number;
  label?: string;
  choice: ScaleChoice;
  /** The server's proposal could not place this value on any known scale. */
  unrecognised: boolean;
}

const choiceOf = (grade: Grade | null): ScaleChoice => grade ?? NOT_A_GRADE;

/**
 * One row per distinct value, prefilled from the proposal: its lines first (best grade first, as
 * the server orders them), then the values it could not place. The proposal has already merged
 * spellings of one value ("3" and "3.0"), so its lines, not the raw value list, are the rows.
 */
export function scaleRows(g: GradePreview): ScaleRow[] {
  const rows: ScaleRow[] = [
    ...g.proposal.entries.map((e) => ({ value: e.value, count: e.count, ...(e.label ? { label: e.label } : {}), choice: choiceOf(e.grade), unrecognised: false })),
    ...g.proposal.unmapped.map((u) => ({ value: u.value, count: u.count, choice: '' as const, unrecognised: true })),
  ];
  return rows.length ? rows : g.values.map((v) => ({ value: v.value, count: v.count, choice: '' as const, unrecognised: true }));
}

/**
 * Re-fills every row from a preset or saved scale, matching values as the importer does ("3.0" is
 * 3, case and spacing do not matter, 'B级' is B); values the scale does not list become undecided.
 */
export function applyScale(rows: ScaleRow[], scale: { entries: ScaleEntry[] }): ScaleRow[] {
  const lookup = scaleLookup(scale.entries);
  const labels = new Map(scale.entries.filter((e) => e.label).map((e) => [scaleKey(e.value), e.label!]));
  return rows.map((r) => {
    const grade = lookup(r.value);
    const next: ScaleRow = { value: r.value, count: r.count, choice: grade === undefined ? '' : choiceOf(grade), unrecognised: r.unrecognised };
    const label = labels.get(scaleKey(r.value));
    if (label) next.label = label;
    return next;
  });
}

/** The confirmed scale for import.run; undecided values are left out (the importer reports their rows). */
export function gradeMapOf(rows: ScaleRow[]): ScaleEntry[] {
  return rows
    .filter((r) => r.choice !== '')
    .map((r) => ({ value: r.value, grade: r.choice === NOT_A_GRADE ? null : (r.choice as Grade), ...(r.label ? { label: r.label } : {}) }));
}

export function isScaleRelevant(table: string): boolean {
  return table === 'flat' || table === 'assessments';
}
