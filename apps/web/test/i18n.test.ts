import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { GRADES, ROLES, GRADE_LABELS, ROLE_LABELS } from '@perflens/core/domain';

// Read as plain JSON: the Vite i18n plugin would hand the test precompiled message ASTs.
const zh: unknown = JSON.parse(readFileSync(join(__dirname, '../src/locales/zh-CN.json'), 'utf8'));
const en: unknown = JSON.parse(readFileSync(join(__dirname, '../src/locales/en.json'), 'utf8'));

function keys(obj: unknown, prefix = ''): string[] {
  if (obj && typeof obj === 'object')
    return Object.entries(obj as Record<string, unknown>).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
  return [prefix];
}
function get(obj: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], obj);
}

describe('locale files', () => {
  it('zh-CN and en have exactly the same keys', () => {
    const z = keys(zh).sort();
    const e = keys(en).sort();
    expect(z.filter((k) => !e.includes(k))).toEqual([]);
    expect(e.filter((k) => !z.includes(k))).toEqual([]);
  });

  it('no message is empty and every {placeholder} appears in both languages', () => {
    for (const k of keys(zh)) {
      const a = String(get(zh, k));
      const b = String(get(en, k));
      expect(a.trim(), k).not.toBe('');
      expect(b.trim(), k).not.toBe('');
      const ph = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect(ph(b), k).toEqual(ph(a));
    }
  });

  it('English messages contain no Chinese characters', () => {
    const offenders = keys(en).filter((k) => /[\u4e00-\u9fff]/.test(String(get(en, k))));
    expect(offenders).toEqual([]);
  });

  it('translates every role and grade code with the labels of the domain', () => {
    for (const g of GRADES) {
      expect(get(zh, `grade.${g}`)).toBe(GRADE_LABELS[g].zh);
      expect(get(en, `grade.${g}`)).toBe(GRADE_LABELS[g].en);
    }
    for (const r of ROLES) {
      expect(get(zh, `role.${r}`)).toBe(ROLE_LABELS[r].zh);
      expect(get(en, `role.${r}`)).toBe(ROLE_LABELS[r].en);
    }
  });
});

// Texts that are deliberately not translated: the language names in the switcher are shown in
// their own language, the brand is bilingual by design, and a few symbols.
const ALLOWED = new Set(['中文', 'English', '绩效透镜', 'PerfLens', 'TAB', 'n', 'n =', 'P10', 'P25', 'P75', 'P90', 'CSV']);

function vueFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? vueFiles(p) : p.endsWith('.vue') ? [p] : [];
  });
}

/** Cheap scan of templates: literal text between tags and static user-facing attributes. */
export function hardCodedTexts(source: string): string[] {
  const m = /<template>([\s\S]*)<\/template>\s*(<style|$)/.exec(source);
  if (!m) return [];
  const tpl = m[1]!.replace(/<!--[\s\S]*?-->/g, '');
  const found: string[] = [];
  const text = tpl.replace(/\{\{[\s\S]*?\}\}/g, ' ').replace(/<(?:[^>"']|"[^"]*"|'[^']*')*>/g, '\n');
  for (const chunk of text.split('\n')) {
    const s = chunk.trim();
    if (s && /[A-Za-z\u4e00-\u9fff]/.test(s) && !ALLOWED.has(s)) found.push(s);
  }
  for (const a of tpl.matchAll(/\s(placeholder|label|title|content|description|aria-label|alt)="([^"]*)"/g)) {
    const v = a[2]!.trim();
    if (/[A-Za-z\u4e00-\u9fff]/.test(v) && !ALLOWED.has(v) && !/^[#*]$/.test(v)) found.push(`${a[1]}="${v}"`);
  }
  return found;
}

describe('components', () => {
  it('the scan finds hard-coded text when there is some', () => {
    expect(hardCodedTexts('<template><div title="Hello">Save {{ x }}</div></template>')).toEqual(['Save', 'title="Hello"']);
    expect(hardCodedTexts('<template><div :title="t(\'a\')">{{ t(\'b\') }}</div></template>')).toEqual([]);
  });

  it('have no hard-coded user-visible text', () => {
    const files = vueFiles(join(__dirname, '../src'));
    expect(files.length).toBeGreaterThan(3);
    const offenders = files.flatMap((f) => hardCodedTexts(readFileSync(f, 'utf8')).map((s) => `${f.split('/src/')[1]}: ${s}`));
    expect(offenders).toEqual([]);
  });
});
