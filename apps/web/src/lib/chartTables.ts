import type { Grade } from '@perflens/core/domain';
import type { GradesResult, OrgBox, ScoresResult } from '@/api/contract';
import type { ChartTable } from './chartTable';
import { fmtInt, fmtNum, fmtPct } from './format';
import type { T } from './options';

/*
 * The overview charts' figures as tables (ChartBox's text alternative), formatted as their
 * tooltips format them. Row i is the chart's data index i, so a row's drill button opens the
 * same employee list as a click on that bar or box.
 */

/** Grade distribution: count, share and guideline per grade. */
export function gradeTable(data: GradesResult, guideline: Record<Grade, number>, t: T): ChartTable {
  const g = data.groups[0];
  return {
    drill: true,
    columns: [
      { label: t('charts.grades.xAxis') },
      { label: t('charts.grades.count'), numeric: true },
      { label: t('charts.grades.share'), numeric: true },
      { label: t('charts.grades.guideline'), numeric: true },
    ],
    rows: data.grades.map((gr) => [t(`grade.${gr}`), fmtInt(g?.counts[gr] ?? 0), fmtPct(g?.shares[gr] ?? 0), fmtPct(guideline[gr], 0)]),
  };
}

/** Score histogram: one row per bin (left-closed; the last one includes its upper bound). */
export function histogramTable(data: ScoresResult, t: T): ChartTable {
  const n = data.stats?.n ?? 0;
  const last = data.bins.length - 1;
  return {
    drill: true,
    columns: [{ label: t('charts.scores.range') }, { label: t('charts.scores.count'), numeric: true }, { label: t('charts.grades.share'), numeric: true }],
    rows: data.bins.map((b, i) => [`[${fmtNum(b.from)}, ${fmtNum(b.to)}${i === last ? ']' : ')'}`, fmtInt(b.count), n ? fmtPct(b.count / n) : '–']),
  };
}

/** Grade shares per period. */
export function trendTable(data: GradesResult, t: T): ChartTable {
  return {
    columns: [{ label: t('charts.trend.xAxis') }, { label: 'n', numeric: true }, ...data.grades.map((g) => ({ label: t(`grade.${g}`), numeric: true }))],
    rows: data.groups.map((grp) => [grp.label, fmtInt(grp.total), ...data.grades.map((g) => fmtPct(grp.shares[g]))]),
  };
}

/** Box plot per org unit: the five figures, the mean and the count. */
export function boxTable(rows: OrgBox[], t: T): ChartTable {
  return {
    drill: true,
    columns: [
      { label: t('charts.box.xAxis') },
      { label: 'n', numeric: true },
      { label: t('charts.box.lowerWhisker'), numeric: true },
      { label: t('charts.box.q1'), numeric: true },
      { label: t('charts.box.median'), numeric: true },
      { label: t('charts.box.q3'), numeric: true },
      { label: t('charts.box.upperWhisker'), numeric: true },
      { label: t('charts.box.mean'), numeric: true },
    ],
    rows: rows.map((r) => [r.name, fmtInt(r.n), fmtNum(r.lowerWhisker), fmtNum(r.q1), fmtNum(r.median), fmtNum(r.q3), fmtNum(r.upperWhisker), fmtNum(r.mean)]),
  };
}
