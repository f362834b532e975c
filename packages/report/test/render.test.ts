import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_GUIDELINE } from '@perflens/core/domain';
import { renderReport, type ReportModel } from '../src/index.ts';
import { chartSvg } from '../src/svg.ts';
import { TEXTS } from '../src/texts.ts';
import { printable } from '../src/fonts.ts';

const dir = mkdtempSync(join(tmpdir(), 'perflens-report-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A model with every section, names as a real export would have them (padded, mixed scripts). */
function model(lang: 'zh' | 'en'): ReportModel {
  const shares = { A: 0.12, B: 0.31, C: 0.4, D: 0.12, E: 0.05 };
  return {
    lang,
    generatedAt: '2026-12-05T08:00:00.000Z',
    generatedBy: 'hr.partner',
    scope: { from: '2025-01', to: '2025-12', orgUnitName: null, roleName: null, cycle: 'month' },
    headline: { employees: 1234, orgUnits: 17, records: 14_808, graded: 14_800, ungraded: 8, firstPeriod: '2023-01', lastPeriod: '2025-12' },
    grades: {
      overall: { grades: ['A', 'B', 'C', 'D', 'E'], groups: [{ total: 14_800, counts: { A: 1776, B: 4588, C: 5920, D: 1776, E: 740 }, shares }] },
      guideline: DEFAULT_GUIDELINE,
      byUnit: [
        { label: '跟单一部', total: 4321, shares },
        { label: 'Sales East', total: 987, shares: { A: 0.3, B: 0.3, C: 0.3, D: 0.05, E: 0.05 } },
      ],
      omittedUnits: 3,
    },
    calibration: {
      name: '2025 年终校准',
      status: 'final',
      finalisedAt: '2026-01-10T09:30:00',
      people: 420,
      moves: [{ employee: '张三 (E0012)', periodId: '2025-12', from: 'B', to: 'A', reason: '年度大客户项目', actor: 'hr.partner' }],
      moveTotal: 1,
      groups: 12,
      groupsOnQuota: 11,
      offQuota: [{ label: '跟单一部', periodId: '2025-12', diff: { A: 1, B: 0, C: -1, D: 0, E: 0 } }],
    },
    policies: [
      {
        id: 'P1',
        name: '月度奖金新规',
        effectiveFrom: '2025-01-01',
        outcomeLabel: lang === 'zh' ? '考核得分' : 'Assessment score',
        unit: { kind: 'points' },
        headline: { method: 'did', estimate: 2.345, ci: [1.2, 3.49], p: 0.0004, verdict: 'improved', reason: null },
        effect: {
          series: ['2024-10', '2024-11', '2024-12', '2025-01', '2025-02', '2025-03'].map((periodId, i) => ({ periodId, treated: 80 + i, control: 79 + i * 0.5 })),
          window: { firstAfter: '2025-01' },
          eventStudy: { reference: -1, points: [-3, -2, -1, 0, 1, 2].map((rel) => ({ rel, estimate: rel < 0 ? 0.1 : 2.3, ci: rel === -1 ? null : [rel < 0 ? -0.5 : 1.5, rel < 0 ? 0.7 : 3.1] })) },
        },
        summary: lang === 'zh' ? '新规实施后得分提高 2.35 分。' : 'Scores rose by 2.35 points after the policy.',
        methods: [{ name: 'did', text: 'Two-way fixed effects, CR1.' }],
        warnings: [],
      },
    ],
    scenarios: [
      {
        id: 's1',
        name: 'Coefficient A = 1.5',
        rows: 1000,
        employees: 100,
        changed: 37,
        shareChanged: 0.037,
        distribution: { baseline: { A: 100, B: 300, C: 400, D: 150, E: 50 }, scenario: { A: 120, B: 290, C: 390, D: 150, E: 50 } },
        matrix: [
          { from: 'B', to: 'A', count: 20 },
          { from: 'A', to: 'A', count: 100 },
        ],
        cost: { baseline: '1500000.00', scenario: '1501337.50', delta: '1337.50' },
        warnings: [],
      },
    ],
    dataNote: { batches: [{ fileName: 'export_2025.xlsx', table: 'assessments', rows: 14_808, finishedAt: '2026-01-02T10:00:00' }], batchTotal: 1, notes: ['8 records without a grade'] },
  };
}

function pdfText(buf: Buffer, name: string): string {
  const file = join(dir, name);
  writeFileSync(file, buf);
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
}

describe('renderReport', () => {
  it('writes a Chinese report whose text (title, figures, names) can be extracted and whose pages render', async () => {
    const buf = await renderReport(model('zh'));
    expect(buf.subarray(0, 5).toString()).toBe('%PDF-');
    const text = pdfText(buf, 'zh.pdf');
    expect(text).toContain(TEXTS.zh.title);
    expect(text).toContain('1,234');
    expect(text).toContain('14,808');
    expect(text).toContain('跟单一部');
    expect(text).toContain('年度大客户项目');
    // The policy's headline as the dashboard formats it, and the scenario's cost in 万元.
    expect(text).toContain('+2.35');
    expect(text).toContain('150.13 万元');
    expect(text).toContain(TEXTS.zh.verdicts.improved);
    // pdftoppm turns every page into an image (a broken content stream fails here).
    execFileSync('pdftoppm', ['-r', '30', '-png', join(dir, 'zh.pdf'), join(dir, 'zh-page')]);
    expect(readdirSync(dir).filter((f) => f.startsWith('zh-page')).length).toBeGreaterThan(1);
  });

  it('embeds its font: no text depends on a font of the reading machine', async () => {
    const buf = await renderReport(model('en'));
    writeFileSync(join(dir, 'en.pdf'), buf);
    const fonts = execFileSync('pdffonts', [join(dir, 'en.pdf')], { encoding: 'utf8' }).trim().split('\n').slice(2);
    expect(fonts.length).toBeGreaterThan(0);
    for (const line of fonts) expect(line).toMatch(/\byes\s+yes\s+yes\b/); // embedded, subset, unicode map
    const text = pdfText(buf, 'en2.pdf');
    expect(text).toContain(TEXTS.en.title);
    expect(text).toContain('¥1,501,337.50');
    expect(text).toContain('+¥1,337.50');
    expect(text).toContain('Sales East');
  });

  it('draws charts from the dashboard’s options as vector SVG with the embedded font', () => {
    const svg = chartSvg({ xAxis: { type: 'category', data: ['优', '良'] }, yAxis: {}, series: [{ type: 'bar', data: [1, 2] }] }, 400, 200);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('优');
    expect(svg).toContain('Noto Sans SC');
  });

  it('replaces only the characters the embedded font cannot draw', () => {
    // ȳ has no glyph: it decomposes to y (+ a combining macron the font may lack); ⁻¹ reads ^-1.
    expect(printable('95% CI ȳ ± t')).toMatch(/^95% CI y\u0304? ± t$/);
    expect(printable('(X′X)⁻¹')).not.toContain('⁻');
    expect(printable('跟单一部 Sales East 1,234 ¥ – ≥ Σ')).toBe('跟单一部 Sales East 1,234 ¥ – ≥ Σ');
  });

  it('has every word in both languages', () => {
    const keys = (o: object): string[] => Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' ? keys(v).map((s) => `${k}.${s}`) : [k]));
    expect(keys(TEXTS.en).sort()).toEqual(keys(TEXTS.zh).sort());
    for (const [k, v] of Object.entries(TEXTS.en)) if (k !== 'methodNoteLang') expect(v, k).not.toBe('');
  });
});
