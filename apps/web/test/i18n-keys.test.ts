import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Brief, Effect } from '@/pages/policy/api';

/*
 * Every message key the code asks for exists in both locales. vue-i18n shows a missing key as the
 * key itself ("policy.exec.method.cs" on the executive card) and only warns in the console, so
 * nothing else catches it: i18n.test.ts checks that the two files agree with each other, not with
 * the code. Static keys are found by scanning the sources; keys built at run time from a value
 * (`policy.method.${k}`) are listed below from the API's types, so a new value the server can send
 * fails the typecheck here until it is added.
 */
const SRC = join(__dirname, '../src');
// Read as plain JSON: the Vite i18n plugin would hand the test precompiled message ASTs.
const LOCALES = {
  'zh-CN': JSON.parse(readFileSync(join(SRC, 'locales/zh-CN.json'), 'utf8')) as unknown,
  en: JSON.parse(readFileSync(join(SRC, 'locales/en.json'), 'utf8')) as unknown,
};
const get = (obj: unknown, path: string): unknown => path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], obj);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : /\.(vue|ts)$/.test(p) ? [p] : [];
  });
}

/** The translate calls of the app: t, $t, the components' tt helpers and i18n.global.t. */
const CALLEE = String.raw`(?<![\w$.])(?:\$t|t|tt|te|i18n\.global\.t)\(\s*`;
const KEY = String.raw`[A-Za-z][\w-]*(?:\.[\w-]+)+`;
/** t('a.b') and t("a.b"). */
const STATIC = new RegExp(`${CALLEE}(['"])(${KEY})\\1`, 'g');
/** t(cond ? 'a.b' : 'c.d'). */
const TERNARY = new RegExp(`${CALLEE}[^()'"\`]*\\?\\s*(['"])(${KEY})\\1\\s*:\\s*(['"])(${KEY})\\3`, 'g');
/** t(`a.b.${x}`): the part before the first substitution. */
const TEMPLATE = new RegExp(`${CALLEE}\`([^\`$]*)\\$\\{`, 'g');

function usedKeys(): { statics: Array<[file: string, key: string]>; prefixes: Array<[file: string, prefix: string]> } {
  const statics: Array<[string, string]> = [];
  const prefixes: Array<[string, string]> = [];
  for (const f of sources(SRC)) {
    const s = readFileSync(f, 'utf8');
    const file = f.slice(SRC.length + 1);
    for (const m of s.matchAll(STATIC)) statics.push([file, m[2]!]);
    for (const m of s.matchAll(TERNARY)) statics.push([file, m[2]!], [file, m[4]!]);
    for (const m of s.matchAll(TEMPLATE)) if (m[1]) prefixes.push([file, m[1]]);
  }
  return { statics, prefixes };
}

describe('every message key the code uses exists in both locales', () => {
  const { statics, prefixes } = usedKeys();

  it('the scan finds the keys (a broken pattern would pass vacuously)', () => {
    expect(statics.length).toBeGreaterThan(300);
    expect(statics.some(([, k]) => k === 'policy.exec.ciP')).toBe(true);
    expect(prefixes.some(([, p]) => p === 'policy.exec.method.')).toBe(true);
  });

  it('static keys: t(\'…\') names a message, not a section or nothing', () => {
    const missing = Object.entries(LOCALES).flatMap(([lang, msgs]) =>
      statics.filter(([, k]) => typeof get(msgs, k) !== 'string').map(([file, k]) => `${lang}: ${k} (${file})`),
    );
    expect([...new Set(missing)]).toEqual([]);
  });

  it('keys built from a value: the part before the value names a section', () => {
    const missing = Object.entries(LOCALES).flatMap(([lang, msgs]) =>
      prefixes
        .filter(([, p]) => {
          // `simulation.rule.tier_${d}`: the section is simulation.rule, with keys starting tier_.
          const dot = p.lastIndexOf('.');
          const section = get(msgs, p.slice(0, dot));
          const stem = p.slice(dot + 1);
          return !section || typeof section !== 'object' || !Object.keys(section).some((k) => k.startsWith(stem));
        })
        .map(([file, p]) => `${lang}: ${p}… (${file})`),
    );
    expect([...new Set(missing)]).toEqual([]);
  });
});

type Headline = Brief['items'][number]['headline'];
/** Every value the API can send for the policy pages' run-time keys (a Record: the typecheck wants them all). */
const POLICY_DYNAMIC: Record<string, Record<string, true>> = {
  // PolicyPage: one entry per method note the effect carries.
  'policy.method': { means: true, did: true, eventStudy: true, its: true, scores: true, grades: true, staggered: true, inference: true, control: true } satisfies Record<
    keyof Effect['methods'],
    true
  >,
  // ExecutiveView: the headline estimator, its verdict and the outcome's good direction.
  'policy.exec.method': { did: true, cs: true, its: true } satisfies Record<NonNullable<Headline['method']>, true>,
  'policy.exec.verdict': { improved: true, worsened: true, changed: true, unclear: true } satisfies Record<Headline['verdict'], true>,
  'policy.exec.polarity': { higher: true, lower: true, neutral: true } satisfies Record<Brief['items'][number]['polarity'], true>,
  // PolicyPage's distribution table: t(`policy.${row.g}`).
  policy: { treated: true, control: true },
};

describe('the policy pages’ run-time keys', () => {
  for (const [section, values] of Object.entries(POLICY_DYNAMIC))
    it(`${section}.* has every value the API sends, in both locales`, () => {
      const missing = Object.entries(LOCALES).flatMap(([lang, msgs]) =>
        Object.keys(values)
          .map((v) => `${section}.${v}`)
          .filter((k) => typeof get(msgs, k) !== 'string')
          .map((k) => `${lang}: ${k}`),
      );
      expect(missing).toEqual([]);
    });
});
