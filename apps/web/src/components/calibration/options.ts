import type { EChartsCoreOption } from 'echarts/core';
import { GRADES, type Grade } from '@perflens/core/domain';
import { GRADE_COLORS, MUTED, baseTextStyle, dot, esc } from '@/lib/charts';
import { fmtInt, fmtNum, fmtPct, truncate } from '@/lib/format';
import type { RankingGroup, RaterRow } from '@/pages/calibration/api';

export type T = (key: string, named?: Record<string, unknown>) => string;

/** Over quota, under quota, on quota: the same three colours in the chart, the tables and the counters. */
export const OVER = '#D55E00';
export const UNDER = '#0072B2';
export const MATCH = '#9aa5b1';

export function gapColor(gap: number): string {
  return gap > 0 ? OVER : gap < 0 ? UNDER : MATCH;
}

/** Text colour for a gap in a table cell: on-quota cells stay dark so they read as normal text. */
export function textColor(gap: number): string {
  return gap === 0 ? '#374151' : gapColor(gap);
}

const axisName = { nameTextStyle: { color: MUTED, fontSize: 12 }, nameGap: 26 };

/**
 * One calibration group: the recorded grade counts as bars (orange where more people hold the
 * grade than its quota, blue where fewer, grey where they match) against the quota in people as
 * a black marker; the x labels carry the guideline share and the quota headcount so the rounding
 * is visible.
 */
export function groupOption(g: RankingGroup, shares: Record<Grade, number> | null, t: T, compact = false): EChartsCoreOption {
  const gap = (x: Grade) => g.recorded[x] - g.quota[x];
  return {
    textStyle: baseTextStyle,
    // On a phone (compact) the legend takes two lines and each grade's label three.
    grid: compact ? { left: 36, right: 8, top: 64, bottom: 72 } : { left: 48, right: 16, top: 44, bottom: 58 },
    legend: {
      top: 0,
      right: 0,
      data: [
        { name: t('calibration.chart.over'), itemStyle: { color: OVER } },
        { name: t('calibration.chart.under'), itemStyle: { color: UNDER } },
        { name: t('calibration.chart.match'), itemStyle: { color: MATCH } },
        { name: t('calibration.chart.quota'), icon: 'rect', itemHeight: 3, itemStyle: { color: '#111827' } },
      ],
      selectedMode: false,
    },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      formatter: (params: unknown) => {
        const i = (params as Array<{ dataIndex: number }>)[0]?.dataIndex ?? -1;
        const x = GRADES[i];
        if (!x) return '';
        const d = gap(x);
        return [
          `<b>${esc(g.label)} · ${esc(t(`grade.${x}`))} (${x})</b>`,
          `${dot(gapColor(d))}${t('calibration.chart.recorded')}: <b>${fmtInt(g.recorded[x])}</b> (${fmtPct(g.n ? g.recorded[x] / g.n : 0)})`,
          `${t('calibration.chart.quota')}: <b>${fmtInt(g.quota[x])}</b>${shares ? ` (${t('calibration.chart.guideline')} ${fmtNum(shares[x], shares[x] % 1 ? 1 : 0)}%)` : ''}`,
          `${t('calibration.chart.proposed')}: ${fmtInt(g.proposed[x])}`,
          d === 0 ? t('calibration.chart.onQuota') : d > 0 ? t('calibration.chart.overBy', { n: d }) : t('calibration.chart.underBy', { n: -d }),
        ].join('<br/>');
      },
    },
    xAxis: {
      type: 'category',
      data: GRADES.map((x) => t(`grade.${x}`)),
      axisTick: { alignWithLabel: true },
      axisLabel: {
        interval: 0,
        formatter: (label: string, i: number) => {
          const x = GRADES[i]!;
          return `{name|${label}}\n{quota|${t('calibration.chart.quotaShort', { n: g.quota[x] })}}${shares ? `${compact ? '\n' : ' '}{share|${fmtNum(shares[x], shares[x] % 1 ? 1 : 0)}%}` : ''}`;
        },
        rich: { name: { fontSize: 12, color: '#374151', lineHeight: 18 }, quota: { fontSize: 12, fontWeight: 600, color: '#111827' }, share: { fontSize: 11, color: MUTED } },
      },
    },
    yAxis: { type: 'value', name: t('calibration.chart.yAxis'), ...axisName, nameLocation: 'end', minInterval: 1 },
    series: [
      {
        name: t('calibration.chart.recorded'),
        type: 'bar',
        barWidth: '50%',
        data: GRADES.map((x) => ({ value: g.recorded[x], itemStyle: { color: gapColor(gap(x)) } })),
        label: { show: true, position: 'top', fontSize: 11, color: '#374151', formatter: (p: { value: number }) => fmtInt(p.value) },
        z: 2,
      },
      {
        name: t('calibration.chart.quota'),
        type: 'line',
        data: GRADES.map((x) => g.quota[x]),
        symbol: 'rect',
        symbolSize: [48, 3],
        lineStyle: { width: 0 },
        itemStyle: { color: '#111827' },
        z: 5,
      },
      // Legend-only entries for the three bar colours.
      ...[t('calibration.chart.over'), t('calibration.chart.under'), t('calibration.chart.match')].map((name) => ({ name, type: 'bar', data: [] })),
    ],
  };
}

