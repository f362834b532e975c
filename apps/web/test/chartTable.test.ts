import { describe, expect, it } from 'vitest';
import type { EChartsCoreOption } from 'echarts/core';
import type { GradesResult } from '@/api/contract';
import { tableFromOption, tableSummary } from '@/lib/chartTable';
import { gradeOption, trendOption } from '@/lib/options';
import { gradeTable, trendTable } from '@/lib/chartTables';

/*
 * Every chart's text alternative: the table ChartBox shows under its "data table" toggle and the
 * summary that names the drawing. Charts without a table of their own get one read from the option.
 */
const t = (k: string) => k;
const fmt = (v: number) => String(v);

describe('tableFromOption', () => {
  it('reads an upright bar chart: one row per category, one column per series with data', () => {
    const option = {
      xAxis: { type: 'category', name: 'Grade', data: ['A', 'B'] },
      yAxis: { type: 'value' },
      series: [
        { type: 'bar', name: 'Recorded', data: [{ value: 3, itemStyle: {} }, 5] },
        { type: 'line', name: 'Quota', data: [2, 6] },
        // A legend-only entry draws nothing and is no column.
        { type: 'bar', name: 'Over', data: [] },
      ],
    } as EChartsCoreOption;
    expect(tableFromOption(option, fmt)).toEqual({
      columns: [{ label: 'Grade' }, { label: 'Recorded', numeric: true }, { label: 'Quota', numeric: true }],
      rows: [
        ['A', '3', '2'],
        ['B', '5', '6'],
      ],
    });
  });

  it('reads a chart on its side (category y axis) and skips a stacked interval band', () => {
    const option = {
      xAxis: { type: 'value' },
      yAxis: { type: 'category', data: ['Unit 1', 'Unit 2'] },
      series: [
        { name: 'lo', type: 'line', stack: 'ci', data: [1, 2] },
        { name: 'ci', type: 'line', stack: 'ci', areaStyle: {}, data: [1, 1] },
        { name: 'Δ', type: 'bar', data: [-1.5, null] },
      ],
    } as EChartsCoreOption;
    expect(tableFromOption(option, fmt)?.rows).toEqual([
      ['Unit 1', '-1.5'],
      ['Unit 2', '–'],
    ]);
  });

  it('spreads a box plot over its five figures', () => {
    const option = { xAxis: { type: 'category', data: ['X'] }, series: [{ type: 'boxplot', name: 'Score', data: [[1, 2, 3, 4, 5]] }] } as EChartsCoreOption;
    const table = tableFromOption(option, fmt, ['lo', 'q1', 'med', 'q3', 'hi'])!;
    expect(table.columns.map((c) => c.label)).toEqual(['', 'lo', 'q1', 'med', 'q3', 'hi']);
    expect(table.rows).toEqual([['X', '1', '2', '3', '4', '5']]);
  });

  it('has nothing to say without a category axis or an option', () => {
    expect(tableFromOption(null, fmt)).toBeNull();
    expect(tableFromOption({ xAxis: { type: 'value' }, yAxis: { type: 'value' }, series: [{ type: 'bar', data: [[1, 2]] }] } as EChartsCoreOption, fmt)).toBeNull();
  });
});

const grades = {
  grades: ['A', 'B', 'C', 'D', 'E'],
  ungraded: 0,
  groups: [
    { key: '2024-01', label: '2024-01', total: 10, counts: { A: 1, B: 2, C: 4, D: 2, E: 1 }, shares: { A: 0.1, B: 0.2, C: 0.4, D: 0.2, E: 0.1 } },
    { key: '2024-02', label: '2024-02', total: 4, counts: { A: 0, B: 1, C: 3, D: 0, E: 0 }, shares: { A: 0, B: 0.25, C: 0.75, D: 0, E: 0 } },
  ],
} as unknown as GradesResult;
const guideline = { A: 0.1, B: 0.2, C: 0.4, D: 0.2, E: 0.1 };

describe('overview chart tables', () => {
  it('grade table: one drillable row per bar of the chart, in the chart’s order', () => {
    const table = gradeTable(grades, guideline, t);
    const option = gradeOption(grades, guideline, t) as { xAxis: { data: string[] } };
    expect(table.drill).toBe(true);
    expect(table.rows.map((r) => r[0])).toEqual(option.xAxis.data);
    expect(table.rows.map((r) => r[1])).toEqual(['1', '2', '4', '2', '1']);
  });

  it('trend table: a row per period with its n and each grade’s share', () => {
    const table = trendTable(grades, t);
    expect(table.rows.map((r) => r[0])).toEqual((trendOption(grades, t) as { xAxis: { data: string[] } }).xAxis.data);
    expect(table.rows[1]!.slice(1)).toEqual(['4', '0.0%', '25.0%', '75.0%', '0.0%', '0.0%']);
  });
});

describe('tableSummary', () => {
  it('names the chart and reads its first rows, pointing at the table for the rest', () => {
    const table = { columns: [{ label: '' }, { label: 'n' }], rows: Array.from({ length: 8 }, (_, i) => [`r${i}`, String(i)]) };
    expect(tableSummary('Chart', table, (n) => `+${n}`, 2)).toBe('Chart; r0: n 0; r1: n 1; +6');
  });
});
