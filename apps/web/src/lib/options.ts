import type { EChartsCoreOption } from 'echarts/core';
import type { Grade } from '@perflens/core/domain';
import type { GradeGroup, GradesResult, OrgBox, ScoresResult } from '@/api/contract';
import { GRADE_COLORS, ACCENT, MUTED, baseTextStyle, dot, esc } from './charts';
import { fmtInt, fmtNum, fmtPct, truncate } from './format';
import { FIXED_MARGINS, axisName, gradeOption as sharedGradeOption } from '@perflens/charts/grades';
import { intlLocale } from '@/lang';

/** The texts a chart needs, resolved by the caller in the current language. */
export type T = (key: string, named?: Record<string, unknown>) => string;

/*
 * `compact`: a phone-width chart (composables/narrow.ts). Margins shrink so the plot keeps most of
 * the ~350 px, and labels that sat side by side go one under the other.
 */

/** Grade distribution (shared with the PDF report: @perflens/charts/grades), in the UI's language. */
export function gradeOption(data: GradesResult, guideline: Record<Grade, number>, t: T, compact = false): EChartsCoreOption {
  return sharedGradeOption(data, guideline, t, { compact, locale: intlLocale() });
}

// Round bin edges live in core so the server can apply them (distribution.scores `nice`).
export { niceBins } from '@perflens/core/stats/bins';

export function histogramOption(data: ScoresResult, t: T, compact = false): EChartsCoreOption {
  const s = data.stats;
  const bins = data.bins;
  const width = bins.length ? bins[0]!.to - bins[0]!.from : 1;
  const marks = s
    ? [
        // Mean and median are usually close: their labels are stacked at different heights.
        { name: t('charts.scores.mean'), xAxis: s.mean, label: { formatter: `${t('charts.scores.mean')} ${fmtNum(s.mean)}`, position: 'end', distance: 4, color: '#D55E00' }, lineStyle: { color: '#D55E00', width: 1.5 } },
        { name: t('charts.scores.median'), xAxis: s.p50, label: { formatter: `${t('charts.scores.median')} ${fmtNum(s.p50)}`, position: 'end', distance: 20, color: '#111827' }, lineStyle: { color: '#111827', type: 'dashed', width: 1.5 } },
      ]
    : [];
  return {
    textStyle: baseTextStyle,
    grid: { left: compact ? 48 : 56, right: compact ? 12 : 24, top: 60, bottom: 56, ...FIXED_MARGINS },
    tooltip: {
      trigger: 'item',
      formatter: (p: { dataIndex: number }) => {
        const b = bins[p.dataIndex];
        if (!b) return '';
        const last = p.dataIndex === bins.length - 1;
        return [
          // Bins are left-closed; only the last one includes its upper bound.
          `<b>${t('charts.scores.range')}: [${fmtNum(b.from)}, ${fmtNum(b.to)}${last ? ']' : ')'}</b>`,
          `${t('charts.scores.count')}: <b>${fmtInt(b.count)}</b>${s ? ` (${fmtPct(b.count / s.n)})` : ''}`,
          `<span style="color:${MUTED}">${t('charts.clickToDrill')}</span>`,
        ].join('<br/>');
      },
    },
    // A value axis, so the ticks sit on the bin edges and mean/median land at their true score.
    xAxis: {
      type: 'value',
      min: bins[0]?.from,
      max: bins[bins.length - 1]?.to,
      interval: width * (bins.length > 20 ? 2 : 1),
      name: t('charts.scores.xAxis'),
      nameLocation: 'middle',
      ...axisName,
      axisLabel: { hideOverlap: true, formatter: (v: number) => fmtNum(v, Number.isInteger(v) ? 0 : 1) },
      splitLine: { show: false },
    },
    yAxis: { type: 'value', name: t('charts.scores.yAxis'), ...axisName, nameLocation: 'end', minInterval: 1 },
    series: [
      {
        type: 'bar',
        name: t('charts.scores.count'),
        barWidth: '94%',
        data: bins.map((b) => [(b.from + b.to) / 2, b.count]),
        itemStyle: { color: ACCENT, opacity: 0.85 },
        markLine: { symbol: 'none', silent: true, data: marks, label: { fontSize: 11 } },
      },
    ],
  };
}