/**
 * Rater leniency: each rater's mean minus the company mean (positive = lenient), raw and after
 * shrinkage side by side; raters below the minimum n are drawn pale. Sorted, most lenient on top.
 */
export function leniencyOption(raters: RaterRow[], t: T): EChartsCoreOption {
  const rows = [...raters].sort((a, b) => a.diff - b.diff);
  const label = (r: RaterRow) => truncate(r.raterName ?? r.rater, 8);
  return {
    textStyle: baseTextStyle,
    grid: { left: 96, right: 24, top: 36, bottom: 40 },
    legend: { top: 0, data: [t('calibration.raters.diff'), t('calibration.raters.shrunkDiff')] },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      formatter: (params: unknown) => {
        const r = rows[(params as Array<{ dataIndex: number }>)[0]?.dataIndex ?? -1];
        if (!r) return '';
        return [
          `<b>${esc(r.raterName ?? r.rater)}</b> (${esc(r.rater)}) · n = ${fmtInt(r.n)}${r.lowN ? ` · ${t('calibration.raters.lowN')}` : ''}`,
          `${t('calibration.raters.mean')}: ${fmtNum(r.mean)} · ${t('calibration.raters.sd')}: ${fmtNum(r.sd)}`,
          `${t('calibration.raters.diff')}: <b>${fmtNum(r.diff, 2)}</b> · z = ${fmtNum(r.z, 2)}`,
          `${t('calibration.raters.shrunkDiff')}: ${fmtNum(r.shrunkDiff, 2)} (λ = ${fmtNum(r.shrinkFactor, 2)})`,
        ].join('<br/>');
      },
    },
    xAxis: { type: 'value', name: t('calibration.raters.xAxis'), nameLocation: 'middle', ...axisName },
    yAxis: { type: 'category', data: rows.map(label), axisLabel: { interval: 0, fontSize: 11 } },
    series: [
      {
        name: t('calibration.raters.diff'),
        type: 'bar',
        data: rows.map((r) => ({ value: r.diff, itemStyle: { color: r.diff >= 0 ? OVER : UNDER, opacity: r.lowN ? 0.35 : 0.9 } })),
        itemStyle: { color: OVER },
      },
      {
        name: t('calibration.raters.shrunkDiff'),
        type: 'bar',
        data: rows.map((r) => ({ value: r.shrunkDiff, itemStyle: { color: '#6b7280', opacity: r.lowN ? 0.35 : 0.8 } })),
        itemStyle: { color: '#6b7280' },
      },
    ],
  };
}

export { GRADE_COLORS };
