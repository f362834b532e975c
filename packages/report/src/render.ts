import PDFDocument from 'pdfkit';
import SVGtoPDF from 'svg-to-pdfkit';
import type { EChartsCoreOption } from 'echarts/core';
import { GRADES, type Grade } from '@perflens/core/domain';
import { formatQuantity } from '@perflens/core/policy/units';
import { MUTED, eventStudyOption, formatEffect, formatYuan, fmtInt, fmtPct, gradeOption, seriesOption, type T } from '@perflens/charts';
import { FONT_BOLD, FONT_REGULAR, printable } from './fonts.ts';
import { chartSvg } from './svg.ts';
import { TEXTS, fill, gradeName, type Texts } from './texts.ts';
import type { ReportModel, ReportPolicy, ReportScenario } from './model.ts';

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 48;
const WIDTH = A4[0] - 2 * MARGIN;
const INK = '#111827';
const RULE = '#d1d5db';

type Doc = PDFKit.PDFDocument;
type Align = 'left' | 'right' | 'center';
interface Column {
  header: string;
  width: number;
  align?: Align;
}

/**
 * The report as a PDF (A4, vector charts, the CJK font embedded as a subset). Built on the
 * server from data the API already answered (see ReportModel); nothing here queries anything.
 */
export async function renderReport(model: ReportModel): Promise<Buffer> {
  const lang = model.lang;
  const tx = TEXTS[lang];
  const locale = lang === 'zh' ? 'zh-CN' : 'en-US';
  const doc = new PDFDocument({
    size: A4,
    margins: { top: MARGIN, bottom: MARGIN + 12, left: MARGIN, right: MARGIN },
    bufferPages: true,
    // Deterministic output for the same data (no creation date in the file's info).
    info: { Title: `${tx.title} · ${tx.product}`, Author: 'PerfLens', Producer: 'PerfLens', Creator: 'PerfLens', CreationDate: new Date(model.generatedAt) },
    lang: locale,
    displayTitle: true,
  });
  doc.registerFont('sans', FONT_REGULAR);
  doc.registerFont('sans-bold', FONT_BOLD);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const r = new Writer(doc, tx, locale);
  cover(r, model);
  headline(r, model);
  grades(r, model);
  if (model.calibration) calibration(r, model);
  if (model.policies.length) {
    r.h1(tx.policies);
    for (const p of model.policies) policy(r, p, model);
  }
  if (model.scenarios.length) {
    r.h1(tx.scenarios);
    for (const s of model.scenarios) scenario(r, s, model);
  }
  dataNote(r, model);
  footers(doc, tx);
  doc.end();
  return done;
}

/** Layout helpers over PDFKit: headings, paragraphs, key–value blocks, tables that break across pages, charts. */
class Writer {
  constructor(
    readonly doc: Doc,
    readonly tx: Texts,
    readonly locale: string,
  ) {}

  /** Starts a new page when fewer than `h` points remain. */
  need(h: number): void {
    if (this.doc.y + h > this.doc.page.height - this.doc.page.margins.bottom) this.doc.addPage();
  }

  h1(raw: string): void {
    const text = printable(raw);
    this.need(80);
    this.doc.moveDown(0.6).font('sans-bold').fontSize(15).fillColor(INK).text(text, MARGIN, this.doc.y, { width: WIDTH });
    const y = this.doc.y + 2;
    this.doc.moveTo(MARGIN, y).lineTo(MARGIN + WIDTH, y).lineWidth(0.8).strokeColor(INK).stroke();
    this.doc.y = y + 8;
  }

  h2(raw: string): void {
    const text = printable(raw);
    this.need(60);
    this.doc.moveDown(0.4).font('sans-bold').fontSize(12).fillColor(INK).text(text, MARGIN, this.doc.y, { width: WIDTH });
    this.doc.moveDown(0.2);
  }

