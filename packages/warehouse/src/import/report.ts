import type { ImportError } from '@perflens/core';
import { safeCellText } from '../safe-cell.ts';

/**
 * A value as long as a cell may be (32,767 characters, times up to a thousand listed errors) would
 * make a report of tens of MB, kept in memory; the start of it is enough to find the cell.
 */
const MAX_VALUE_CHARS = 1000;

const cell = (v: string | number | null) => {
  if (typeof v === 'number') return String(v);
  let s = v === null ? '' : v;
  if (s.length > MAX_VALUE_CHARS) s = `${s.slice(0, MAX_VALUE_CHARS)}…`;
  // The file's own values come back here: text Excel would run as a formula is written as text.
  s = safeCellText(s);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** Error list as CSV with a UTF-8 BOM, which Excel needs to show Chinese text correctly. */
export function errorsToCsv(errors: ImportError[]): string {
  const lines = [['行 Row', '列 Column', '代码 Code', '说明', 'Message', '值 Value'].map(cell).join(',')];
  for (const e of errors) lines.push([e.row, e.column, e.code, e.message.zh, e.message.en, e.value].map(cell).join(','));
  return '\uFEFF' + lines.join('\r\n') + '\r\n';
}
