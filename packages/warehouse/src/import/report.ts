import type { ImportError } from '@perflens/core';

const cell = (v: string | number | null) => {
  const s = v === null ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** Error list as CSV with a UTF-8 BOM, which Excel needs to show Chinese text correctly. */
export function errorsToCsv(errors: ImportError[]): string {
  const lines = [['行 Row', '列 Column', '代码 Code', '说明', 'Message', '值 Value'].map(cell).join(',')];
  for (const e of errors) lines.push([e.row, e.column, e.code, e.message.zh, e.message.en, e.value].map(cell).join(','));
  return '\uFEFF' + lines.join('\r\n') + '\r\n';
}
