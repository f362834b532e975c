import type { EChartsCoreOption } from 'echarts/core';

/**
 * A chart's figures as a table: the text alternative every ChartBox offers (a summary as the
 * chart's accessible name, and a "data table" toggle that shows these rows). Pages that know
 * their data build the table from it (formatted as the tooltip formats it, and with `drill` when
 * a row opens the same drill-down as a click on the chart); any other chart falls back to
 * `tableFromOption`, which reads the categories and series of the option itself.
 */
export interface ChartColumn {
  label: string;
  /** Right-aligned figures. */
  numeric?: boolean;
}
export interface ChartTable {
  columns: ChartColumn[];
  /** One row per category; `cells[0]` names it. */
  rows: string[][];
  /** Each row's first cell is a button that drills down (ChartBox emits `drill` with the row index). */
  drill?: boolean;
}

type Fmt = (v: number) => string;

interface AxisLike {
  type?: string;
  data?: unknown[];
  name?: string;
}
interface SeriesLike {
  type?: string;
  name?: string;
  data?: unknown[];
  stack?: string;
  areaStyle?: unknown;
}

const first = <X>(v: X | X[] | undefined): X | undefined => (Array.isArray(v) ? v[0] : v);
const categoryName = (c: unknown): string => (c !== null && typeof c === 'object' && 'value' in c ? String((c as { value: unknown }).value) : String(c));

/** One data item's number: `5`, `{ value: 5 }`, `[x, 5]` (the value axis's figure). */
function valueOf(d: unknown): unknown {
  if (d !== null && typeof d === 'object' && !Array.isArray(d) && 'value' in d) return valueOf((d as { value: unknown }).value);
  return d;
}

function cell(v: unknown, fmt: Fmt): string {
  if (typeof v === 'number') return Number.isFinite(v) ? fmt(v) : '–';
  if (Array.isArray(v)) return v.map((x) => cell(x, fmt)).join(' / ');
  if (v === null || v === undefined || v === '-') return '–';
  return String(v);
}

/**
 * The generic table of a category chart (bars, lines, box plots; upright or on its side): one row
 * per category, one column per series that has data. Helper series drawn only for their shape
 * (a stacked transparent band) are left out. Null when the option has no category axis.
 */
export function tableFromOption(option: EChartsCoreOption | null, fmt: Fmt, boxLabels?: string[]): ChartTable | null {
  if (!option) return null;
  const o = option as { xAxis?: AxisLike | AxisLike[]; yAxis?: AxisLike | AxisLike[]; series?: SeriesLike | SeriesLike[] };
  const x = first(o.xAxis);
  const y = first(o.yAxis);
  const axis = x?.type === 'category' ? x : y?.type === 'category' ? y : null;
  if (!axis?.data?.length) return null;
  const all = ([] as SeriesLike[]).concat(o.series ?? []);
  // A band drawn as a transparent base plus a stacked width is not a figure of its own.
  const series = all.filter((s) => (s.data?.length ?? 0) > 0 && !(s.stack && (s.areaStyle || all.some((u) => u !== s && u.stack === s.stack && u.areaStyle))));
  if (!series.length) return null;
  const columns: ChartColumn[] = [{ label: axis.name || '' }];
  for (const s of series) {
    if (s.type === 'boxplot' && boxLabels?.length === 5) for (const l of boxLabels) columns.push({ label: l, numeric: true });
    else columns.push({ label: s.name ?? '', numeric: true });
  }
  const rows = axis.data.map((c, i) => [
    categoryName(c),
    ...series.flatMap((s) => {
      const v = valueOf(s.data?.[i]);
      if (s.type === 'boxplot' && boxLabels?.length === 5 && Array.isArray(v)) return v.map((x) => cell(x, fmt));
      return [cell(v, fmt)];
    }),
  ]);
  return { columns, rows };
}

/**
 * The chart's accessible name: its title, how many rows, and the first few rows read out
 * ("A: share 12.0%, assessments 120; …"), pointing at the table for the rest.
 */
export function tableSummary(title: string, table: ChartTable, more: (n: number) => string, limit = 6): string {
  const head = table.columns.slice(1).map((c) => c.label);
  const lines = table.rows.slice(0, limit).map((r) => `${r[0]}: ${r.slice(1).map((v, i) => (head[i] ? `${head[i]} ${v}` : v)).join(', ')}`);
  const rest = table.rows.length - lines.length;
  return [title, ...lines, ...(rest > 0 ? [more(rest)] : [])].filter(Boolean).join('; ');
}
