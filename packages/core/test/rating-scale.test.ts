import { describe, expect, it } from 'vitest';
import { BilingualError } from '../src/errors.ts';
import { normaliseGrade } from '../src/import/normalise.ts';
import { parseGradeMap, proposeScale, SCALE_PRESETS, scaleKey, scaleLookup, type ScaleValueCount } from '../src/import/rating-scale.ts';

const vc = (...pairs: Array<[string, number]>): ScaleValueCount[] => pairs.map(([value, count]) => ({ value, count }));
const preset = (name: string) => SCALE_PRESETS.find((p) => p.name === name)!;
/** value → grade of a proposal's entries, for compact assertions. */
const grades = (values: ScaleValueCount[]) => Object.fromEntries(proposeScale(values).entries.map((e) => [e.value, e.grade]));

describe('scaleKey', () => {
  it('folds width, spacing and case', () => {
    expect(scaleKey('  fully   meets ')).toBe('fully meets');
    expect(scaleKey('ＦＵＬＬＹ　Meets')).toBe('fully meets');
    expect(scaleKey('优\t秀')).toBe('优 秀');
  });
});

describe('SCALE_PRESETS', () => {
  it('has the documented presets, each labelled, entries best first', () => {
    const names = SCALE_PRESETS.map((p) => p.name);
    for (const n of ['letters_ae', 'letters_sd', 'zh_5', 'zh_6', 'zh_4', 'en_words', 'num_5_high', 'num_5_low', 'num_4_high', 'num_3_high']) expect(names).toContain(n);
    expect(new Set(names).size).toBe(names.length);
    for (const p of SCALE_PRESETS) {
      expect(p.label.zh.trim().length, p.name).toBeGreaterThan(1);
      expect(p.label.en.trim().length, p.name).toBeGreaterThan(1);
      const order = p.entries.map((e) => 'ABCDE'.indexOf(e.grade!));
      expect(order, p.name).toEqual([...order].sort((a, b) => a - b));
    }
  });

  it('zh_5 agrees with normaliseGrade on every spelling', () => {
    for (const e of preset('zh_5').entries) expect([e.value, normaliseGrade(e.value)]).toEqual([e.value, e.grade]);
  });

  it.each([
    ['letters_ae', { A: 'A', B: 'B', C: 'C', D: 'D', E: 'E' }],
    ['letters_sd', { S: 'A', A: 'B', B: 'C', C: 'D', D: 'E' }],
    ['zh_4', { 优: 'A', 良: 'B', 中: 'C', 差: 'E' }],
    ['zh_5', { 优: 'A', 良: 'B', 中: 'C', 基本合格: 'D', 不合格: 'E', 优秀: 'A', 良好: 'B', 合格: 'C', 待改进: 'D' }],
    ['zh_6', { 卓越: 'A', 优秀: 'B', 良好: 'C', 合格: 'D', 待改进: 'E', 不合格: 'E' }],
    ['en_words', { Outstanding: 'A', 'Exceeds Expectations': 'B', Exceeds: 'B', 'Fully Meets': 'C', Meets: 'C', 'Meets Expectations': 'C', 'Needs Improvement': 'D', 'Partially Meets': 'D', PIP: 'E', Unsatisfactory: 'E', 'Does Not Meet': 'E' }],
    ['num_5_high', { 5: 'A', 4: 'B', 3: 'C', 2: 'D', 1: 'E' }],
    ['num_5_low', { 1: 'A', 2: 'B', 3: 'C', 4: 'D', 5: 'E' }],
    ['num_4_high', { 4: 'A', 3: 'B', 2: 'C', 1: 'E' }],
    ['num_3_high', { 3: 'A', 2: 'C', 1: 'E' }],
  ] as const)('%s maps its values', (name, want) => {
    const look = scaleLookup(preset(name).entries);
    for (const [value, grade] of Object.entries(want)) expect([value, look(value)]).toEqual([value, grade]);
  });
});

