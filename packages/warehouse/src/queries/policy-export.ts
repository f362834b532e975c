import ExcelJS from 'exceljs';
import { safeWorkbook } from '../safe-cell.ts';
import { effectVerdict, outcomePolarity, type Policy, type PolicyAnalysis, type Verdict } from '@perflens/core';

/** One analysed outcome as `policy.effect` returns it (the parts the workbook shows). */
export interface PolicyEffectForExport extends PolicyAnalysis {
  outcome: { id: string; label: { zh: string; en: string } };
  cycle: string;
  window: { from: string | null; to: string | null; firstAfter: string | null; periodsBefore: number; periodsAfter: number };
  control: { kind: 'chosen' | 'automatic'; orgUnitIds: string[] };
}

type Lang = 'zh' | 'en';

/**
 * The headline of an outcome: the Callaway–Sant'Anna overall effect under staggered adoption
 * (the TWFE DiD would use already-treated units as controls), else the difference-in-differences,
 * or the ITS level change without a control. `p` is null whenever the design supports no p-value
 * (a single treated or control unit, a one-unit cohort, the bootstrap switched off); `reason`
 * says why, and the verdict is then 'unclear'.
 */
export function policyHeadline(e: PolicyAnalysis & { outcome: { id: string } }): {
  method: 'did' | 'cs' | 'its' | null;
  estimate: number | null;
  ci: [number, number] | null;
  p: number | null;
  reason: { zh: string; en: string } | null;
  verdict: Verdict;
} {
  const cs = e.staggered?.headline === 'cs' ? e.staggered.cs : null;
  if (cs) {
    const o = cs.overall;
    const reason = o.p === null ? { zh: '交错实施的某个批次只有 1 个单位或对照单位不足，不给出 p 值。', en: 'A cohort has a single unit or there are too few comparison units: no p-value.' } : null;
    return { method: 'cs', estimate: o.estimate, ci: o.ci, p: o.p, reason, verdict: effectVerdict(o.estimate, o.p, outcomePolarity(e.outcome.id)) };
  }
  const est = e.did ?? e.its?.levelChange ?? null;
  const method = e.did ? 'did' : e.its ? 'its' : null;
  const estimate = est?.estimate ?? null;
  const p = est?.p ?? null;
  const reason = e.did?.reason && e.did.p === null ? { zh: e.did.reason.zh, en: e.did.reason.en } : null;
  return { method, estimate, ci: est?.ci ?? null, p, reason, verdict: effectVerdict(estimate, p, outcomePolarity(e.outcome.id)) };
}

const T = {
  zh: {
    summary: '摘要',
    policy: '政策',
    effective: '生效日期',
    scope: '范围',
    control: '对照组',
    automatic: '自动（范围外、政策前后均有数据的单位）',
    outcome: '指标',
    method: '方法',
    did: '双重差分',
    cs: '交错实施 DiD（Callaway–Sant’Anna）',
    its: '中断时间序列（无对照组）',
    estimate: '效应估计',
    ciLow: '95% CI 下限',
    ciHigh: '95% CI 上限',
    verdict: '结论',
    verdicts: { improved: '改善', worsened: '变差', changed: '有变化', unclear: '不确定（p ≥ 0.05）' },
    treatedUnits: '处理组单位',
    controlUnits: '对照组单位',
    obs: '观测数',
    window: '期间',
    text: '说明',
    means: '均值',
    group: '组',
    treated: '处理组',
    controlGroup: '对照组',
    before: '政策前',
    after: '政策后',
    mean: '均值',
    n: '观测数',
    eventStudy: '事件研究',
    rel: '相对期',
    period: '期间',
    reference: '基准期',
    series: '时间序列',
    treatedMean: '处理组均值',
    controlMean: '对照组均值',
    itsSheet: '中断时间序列',
    level: '水平变化',
    slope: '斜率变化',
    preSlope: '政策前斜率',
    dist: '分布变化',
    mwu: 'Mann-Whitney U',
    cliff: "Cliff's delta",
    chi2: 'χ²',
    cramer: "Cramér's V",
    notes: '提示与方法',
    kind: '类别',
    warning: '提示',
    methodNote: '方法',
  },
  en: {
    summary: 'Summary',
    policy: 'Policy',
    effective: 'Effective from',
    scope: 'Scope',
    control: 'Control group',
    automatic: 'automatic (units outside the scope with data before and after)',
    outcome: 'Outcome',
    method: 'Method',
    did: 'difference-in-differences',
    cs: "staggered DiD (Callaway–Sant'Anna)",
    its: 'interrupted time series (no control)',
    estimate: 'Effect',
    ciLow: '95% CI low',
    ciHigh: '95% CI high',
    verdict: 'Verdict',
    verdicts: { improved: 'improved', worsened: 'worsened', changed: 'changed', unclear: 'unclear (p ≥ 0.05)' },
    treatedUnits: 'Treated units',
    controlUnits: 'Control units',
    obs: 'Observations',
    window: 'Window',
    text: 'Summary',
    means: 'Means',
    group: 'Group',
    treated: 'treated',
    controlGroup: 'control',
    before: 'before',
    after: 'after',
    mean: 'Mean',
    n: 'n',
    eventStudy: 'Event study',
    rel: 'Relative period',
    period: 'Period',
    reference: 'Reference',
    series: 'Time series',
    treatedMean: 'Treated mean',
    controlMean: 'Control mean',
    itsSheet: 'Interrupted time series',
    level: 'Level change',
    slope: 'Slope change',
    preSlope: 'Pre-policy slope',
    dist: 'Distribution shift',
    mwu: 'Mann-Whitney U',
    cliff: "Cliff's delta",
    chi2: 'χ²',
    cramer: "Cramér's V",
    notes: 'Warnings and methods',
    kind: 'Kind',
    warning: 'warning',
    methodNote: 'method',
  },
} as const;

