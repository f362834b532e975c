import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { auditActionLabel, auditEntityLabel, calibrationChange } from '../src/lib/audit-labels';

/*
 * The audit page and a calibration session's trail show action names and changes in words, not
 * `calibration.adjust` and {"grade":"B"}. Checked against the real locale files (read as JSON, as
 * i18n-keys.test.ts does) so a missing name shows up here rather than as a code on screen.
 */
const SRC = join(__dirname, '../src');
const load = (f: string) => JSON.parse(readFileSync(join(SRC, 'locales', f), 'utf8')) as Record<string, unknown>;
function translator(msgs: Record<string, unknown>) {
  const get = (k: string) => k.split('.').reduce<unknown>((o, p) => (o as Record<string, unknown> | undefined)?.[p], msgs);
  const te = (k: string) => typeof get(k) === 'string';
  const t = (k: string, named: Record<string, unknown> = {}) => String(get(k) ?? k).replace(/\{(\w+)\}/g, (_, n: string) => String(named[n]));
  return { t, te };
}
const zh = translator(load('zh-CN.json'));
const en = translator(load('en.json'));

/** Every action code the server writes (grep appendAuditOn / auditAction / auditExport). */
const ACTIONS = [
  'auth.sign_in', 'auth.sign_in_failed', 'auth.sign_in_throttled',
  'user.create', 'user.update', 'user.password_reset', 'user.password_change',
  'token.create', 'token.revoke',
  'calibration.create', 'calibration.adjust', 'calibration.finalise',
  'policy.create', 'policy.update', 'policy.delete', 'scenario.save',
  'role.merge', 'role.scheme', 'role.rename', 'settings.update',
  'import.run', 'mapping.save', 'mapping.delete',
  'export.audit', 'export.calibration', 'export.policy', 'export.report', 'export.scenario', 'export.table',
];

describe('audit labels', () => {
  it('every action the server writes has a name in both languages, never its code', () => {
    for (const { t, te } of [zh, en])
      for (const a of ACTIONS) {
        const label = auditActionLabel(a, t, te);
        expect(label, a).not.toBe(a);
        expect(label, a).not.toMatch(/^[a-z_]+\.[a-z_.]+$/);
      }
    expect(auditActionLabel('calibration.adjust', zh.t, zh.te)).toBe('调整等级');
    expect(auditActionLabel('calibration.adjust', en.t, en.te)).toBe('Grade moved');
    // An export kind added later still reads as an export; an unknown action falls back to its code.
    expect(auditActionLabel('export.something_new', zh.t, zh.te)).toBe('导出');
    expect(auditActionLabel('backup.run', zh.t, zh.te)).toBe('backup.run');
  });

  it('entities by name', () => {
    expect(auditEntityLabel('import_batch', zh.t, zh.te)).toBe('导入批次');
    expect(auditEntityLabel('calibration', en.t, en.te)).toBe('Calibration session');
    expect(auditEntityLabel(null, en.t, en.te)).toBe('');
  });

  it('a calibration move reads as person, period and grade names, not JSON and letters', () => {
    const move = { action: 'calibration.adjust', before: { employeeId: 'E04', periodId: '2024-01', grade: 'B' }, after: { employeeId: 'E04', periodId: '2024-01', grade: 'C' }, employeeName: '员工4' };
    expect(calibrationChange(move, zh.t, zh.te)).toBe('员工4（E04） · 2024-01: 良 → 中');
    expect(calibrationChange({ ...move, employeeName: null }, en.t, en.te)).toBe('E04 · 2024-01: Good → Satisfactory');
    expect(calibrationChange({ action: 'calibration.create', before: null, after: { name: '一月', people: 22 } }, zh.t, zh.te)).toMatch(/一月.*22/);
    expect(calibrationChange({ action: 'calibration.finalise', before: { status: 'open' }, after: { status: 'final' } }, en.t, en.te)).toBe('Locked: open → finalised');
    // The export entry carries no values: it used to render as "null".
    expect(calibrationChange({ action: 'export.calibration', before: null, after: null }, zh.t, zh.te)).toBe('导出 XLSX');
    expect(calibrationChange({ action: 'user.update', before: {}, after: {} }, zh.t, zh.te)).toBeNull();
  });
});