describe('scaleLookup', () => {
  it('matches case/space-insensitively, numbers by value, a 级 suffix, and tells null from absent', () => {
    const look = scaleLookup([{ value: 'Fully Meets', grade: 'C' }, { value: '3', grade: 'C' }, { value: 'Too New', grade: null }, { value: 'B', grade: 'B' }]);
    expect(look('  fully   MEETS ')).toBe('C');
    expect(look('3.0')).toBe('C');
    expect(look(' 03 ')).toBe('C');
    expect(look('B级')).toBe('B');
    expect(look('too new')).toBeNull();
    expect(look('Exceeds')).toBeUndefined();
    expect(look('')).toBeUndefined();
  });
});

describe('proposeScale', () => {
  it('picks each preset from its own values', () => {
    expect(proposeScale(vc(['A', 5], ['B', 9], ['C', 20], ['D', 3], ['E', 1])).preset).toBe('letters_ae');
    expect(proposeScale(vc(['S', 2], ['A', 5], ['B', 9], ['C', 20], ['D', 3])).preset).toBe('letters_sd');
    expect(proposeScale(vc(['优', 2], ['良', 5], ['中', 9], ['差', 1])).preset).toBe('zh_4');
    expect(proposeScale(vc(['优', 2], ['良', 5], ['中', 9], ['基本合格', 3], ['不合格', 1])).preset).toBe('zh_5');
    expect(proposeScale(vc(['优秀', 2], ['良好', 5], ['合格', 9], ['待改进', 3], ['不合格', 1])).preset).toBe('zh_5');
    expect(proposeScale(vc(['卓越', 1], ['优秀', 2], ['良好', 5], ['合格', 9], ['待改进', 3], ['不合格', 1])).preset).toBe('zh_6');
    expect(proposeScale(vc(['Exceeds Expectations', 3], ['Meets Expectations', 10], ['Outstanding', 1])).preset).toBe('en_words');
    expect(proposeScale(vc(['5', 1], ['4', 3], ['3', 8], ['2', 2], ['1', 1])).preset).toBe('num_5_high');
    expect(proposeScale(vc(['3', 1], ['2', 3], ['1', 8])).preset).toBe('num_3_high');
  });

  it('the S rule: with an S, A is the second grade', () => {
    expect(grades(vc(['S', 1], ['A', 2], ['B', 3]))).toEqual({ S: 'A', A: 'B', B: 'C' });
    expect(grades(vc(['A', 1], ['B', 2], ['C', 3]))).toEqual({ A: 'A', B: 'B', C: 'C' });
    expect(grades(vc(['S级', 1], ['A级', 2]))).toEqual({ S级: 'A', A级: 'B' });
  });

  it('numeric 1..4 with counts → num_4_high, in the preset order, counts kept', () => {
    const p = proposeScale(vc(['1', 3], ['2', 10], ['3', 25], ['4', 7]));
    expect(p).toEqual({
      preset: 'num_4_high',
      entries: [{ value: '4', grade: 'A', count: 7 }, { value: '3', grade: 'B', count: 25 }, { value: '2', grade: 'C', count: 10 }, { value: '1', grade: 'E', count: 3 }],
      unmapped: [],
    });
  });

  it('counts "3.0" and " 3 " as 3, merging their rows', () => {
    const p = proposeScale(vc(['3.0', 4], [' 3 ', 1], ['5', 2], ['1', 1]));
    expect(p.preset).toBe('num_5_high');
    expect(p.entries).toEqual([{ value: '5', grade: 'A', count: 2 }, { value: '3.0', grade: 'C', count: 5 }, { value: '1', grade: 'E', count: 1 }]);
  });

  it('tolerates odd spacing and case in words', () => {
    const p = proposeScale(vc(['  fully   meets ', 12], ['EXCEEDS', 4], ['needs improvement', 2]));
    expect(p.preset).toBe('en_words');
    expect(p.entries).toEqual([
      { value: 'EXCEEDS', grade: 'B', count: 4 },
      { value: 'fully meets', grade: 'C', count: 12 },
      { value: 'needs improvement', grade: 'D', count: 2 },
    ]);
  });

  it('leaves unknown values in unmapped with their counts, commonest first', () => {
    const p = proposeScale(vc(['Meets', 30], ['Exceeds', 10], ['Too new to rate', 3], ['On leave', 5], ['', 9]));
    expect(p.preset).toBe('en_words');
    expect(p.entries.map((e) => e.value)).toEqual(['Exceeds', 'Meets']);
    expect(p.unmapped).toEqual([{ value: 'On leave', count: 5 }, { value: 'Too new to rate', count: 3 }]);
  });

  it('picks the preset mapping the most rows', () => {
    // 'A'/'B' map on letters_ae, '优' on zh_4 and zh_5 (tied, so the earlier zh_4) with more rows.
    expect(proposeScale(vc(['A', 2], ['B', 1], ['优', 10])).preset).toBe('zh_4');
    expect(proposeScale(vc(['A', 20], ['B', 10], ['优', 1])).preset).toBe('letters_ae');
  });

  it('proposes nothing when no preset maps a value', () => {
    expect(proposeScale(vc(['Gold', 3], ['Silver', 7]))).toEqual({ preset: null, entries: [], unmapped: [{ value: 'Silver', count: 7 }, { value: 'Gold', count: 3 }] });
    expect(proposeScale([])).toEqual({ preset: null, entries: [], unmapped: [] });
  });

  it('numbers outside 1..N fall back to the best-mapping preset', () => {
    const p = proposeScale(vc(['1', 1], ['5', 1], ['6', 4]));
    expect(p.preset).toBe('num_5_high');
    expect(p.unmapped).toEqual([{ value: '6', count: 4 }]);
  });
});