  /** `keep`: points of what follows that must stay on the same page (a caption above its chart or table). */
  para(raw: string, opts: { color?: string; size?: number; bold?: boolean; keep?: number } = {}): void {
    if (!raw) return;
    const text = printable(raw);
    this.doc.font(opts.bold ? 'sans-bold' : 'sans').fontSize(opts.size ?? 10);
    if (opts.keep) this.need(this.doc.heightOfString(text, { width: WIDTH, lineGap: 2 }) + opts.keep);
    this.doc.fillColor(opts.color ?? INK).text(text, MARGIN, this.doc.y, { width: WIDTH, lineGap: 2 });
    this.doc.moveDown(0.3);
  }

  /** Label–value pairs in two columns, values bold (the figures a reader looks for). */
  facts(rows: Array<[string, string]>): void {
    const labelW = 150;
    for (const [rawK, rawV] of rows) {
      const k = printable(rawK);
      const v = printable(rawV);
      this.doc.font('sans-bold').fontSize(10);
      const h = Math.max(14, this.doc.heightOfString(v, { width: WIDTH - labelW }));
      this.need(h + 2);
      const y = this.doc.y;
      this.doc.font('sans').fontSize(10).fillColor(MUTED).text(k, MARGIN, y, { width: labelW - 8 });
      this.doc.font('sans-bold').fontSize(10).fillColor(INK).text(v, MARGIN + labelW, y, { width: WIDTH - labelW });
      this.doc.y = y + h + 2;
    }
    this.doc.moveDown(0.3);
  }

  /**
   * A table whose header repeats on every page it spans. Widths are fractions of the text width;
   * each row is as tall as its tallest cell.
   */
  table(columns: Column[], rawRows: string[][], opts: { cellColor?: (row: number, col: number) => string | undefined } = {}): void {
    const rows = rawRows.map((r) => r.map(printable));
    const total = columns.reduce((s, c) => s + c.width, 0);
    const widths = columns.map((c) => (c.width / total) * WIDTH);
    const pad = 4;
    const size = 9;
    this.fitWords(widths, columns.map((c) => printable(c.header)), rows, size, pad);
    const rowHeight = (cells: string[], font: string): number => {
      this.doc.font(font).fontSize(size);
      return Math.max(...cells.map((c, i) => this.doc.heightOfString(c || ' ', { width: widths[i]! - 2 * pad }))) + 2 * pad;
    };
    const draw = (cells: string[], font: string, fill: string | null, rowIndex: number | null): void => {
      const h = rowHeight(cells, font);
      const y = this.doc.y;
      let x = MARGIN;
      if (fill) this.doc.rect(MARGIN, y, WIDTH, h).fill(fill);
      cells.forEach((c, i) => {
        const bg = rowIndex !== null ? opts.cellColor?.(rowIndex, i) : undefined;
        if (bg) this.doc.rect(x, y, widths[i]!, h).fill(bg);
        this.doc
          .font(font)
          .fontSize(size)
          .fillColor(INK)
          .text(c, x + pad, y + pad, { width: widths[i]! - 2 * pad, align: columns[i]!.align ?? 'left' });
        x += widths[i]!;
      });
      this.doc.moveTo(MARGIN, y + h).lineTo(MARGIN + WIDTH, y + h).lineWidth(0.4).strokeColor(RULE).stroke();
      this.doc.y = y + h;
    };
    const header = columns.map((c) => printable(c.header));
    const headerH = rowHeight(header, 'sans-bold');
    this.need(headerH + (rows[0] ? rowHeight(rows[0], 'sans') : 0));
    draw(header, 'sans-bold', '#f3f4f6', null);
    rows.forEach((row, i) => {
      const h = rowHeight(row, 'sans');
      if (this.doc.y + h > this.doc.page.height - this.doc.page.margins.bottom) {
        this.doc.addPage();
        draw(header, 'sans-bold', '#f3f4f6', null);
      }
      draw(row, 'sans', null, i);
    });
    this.doc.x = MARGIN;
    this.doc.moveDown(0.6);
  }