/** Shares of each grade per period as a 100% stacked column chart. */
export function trendOption(data: GradesResult, t: T, compact = false): EChartsCoreOption {
  const groups = data.groups;
  return {
    textStyle: baseTextStyle,
    // On a phone the legend fills the top line: the plot (and its axis name) start below it.
    grid: compact ? { left: 44, right: 8, top: 60, bottom: 64, ...FIXED_MARGINS } : { left: 56, right: 24, top: 40, bottom: 64, ...FIXED_MARGINS },
    legend: compact ? { top: 0, itemGap: 8, itemWidth: 16, data: data.grades.map((g) => t(`grade.${g}`)) } : { top: 0, data: data.grades.map((g) => t(`grade.${g}`)) },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      formatter: (params: unknown) => {
        const ps = params as Array<{ dataIndex: number }>;
        const grp: GradeGroup | undefined = groups[ps[0]?.dataIndex ?? -1];
        if (!grp) return '';
        return [
          `<b>${esc(grp.label)}</b> · n = ${fmtInt(grp.total)}`,
          ...data.grades.map((g) => `${dot(GRADE_COLORS[g])}${esc(t(`grade.${g}`))}: <b>${fmtPct(grp.shares[g])}</b> (${fmtInt(grp.counts[g])})`),
        ].join('<br/>');
      },
    },
    xAxis: {
      type: 'category',
      data: groups.map((g) => g.label),
      name: t('charts.trend.xAxis'),
      nameLocation: 'middle',
      ...axisName,
      nameGap: 40,
      // An explicit interval (≤ 12 labels) instead of 'auto' + hideOverlap, which measure every label.
      axisLabel: { interval: Math.max(0, Math.ceil(groups.length / 12) - 1), rotate: groups.length > 12 ? 45 : 0 },
    },
    // (On a phone the % on the axis says it; the name would sit under the legend.)
    yAxis: { type: 'value', max: 1, name: compact ? '' : t('charts.trend.yAxis'), ...axisName, nameLocation: 'end', axisLabel: { formatter: (v: number) => fmtPct(v, 0) } },
    series: data.grades.map((g) => ({
      name: t(`grade.${g}`),
      type: 'bar',
      stack: 'share',
      barCategoryGap: '20%',
      itemStyle: { color: GRADE_COLORS[g] },
      data: groups.map((grp) => grp.shares[g]),
    })),
  };
}

/** Box plot per org unit; names are truncated and rotated so 20+ units stay legible. */
export function boxOption(rows: OrgBox[], t: T, compact = false): EChartsCoreOption {
  const many = rows.length > 8;
  return {
    textStyle: baseTextStyle,
    grid: { left: compact ? 44 : 56, right: compact ? 8 : 24, top: 48, bottom: many ? 96 : 56, ...FIXED_MARGINS },
    tooltip: {
      trigger: 'item',
      formatter: (p: { dataIndex: number }) => {
        const r = rows[p.dataIndex];
        if (!r) return '';
        return [
          `<b>${esc(r.name)}</b> · n = ${fmtInt(r.n)}`,
          `${t('charts.box.upperWhisker')}: ${fmtNum(r.upperWhisker)}`,
          `${t('charts.box.q3')}: ${fmtNum(r.q3)}`,
          `${t('charts.box.median')}: <b>${fmtNum(r.median)}</b>`,
          `${t('charts.box.q1')}: ${fmtNum(r.q1)}`,
          `${t('charts.box.lowerWhisker')}: ${fmtNum(r.lowerWhisker)}`,
          `${t('charts.box.mean')}: ${fmtNum(r.mean)}`,
          `${t('charts.box.outliers')}: ${fmtInt(r.outliers)}`,
          `<span style="color:${MUTED}">${t('charts.clickToDrill')}</span>`,
        ].join('<br/>');
      },
    },
    xAxis: {
      type: 'category',
      data: rows.map((r) => r.name),
      name: many ? '' : t('charts.box.xAxis'),
      nameLocation: 'middle',
      ...axisName,
      axisLabel: { interval: 0, rotate: many ? 40 : 0, formatter: (v: string) => truncate(v, many ? 8 : 12) },
    },
    yAxis: { type: 'value', name: t('charts.box.yAxis'), ...axisName, nameLocation: 'end', scale: true },
    series: [
      {
        type: 'boxplot',
        name: t('charts.box.series'),
        itemStyle: { color: 'rgba(86,180,233,0.35)', borderColor: ACCENT, borderWidth: 1.5 },
        data: rows.map((r) => [r.lowerWhisker, r.q1, r.median, r.q3, r.upperWhisker]),
      },
    ],
  };
}
