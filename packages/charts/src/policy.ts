import type { EChartsCoreOption } from 'echarts/core';
import { CONTROL_COLOR, TREATED_COLOR, baseTextStyle, esc, type T } from './palette.ts';

/** What the policy charts draw, as policy.effect answers it. */
export interface EffectChartData {
  series: Array<{ periodId: string; treated: number | null; control: number | null }>;
  window: { firstAfter: string | null };
  eventStudy: { reference: number; points: Array<{ rel: number; estimate: number; ci: [number, number] | null }> } | null;
}

const round = (v: number | null, k = 4) => (v === null ? null : Number(v.toPrecision(k + 2)));

/** Treated vs control per period; the policy date as a line, the before/after windows shaded. */
export function seriesOption(e: EffectChartData, t: T): EChartsCoreOption {
  const periods = e.series.map((s) => s.periodId);
  const first = e.window.firstAfter;
  const hasControl = e.series.some((s) => s.control !== null);
  return {
    textStyle: baseTextStyle,
    tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => (typeof v === 'number' ? String(round(v)) : '–') },
    legend: { top: 0 },
    grid: { left: 56, right: 24, top: 36, bottom: 40 },
    xAxis: { type: 'category', data: periods, axisLabel: { hideOverlap: true } },
    yAxis: { type: 'value', scale: true },
    series: [
      {
        name: t('policy.treated'),
        type: 'line',
        data: e.series.map((s) => round(s.treated)),
        itemStyle: { color: TREATED_COLOR },
        symbolSize: 5,
        markLine: first ? { symbol: 'none', label: { formatter: t('policy.effectiveLine') }, lineStyle: { type: 'dashed' }, data: [{ xAxis: first }] } : undefined,
        markArea: first
          ? {
              silent: true,
              data: [
                [{ xAxis: periods[0], name: t('policy.before'), itemStyle: { color: 'rgba(107,114,128,0.06)' } }, { xAxis: periods[periods.indexOf(first) - 1] ?? first }],
                [{ xAxis: first, name: t('policy.after'), itemStyle: { color: 'rgba(0,114,178,0.07)' } }, { xAxis: periods[periods.length - 1] }],
              ],
            }
          : undefined,
      },
      ...(hasControl
        ? [{ name: t('policy.control'), type: 'line', data: e.series.map((s) => round(s.control)), itemStyle: { color: CONTROL_COLOR }, symbolSize: 5 }]
        : []),
    ],
  };
}

/** Event-study coefficients with their 95% CI as a band; 0 and the reference period marked. */
export function eventStudyOption(e: EffectChartData, t: T): EChartsCoreOption | null {
  const es = e.eventStudy;
  if (!es) return null;
  const x = es.points.map((p) => String(p.rel));
  const lo = es.points.map((p) => (p.ci ? round(p.ci[0]) : round(p.estimate)));
  const width = es.points.map((p) => (p.ci ? round(p.ci[1] - p.ci[0]) : 0));
  return {
    textStyle: baseTextStyle,
    tooltip: {
      trigger: 'axis',
      formatter: (params: Array<{ dataIndex: number }>) => {
        const p = es.points[params[0]!.dataIndex]!;
        const ci = p.ci ? `[${round(p.ci[0])}, ${round(p.ci[1])}]` : t('policy.reference');
        return `${esc(t('policy.relPeriod'))} ${p.rel}<br/>${esc(t('policy.estimate'))} ${round(p.estimate)}<br/>95% CI ${ci}`;
      },
    },
    grid: { left: 56, right: 24, top: 24, bottom: 48 },
    xAxis: { type: 'category', data: x, name: t('policy.relPeriod'), nameLocation: 'middle', nameGap: 28 },
    yAxis: { type: 'value', scale: true },
    series: [
      { name: 'lo', type: 'line', data: lo, stack: 'ci', lineStyle: { opacity: 0 }, symbol: 'none', tooltip: { show: false } },
      { name: 'ci', type: 'line', data: width, stack: 'ci', lineStyle: { opacity: 0 }, symbol: 'none', areaStyle: { color: 'rgba(0,114,178,0.18)' } },
      {
        name: t('policy.estimate'),
        type: 'line',
        data: es.points.map((p) => round(p.estimate)),
        itemStyle: { color: TREATED_COLOR },
        symbolSize: 6,
        markLine: {
          symbol: 'none',
          lineStyle: { color: '#6b7280' },
          data: [{ yAxis: 0 }, { xAxis: String(e.eventStudy!.reference + 1), lineStyle: { type: 'dashed' }, label: { formatter: t('policy.effectiveLine') } }],
        },
      },
    ],
  };
}