  /**
   * Widens columns whose longest word would otherwise be cut mid-word ("Outstan|ding"), taking
   * the room from columns that have more than their own longest word needs. Chinese text breaks
   * between any two characters, so only Latin words and figures count.
   */
  private fitWords(widths: number[], header: string[], rows: string[][], size: number, pad: number): void {
    const longest = (text: string, font: string) => {
      this.doc.font(font).fontSize(size);
      return Math.max(0, ...text.split(/[\s\u3000-\u9fff\uff00-\uffef]+/).map((w) => this.doc.widthOfString(w)));
    };
    const need = widths.map((_, i) => Math.max(longest(header[i] ?? '', 'sans-bold'), ...rows.map((r) => longest(r[i] ?? '', 'sans'))) + 2 * pad + 1);
    let short = widths.reduce((s, w, i) => s + Math.max(0, need[i]! - w), 0);
    if (short <= 0) return;
    const slack = widths.map((w, i) => Math.max(0, w - need[i]!));
    const spare = slack.reduce((a, b) => a + b, 0);
    if (spare <= 0) return;
    // Enough spare room: every cut column gets what it needs. Else each gets its share of what there is.
    const take = Math.min(1, short / spare);
    const give = Math.min(1, spare / short);
    widths.forEach((w, i) => {
      widths[i] = need[i]! > w ? w + (need[i]! - w) * give : w - slack[i]! * take;
    });
    // Rounding may leave the sum a little off the text width: the last column absorbs it.
    short = WIDTH - widths.reduce((a, b) => a + b, 0);
    widths[widths.length - 1]! += short;
  }

  /** An ECharts option drawn as vector graphics, the full text width wide. */
  chart(option: EChartsCoreOption | null, height: number): void {
    if (!option) return;
    this.need(height + 8);
    const svg = chartSvg(option, Math.round(WIDTH), height);
    SVGtoPDF(this.doc, svg, MARGIN, this.doc.y, {
      width: WIDTH,
      height,
      assumePt: true,
      fontCallback: (_family: string, bold: boolean) => (bold ? 'sans-bold' : 'sans'),
    });
    this.doc.y += height + 8;
    this.doc.x = MARGIN;
  }
}

/** Chart texts: the report's words for the keys the dashboard's option builders ask for. */
function chartT(tx: Texts, lang: 'zh' | 'en'): T {
  const keys: Record<string, string> = {
    'charts.grades.actual': tx.chartActual,
    'charts.grades.guideline': tx.chartGuideline,
    'charts.grades.yAxis': tx.chartShare,
    'charts.grades.count': tx.n,
    'charts.grades.share': tx.chartShare,
    'charts.clickToDrill': '',
    'policy.treated': tx.treated,
    'policy.control': tx.control,
    'policy.effectiveLine': tx.effectiveLine,
    'policy.before': tx.before,
    'policy.after': tx.after,
    'policy.relPeriod': tx.relPeriod,
    'policy.reference': tx.reference,
    'policy.estimate': tx.estimate,
  };
  return (key) => {
    const grade = /^grade\.([A-E])$/.exec(key);
    if (grade) return gradeName(grade[1] as Grade, lang);
    return keys[key] ?? key;
  };
}

function scopeText(m: ReportModel): string {
  const tx = TEXTS[m.lang];
  const periods = m.scope.from || m.scope.to ? `${m.scope.from ?? '…'} – ${m.scope.to ?? '…'}` : tx.allPeriods;
  return [periods, m.scope.orgUnitName ?? tx.wholeCompany, m.scope.roleName ?? tx.allRoles].join(' · ');
}

