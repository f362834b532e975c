import type { EChartsCoreOption } from 'echarts/core';
import type { Grade } from '@perflens/core/domain';
import { GRADE_COLORS, MUTED, baseTextStyle, dot, esc, type T } from './palette.ts';
import { DEFAULT_LOCALE, fmtInt as fmtIntAt, fmtPct as fmtPctAt } from './format.ts';

/** What the grade chart draws: the API's distribution.grades answer, first group. */
export interface GradeChartData {
  grades: Grade[];
  groups: Array<{ total: number; counts: Record<Grade, number>; shares: Record<Grade, number> }>;
}

export interface GradeChartOptions {
  /** A phone-width chart: grades as rows, labels beside the bars. */
  compact?: boolean;
  locale?: string;
}

/**
 * Each chart's margins are set for its labels (rotated, truncated), so ECharts 6's default
 * outer-bounds pass, which measures every axis label to keep it inside the container, is
 * skipped: it was ~90 ms of the overview's first render.
 */
export const FIXED_MARGINS = { outerBoundsMode: 'none' } as const;

export const axisName = { nameTextStyle: { color: MUTED, fontSize: 12 }, nameGap: 28 };

/** Grade distribution: actual shares as bars, the guideline as a dashed marker line series. */
export function gradeOption(data: GradeChartData, guideline: Record<Grade, number>, t: T, opts: GradeChartOptions = {}): EChartsCoreOption {
  const locale = opts.locale ?? DEFAULT_LOCALE;
  const fmtPct = (v: number | null | undefined, d?: number) => fmtPctAt(v, d, locale);
  const fmtInt = (v: number | null | undefined) => fmtIntAt(v, locale);
  const g = data.groups[0];
  const grades = data.grades;
  const tooltip = gradeTooltip(data, guideline, t, locale);
  if (opts.compact) return compactGradeOption(data, guideline, t, tooltip, locale);
  return {
    textStyle: baseTextStyle,
    grid: { left: 56, right: 24, top: 40, bottom: 64, ...FIXED_MARGINS },
    legend: { top: 0, right: 0, data: [t('charts.grades.actual'), { name: t('charts.grades.guideline'), icon: 'rect', itemHeight: 3 }] },
    tooltip,
    xAxis: {
      type: 'category',
      data: grades.map((gr) => t(`grade.${gr}`)),
      // Share and count sit under each grade rather than above the bar, where the guideline
      // marker would cross them.
      axisLabel: {
        interval: 0,
        formatter: (label: string, i: number) =>
          g ? `{name|${label}}\n{share|${fmtPct(g.shares[grades[i]!])}}  {count|${fmtInt(g.counts[grades[i]!])}}` : label,
        rich: {
          name: { fontSize: 12, color: '#374151', lineHeight: 18 },
          share: { fontSize: 13, fontWeight: 600, color: '#111827' },
          count: { fontSize: 11, color: MUTED },
        },
      },
      axisTick: { alignWithLabel: true },
    },
    yAxis: {
      type: 'value',
      name: t('charts.grades.yAxis'),
      ...axisName,
      nameLocation: 'end',
      axisLabel: { formatter: (v: number) => fmtPct(v, 0) },
    },
    series: gradeSeries(data, guideline, t, [44, 3]),
  };
}

/**
 * On a phone the grades are rows (best on top) so their names read in full beside the bars, with
 * share and count at each bar's end and the guideline as a vertical mark across it.
 */
function compactGradeOption(data: GradeChartData, guideline: Record<Grade, number>, t: T, tooltip: object, locale: string): EChartsCoreOption {
  const fmtPct = (v: number | null | undefined, d?: number) => fmtPctAt(v, d, locale);
  const fmtInt = (v: number | null | undefined) => fmtIntAt(v, locale);
  const g = data.groups[0];
  const grades = data.grades;
  return {
    textStyle: baseTextStyle,
    grid: { left: 4, right: 16, top: 32, bottom: 24, containLabel: true },
    legend: { top: 0, right: 0, data: [t('charts.grades.actual'), { name: t('charts.grades.guideline'), icon: 'rect', itemWidth: 3, itemHeight: 12 }] },
    tooltip,
    yAxis: {
      type: 'category',
      inverse: true,
      data: grades.map((gr) => t(`grade.${gr}`)),
      // The name with its share and count under it, clear of the bars and the guideline marks.
      axisLabel: {
        interval: 0,
        align: 'right',
        formatter: (label: string, i: number) =>
          g ? `{name|${label}}\n{share|${fmtPct(g.shares[grades[i]!])}} {count|${fmtInt(g.counts[grades[i]!])}}` : label,
        rich: {
          name: { fontSize: 12, color: '#374151', lineHeight: 16, align: 'right' },
          share: { fontSize: 12, fontWeight: 600, color: '#111827', align: 'right' },
          count: { fontSize: 11, color: MUTED, align: 'right' },
        },
      },
      axisTick: { alignWithLabel: true },
    },
    xAxis: { type: 'value', splitNumber: 3, axisLabel: { formatter: (v: number) => fmtPct(v, 0) } },
    series: gradeSeries(data, guideline, t, [3, 22]),
  };
}

/**
 * The grade chart's two series, upright or on its side: bars in each grade's colour and the
 * guideline as a mark per grade (`marker`: its width × height).
 */
function gradeSeries(data: GradeChartData, guideline: Record<Grade, number>, t: T, marker: [number, number]): object[] {
  const g = data.groups[0];
  return [
    {
      name: t('charts.grades.actual'),
      type: 'bar',
      barWidth: '55%',
      // Neutral series colour for the legend swatch; each bar takes its grade colour.
      itemStyle: { color: '#9aa5b1' },
      data: data.grades.map((gr) => ({ value: g?.shares[gr] ?? 0, itemStyle: { color: GRADE_COLORS[gr] } })),
      z: 2,
    },
    {
      name: t('charts.grades.guideline'),
      type: 'line',
      data: data.grades.map((gr) => guideline[gr]),
      // Markers only: a line joining grades would suggest a trend between categories.
      symbol: 'rect',
      symbolSize: marker,
      lineStyle: { width: 0 },
      itemStyle: { color: '#111827' },
      z: 5,
      tooltip: { show: false },
    },
  ];
}

/** The grade chart's tooltip, the same in both layouts. */
function gradeTooltip(data: GradeChartData, guideline: Record<Grade, number>, t: T, locale: string): object {
  const fmtPct = (v: number | null | undefined, d?: number) => fmtPctAt(v, d, locale);
  const fmtInt = (v: number | null | undefined) => fmtIntAt(v, locale);
  const g = data.groups[0];
  const grades = data.grades;
  const total = g?.total ?? 0;
  return {
    trigger: 'axis',
    axisPointer: { type: 'shadow' },
    formatter: (params: unknown) => {
      const p = (params as Array<{ dataIndex: number }>)[0];
      if (!p || !g) return '';
      const grade = grades[p.dataIndex]!;
      const expected = guideline[grade] * total;
      return [
        `<b>${esc(t(`grade.${grade}`))} (${grade})</b>`,
        `${dot(GRADE_COLORS[grade])}${t('charts.grades.count')}: <b>${fmtInt(g.counts[grade])}</b> / ${fmtInt(total)}`,
        `${t('charts.grades.share')}: <b>${fmtPct(g.shares[grade])}</b>`,
        `${t('charts.grades.guideline')}: ${fmtPct(guideline[grade], 0)} (≈ ${fmtInt(expected)})`,
        `<span style="color:${MUTED}">${t('charts.clickToDrill')}</span>`,
      ].join('<br/>');
    },
  };
}