describe('parseGradeMap', () => {
  it('reads values with spaces, letter grades in any case and zh grade names', () => {
    expect(parseGradeMap('Fully Meets=C, Exceeds Expectations = b,Outstanding=A,待改进=基本合格,Too New=-')).toEqual([
      { value: 'Fully Meets', grade: 'C' },
      { value: 'Exceeds Expectations', grade: 'B' },
      { value: 'Outstanding', grade: 'A' },
      { value: '待改进', grade: 'D' },
      { value: 'Too New', grade: null },
    ]);
    // Full-width separators from a Chinese keyboard, a trailing comma, a repeated identical pair.
    expect(parseGradeMap('优秀＝优，良好=良,良好=B,')).toEqual([{ value: '优秀', grade: 'A' }, { value: '良好', grade: 'B' }]);
    // The last '=' separates, so a value may hold one.
    expect(parseGradeMap('>=90=A')).toEqual([{ value: '>=90', grade: 'A' }]);
  });

  const error = (text: string): BilingualError => {
    try {
      parseGradeMap(text);
    } catch (err) {
      return err as BilingualError;
    }
    throw new Error(`no error for ${text}`);
  };

  it('names the bad part in both languages', () => {
    const noEq = error('Fully Meets=C,Exceeds B');
    expect(noEq).toBeInstanceOf(BilingualError);
    expect(noEq.zh).toContain('Exceeds B');
    expect(noEq.en).toContain('Exceeds B');
    expect(noEq.en).toContain("'='");

    const badGrade = error('Fully Meets=C,Exceeds=F');
    expect(badGrade.zh).toContain('F');
    expect(badGrade.en).toContain('unknown grade "F"');
    expect(badGrade.en).toContain('Exceeds=F');

    expect(error('=A').en).toContain('no value');
    expect(error('Meets=').en).toContain('no grade');
    expect(error('Meets=C,meets=B').en).toContain('twice');
  });

  it('refuses an empty map', () => {
    for (const t of ['', '  ', ',,']) expect(error(t).en).toContain('empty');
  });
});