function cover(r: Writer, m: ReportModel): void {
  const { doc, tx } = r;
  doc.font('sans').fontSize(10).fillColor(MUTED).text(tx.product, MARGIN, MARGIN, { width: WIDTH });
  doc.moveDown(0.3).font('sans-bold').fontSize(22).fillColor(INK).text(tx.title, { width: WIDTH });
  doc.moveDown(0.2).font('sans').fontSize(11).fillColor(INK).text(scopeText(m), { width: WIDTH });
  const at = new Intl.DateTimeFormat(r.locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(new Date(m.generatedAt));
  doc.moveDown(0.2).fontSize(9).fillColor(MUTED).text(`${fill(tx.generated, { at: `${at} UTC` })}${m.generatedBy ? ` · ${fill(tx.by, { who: m.generatedBy })}` : ''}`, { width: WIDTH });
  doc.moveDown(0.6);
}

function headline(r: Writer, m: ReportModel): void {
  const { tx } = r;
  const h = m.headline;
  r.h1(tx.headline);
  r.facts([
    [tx.scope, scopeText(m)],
    [tx.cycle, tx.cycles[m.scope.cycle] ?? m.scope.cycle],
    [tx.employees, fmtInt(h.employees, r.locale)],
    [tx.orgUnits, fmtInt(h.orgUnits, r.locale)],
    [tx.records, fmtInt(h.records, r.locale)],
    [tx.graded, fmtInt(h.graded, r.locale)],
    [tx.ungraded, fmtInt(h.ungraded, r.locale)],
    [tx.dataSpan, h.firstPeriod ? `${h.firstPeriod} – ${h.lastPeriod}` : '–'],
  ]);
}

function grades(r: Writer, m: ReportModel): void {
  const { tx } = r;
  r.h1(tx.grades);
  r.para(tx.gradesIntro, { color: MUTED, size: 9 });
  r.chart(gradeOption(m.grades.overall, m.grades.guideline, chartT(tx, m.lang), { locale: r.locale }), 260);
  if (!m.grades.byUnit.length) return;
  r.h2(tx.byUnit);
  const cols: Column[] = [
    { header: tx.unit, width: 2.6 },
    { header: tx.n, width: 1, align: 'right' },
    ...GRADES.map((g) => ({ header: gradeName(g, m.lang), width: 1.1, align: 'right' as Align })),
    { header: tx.deviation, width: 2.3, align: 'right' },
  ];
  const rows = m.grades.byUnit.map((u) => {
    const dev = maxDeviation(u.shares, m.grades.guideline);
    return [u.label, fmtInt(u.total, r.locale), ...GRADES.map((g) => fmtPct(u.shares[g], 1, r.locale)), `${gradeName(dev.grade, m.lang)} ${signedPp(dev.diff, r.locale)}`];
  });
  r.table(cols, rows, {
    // A grade more than 5 points off its guideline share is shaded, as on the calibration heatmap.
    cellColor: (row, col) => {
      const g = GRADES[col - 2];
      if (!g) return undefined;
      const diff = m.grades.byUnit[row]!.shares[g] - m.grades.guideline[g];
      return Math.abs(diff) > 0.05 ? (diff > 0 ? '#dbeafe' : '#fde68a') : undefined;
    },
  });
  if (m.grades.omittedUnits > 0) r.para(fill(tx.omittedUnits, { n: m.grades.omittedUnits }), { color: MUTED, size: 9 });
}

function maxDeviation(shares: Record<Grade, number>, guideline: Record<Grade, number>): { grade: Grade; diff: number } {
  let best: { grade: Grade; diff: number } = { grade: 'A', diff: 0 };
  for (const g of GRADES) {
    const d = shares[g] - guideline[g];
    if (Math.abs(d) > Math.abs(best.diff)) best = { grade: g, diff: d };
  }
  return best;
}

/** A difference of shares in percentage points, signed: "+3.2 pp" / "+3.2 个百分点". */
function signedPp(diff: number, locale: string): string {
  return formatQuantity(diff, { kind: 'rate' }, locale === 'zh-CN' ? 'zh' : 'en', { delta: true, signed: true });
}

function calibration(r: Writer, m: ReportModel): void {
  const { tx } = r;
  const c = m.calibration!;
  r.h1(tx.calibration);
  r.facts([
    [tx.session, c.name],
    [tx.status, c.status === 'final' ? tx.statusFinal : tx.statusOpen],
    ...(c.finalisedAt ? [[tx.finalisedAt, c.finalisedAt.replace('T', ' ')] as [string, string]] : []),
    [tx.people, fmtInt(c.people, r.locale)],
    [tx.moves, fmtInt(c.moveTotal, r.locale)],
    [tx.quotas, fill(tx.quotasMet, { met: fmtInt(c.groupsOnQuota, r.locale), groups: fmtInt(c.groups, r.locale) })],
  ]);
  r.h2(tx.moves);
  if (!c.moves.length) r.para(tx.movesNone);
  else {
    r.table(
      [
        { header: tx.employee, width: 2 },
        { header: tx.period, width: 1 },
        { header: tx.from, width: 1.2 },
        { header: tx.to, width: 1.2 },
        { header: tx.reason, width: 3.5 },
        { header: tx.actor, width: 1.3 },
      ],
      c.moves.map((mv) => [mv.employee, mv.periodId, gradeName(mv.from, m.lang), gradeName(mv.to, m.lang), mv.reason ?? '–', mv.actor ?? '–']),
    );
    if (c.moveTotal > c.moves.length) r.para(fill(tx.movesMore, { n: fmtInt(c.moveTotal, r.locale), shown: c.moves.length }), { color: MUTED, size: 9 });
  }
  if (c.offQuota.length) {
    r.h2(tx.offQuota);
    r.table(
      [{ header: tx.group, width: 3 }, { header: tx.period, width: 1 }, ...GRADES.map((g) => ({ header: gradeName(g, m.lang), width: 1, align: 'right' as Align }))],
      c.offQuota.map((q) => [q.label, q.periodId, ...GRADES.map((g) => (q.diff[g] === 0 ? '0' : `${q.diff[g] > 0 ? '+' : '−'}${Math.abs(q.diff[g])}`))]),
    );
  }
}

function policy(r: Writer, p: ReportPolicy, m: ReportModel): void {
  const { tx } = r;
  const h = p.headline;
  const eff = formatEffect(h.estimate, h.ci, p.unit, m.lang);
  r.h2(m.lang === 'zh' ? `${tx.policy}：${p.name}` : `${tx.policy}: ${p.name}`);
  r.facts([
    [tx.effectiveFrom, p.effectiveFrom],
    [tx.outcome, p.outcomeLabel],
    [tx.estimate, eff.value],
    [tx.ci, eff.ci],
    [tx.p, h.p === null ? (h.reason ?? '–') : h.p < 0.001 ? '< 0.001' : h.p.toFixed(3)],
    [tx.verdict, tx.verdicts[h.verdict] ?? h.verdict],
    [tx.method, h.method ? (tx.methodNames[h.method] ?? h.method) : '–'],
  ]);
  r.para(tx.summary, { bold: true, keep: 30 });
  r.para(p.summary);
  for (const w of p.warnings) r.para(`⚠ ${w}`, { color: '#92400e', size: 9 });
  const t = chartT(tx, m.lang);
  r.para(tx.treatedControl, { bold: true, keep: 238 });
  r.chart(seriesOption(p.effect, t), 230);
  const es = eventStudyOption(p.effect, t);
  if (es) {
    r.para(tx.eventStudy, { bold: true, keep: 218 });
    r.chart(es, 210);
  }
  r.para(tx.methodNote, { bold: true, size: 9, keep: 30 });
  if (tx.methodNoteLang) r.para(tx.methodNoteLang, { color: MUTED, size: 8 });
  for (const note of p.methods) if (note.text.trim()) r.para(`${tx.methodParts[note.name] ?? note.name}: ${note.text}`, { color: MUTED, size: 8 });
}

function scenario(r: Writer, s: ReportScenario, m: ReportModel): void {
  const { tx } = r;
  r.h2(m.lang === 'zh' ? `${tx.scenario}：${s.name}` : `${tx.scenario}: ${s.name}`);
  r.facts([
    [tx.records, fmtInt(s.rows, r.locale)],
    [tx.moves, fill(tx.rowsChanged, { changed: fmtInt(s.changed, r.locale), rows: fmtInt(s.rows, r.locale), share: fmtPct(s.shareChanged, 1, r.locale) })],
    [tx.costBaseline, formatYuan(s.cost.baseline, { wan: true }, m.lang)],
    [tx.costScenario, formatYuan(s.cost.scenario, { wan: true }, m.lang)],
    [tx.costDelta, formatYuan(s.cost.delta, { signed: true, wan: true }, m.lang)],
  ]);
  r.para(tx.distribution, { bold: true, keep: 70 });
  r.table(
    [{ header: '', width: 1.4 }, ...GRADES.map((g) => ({ header: gradeName(g, m.lang), width: 1, align: 'right' as Align }))],
    [
      [tx.baselineGrade, ...GRADES.map((g) => fmtInt(s.distribution.baseline[g], r.locale))],
      [tx.scenarioGrade, ...GRADES.map((g) => fmtInt(s.distribution.scenario[g], r.locale))],
    ],
  );
  r.para(tx.migration, { bold: true, keep: 120 });
  const from: Array<Grade | null> = [...GRADES, null];
  const count = (a: Grade | null, b: Grade | null) => s.matrix.find((c) => c.from === a && c.to === b)?.count ?? 0;
  const hasNull = s.matrix.some((c) => (c.from === null || c.to === null) && c.count > 0);
  const axis = hasNull ? from : [...GRADES];
  r.table(
    [{ header: `${tx.baselineGrade} \\ ${tx.scenarioGrade}`, width: 1.6 }, ...axis.map((g) => ({ header: gradeName(g, m.lang), width: 1, align: 'right' as Align }))],
    axis.map((a) => [gradeName(a, m.lang), ...axis.map((b) => fmtInt(count(a, b), r.locale))]),
    // The diagonal (unchanged) is shaded so moves stand out off it.
    { cellColor: (row, col) => (col - 1 === row ? '#f3f4f6' : undefined) },
  );
  for (const w of s.warnings) r.para(`⚠ ${w}`, { color: '#92400e', size: 9 });
}

function dataNote(r: Writer, m: ReportModel): void {
  const { tx } = r;
  r.h1(tx.dataNote);
  const d = m.dataNote;
  if (d.batches) {
    r.para(tx.sources, { bold: true, keep: 50 });
    if (d.batches.length)
      r.table(
        [
          { header: tx.batchFile, width: 3.5 },
          { header: tx.batchTable, width: 1.5 },
          { header: tx.batchRows, width: 1, align: 'right' },
          { header: tx.batchAt, width: 1.8 },
        ],
        d.batches.map((b) => [b.fileName, b.table, fmtInt(b.rows, r.locale), b.finishedAt.replace('T', ' ')]),
      );
    if (d.batchTotal !== null && d.batchTotal > d.batches.length) r.para(fill(tx.batchesMore, { n: fmtInt(d.batchTotal, r.locale), shown: d.batches.length }), { color: MUTED, size: 9 });
  } else r.para(tx.batchesHidden, { color: MUTED, size: 9 });
  if (d.notes.length) {
    r.para(tx.excluded, { bold: true });
    for (const n of d.notes) r.para(`• ${n}`, { size: 9 });
  }
}

/** Page numbers, written once every page exists (bufferPages). */
function footers(doc: Doc, tx: Texts): void {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // Writing below the bottom margin would make PDFKit add a page: lift the margin first.
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.font('sans').fontSize(8).fillColor(MUTED).text(`${tx.product} · ${fill(tx.page, { n: i + 1 })} / ${range.count}`, MARGIN, doc.page.height - 36, { width: WIDTH, align: 'center', lineBreak: false });
    doc.page.margins.bottom = bottom;
  }
}