function sheet(wb: ExcelJS.Workbook, name: string, header: string[]): ExcelJS.Worksheet {
  const ws = wb.addWorksheet(name);
  ws.addRow(header).font = { bold: true };
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  ws.columns.forEach((c) => (c.width = 16));
  return ws;
}

/**
 * A policy analysis as an XLSX workbook: one summary row per outcome (the executive view), then
 * the means, event study, time series, interrupted time series, distribution tests, warnings
 * and method notes of every outcome, in the user's language. Numbers stay numbers (full
 * precision) so they can be re-used in Excel.
 */
export async function policyWorkbook(
  policy: Policy,
  effects: readonly PolicyEffectForExport[],
  lang: Lang,
  orgUnitNames: ReadonlyMap<string, string> = new Map(),
  /** Role code → name in `lang`: the scope names roles as people know them, not by code. */
  roleNames: ReadonlyMap<string, string> = new Map(),
): Promise<Buffer> {
  const t = T[lang];
  const wb = new ExcelJS.Workbook();
  wb.creator = 'PerfLens';
  const name = (id: string) => orgUnitNames.get(id) ?? id;
  const label = (e: PolicyEffectForExport) => e.outcome.label[lang];

  const s = wb.addWorksheet(t.summary);
  s.addRow([t.policy, policy.name]).font = { bold: true };
  s.addRow([t.effective, policy.effectiveFrom]);
  s.addRow([t.scope, [...policy.scopeOrgUnitIds.map(name), ...policy.scopeRoles.map((r) => roleNames.get(r) ?? r)].join(', ') || '–']);
  const first = effects[0];
  s.addRow([t.control, first?.control.kind === 'chosen' ? first.control.orgUnitIds.map(name).join(', ') : t.automatic]);
  s.addRow([]);
  const header = [t.outcome, t.method, t.estimate, t.ciLow, t.ciHigh, 'p', t.verdict, t.treatedUnits, t.controlUnits, t.obs, t.window, t.text];
  s.addRow(header).font = { bold: true };
  for (const e of effects) {
    const h = policyHeadline(e);
    s.addRow([
      label(e),
      h.method ? t[h.method] : '–',
      h.estimate,
      h.ci?.[0] ?? null,
      h.ci?.[1] ?? null,
      h.p,
      t.verdicts[h.verdict],
      e.panel.units.treated,
      e.panel.units.control,
      e.panel.observations,
      `${e.window.from ?? '…'} – ${e.window.to ?? '…'}`,
      e.summary[lang],
    ]);
  }
  s.columns.forEach((c, i) => (c.width = i === 0 ? 28 : i === 11 ? 90 : 14));

  const means = sheet(wb, t.means, [t.outcome, t.group, t.window, t.mean, t.ciLow, t.ciHigh, t.n]);
  for (const e of effects)
    for (const m of e.means) means.addRow([label(e), m.treated ? t.treated : t.controlGroup, m.post ? t.after : t.before, m.estimate, m.ci?.[0] ?? null, m.ci?.[1] ?? null, m.observations]);

  const es = sheet(wb, t.eventStudy, [t.outcome, t.rel, t.estimate, t.ciLow, t.ciHigh, 'p', t.reference]);
  for (const e of effects)
    for (const p of e.eventStudy?.points ?? []) es.addRow([label(e), p.rel, p.estimate, p.ci?.[0] ?? null, p.ci?.[1] ?? null, p.p, p.reference ? '✓' : '']);

  const series = sheet(wb, t.series, [t.outcome, t.period, t.rel, t.treatedMean, t.controlMean, t.treatedUnits, t.controlUnits]);
  for (const e of effects) for (const p of e.series) series.addRow([label(e), p.periodId, p.rel, p.treated, p.control, p.treatedUnits, p.controlUnits]);

  const its = sheet(wb, t.itsSheet, [t.outcome, t.level, `${t.level} p`, t.slope, `${t.slope} p`, t.preSlope]);
  for (const e of effects)
    if (e.its) its.addRow([label(e), e.its.levelChange.estimate, e.its.levelChange.p, e.its.slopeChange.estimate, e.its.slopeChange.p, e.its.preSlope.estimate]);

  const dist = sheet(wb, t.dist, [t.outcome, t.group, t.mwu, 'p (U)', t.cliff, t.chi2, 'p (χ²)', t.cramer]);
  for (const e of effects)
    for (const g of ['treated', 'control'] as const) {
      const sc = e.distribution.scores[g];
      const gr = e.distribution.grades[g].test;
      dist.addRow([label(e), g === 'treated' ? t.treated : t.controlGroup, sc?.u ?? null, sc?.p ?? null, sc?.cliffsDelta ?? null, gr?.chi2 ?? null, gr?.p ?? null, gr?.cramersV ?? null]);
    }

  const notes = sheet(wb, t.notes, [t.outcome, t.kind, t.text]);
  for (const e of effects) {
    for (const w of e.warnings) notes.addRow([label(e), t.warning, w[lang]]);
    notes.addRow([label(e), t.warning, e.distribution.note[lang]]);
    for (const [k, m] of Object.entries(e.methods)) if (m) notes.addRow([label(e), `${t.methodNote}: ${k}`, m]);
  }
  notes.getColumn(3).width = 120;

  return Buffer.from(await safeWorkbook(wb).xlsx.writeBuffer());
}
