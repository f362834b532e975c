import ExcelJS from 'exceljs';
import { safeWorkbook } from '../safe-cell.ts';
import { GRADES, GRADE_LABELS, type Grade } from '@perflens/core';
import type { SimulationResult } from './simulation-run.ts';

export interface ComparedScenario {
  id: string;
  name: string;
  baseSchemeId: string | null;
  settings: Record<string, unknown>;
  result: SimulationResult;
}

const T = {
  zh: {
    summary: '对比摘要',
    scenario: '模拟方案',
    base: '基准方案',
    rows: '人次',
    changed: '等级变化人次',
    share: '等级变化比例',
    rho: '斯皮尔曼秩相关',
    costBase: '基准奖金合计',
    costScen: '模拟奖金合计',
    delta: '差额',
    dist: '等级分布',
    grade: '等级',
    baseline: '基准',
    matrix: '等级迁移',
    from: '原等级',
    to: '新等级',
    count: '人次',
    units: '组织奖金',
    unit: '组织',
    streak: '连续期规则',
    gained: '新增',
    lost: '消失',
  },
  en: {
    summary: 'Summary',
    scenario: 'Scenario',
    base: 'Base scheme',
    rows: 'Employee-periods',
    changed: 'Grade changes',
    share: 'Share changed',
    rho: 'Spearman rho',
    costBase: 'Baseline bonus total',
    costScen: 'Scenario bonus total',
    delta: 'Delta',
    dist: 'Grade distribution',
    grade: 'Grade',
    baseline: 'Baseline',
    matrix: 'Grade migration',
    from: 'From',
    to: 'To',
    count: 'Count',
    units: 'Bonus by unit',
    unit: 'Org unit',
    streak: 'Streak rules',
    gained: 'Gained',
    lost: 'Lost',
  },
};

/**
 * The side-by-side comparison as a workbook: one summary sheet across the scenarios, then per
 * scenario its distribution, migration matrix, unit costs and streak changes. Money cells hold
 * the exact decimal as a number with a 2-decimal format (and never pass through a float sum).
 */
export async function scenarioWorkbook(
  items: readonly ComparedScenario[],
  lang: 'zh' | 'en',
  /** Scheme id → its name in `lang`: the base scheme is named as people know it, not by id. */
  schemeNames: ReadonlyMap<string, string> = new Map(),
): Promise<Buffer> {
  const t = T[lang];
  // Grades by the scale's names (优 / Outstanding), not the letters they are stored as.
  const gradeName = (g: Grade) => GRADE_LABELS[g][lang];
  const wb = new ExcelJS.Workbook();
  wb.creator = 'PerfLens';
  const money = '#,##0.00';
  const sum = wb.addWorksheet(t.summary);
  sum.addRow([t.scenario, t.base, t.rows, t.changed, t.share, t.rho, t.costBase, t.costScen, t.delta]).font = { bold: true };
  for (const s of items) {
    const r = s.result;
    const row = sum.addRow([s.name, s.baseSchemeId === null ? '' : (schemeNames.get(s.baseSchemeId) ?? s.baseSchemeId), r.rows, r.changed, r.shareChanged, r.spearman ?? '', Number(r.cost.baseline), Number(r.cost.scenario), Number(r.cost.delta)]);
    row.getCell(5).numFmt = '0.0%';
    row.getCell(6).numFmt = '0.0000';
    for (const c of [7, 8, 9]) row.getCell(c).numFmt = money;
  }
  sum.columns.forEach((c) => (c.width = 18));
  items.forEach((s, i) => {
    // Sheet names: ≤ 31 chars, none of : \ / ? * [ ]
    const ws = wb.addWorksheet(`${i + 1} ${s.name}`.replace(/[:\\/?*[\]]/g, ' ').slice(0, 31));
    const r = s.result;
    ws.addRow([t.dist]).font = { bold: true };
    ws.addRow([t.grade, t.baseline, t.scenario]);
    for (const g of GRADES) ws.addRow([gradeName(g), r.distribution.baseline[g], r.distribution.scenario[g]]);
    ws.addRow([]);
    ws.addRow([t.matrix]).font = { bold: true };
    ws.addRow([`${t.from} \\ ${t.to}`, ...GRADES.map(gradeName)]);
    for (const from of GRADES) ws.addRow([gradeName(from), ...GRADES.map((to) => r.matrix.find((c) => c.from === from && c.to === to)?.count ?? 0)]);
    ws.addRow([]);
    ws.addRow([t.units]).font = { bold: true };
    ws.addRow([t.unit, t.rows, t.changed, t.costBase, t.costScen, t.delta]);
    for (const u of r.cost.byUnit) {
      const row = ws.addRow([u.orgUnitName ?? u.orgUnitId, u.rows, u.changed, Number(u.baseline), Number(u.scenario), Number(u.delta)]);
      for (const c of [4, 5, 6]) row.getCell(c).numFmt = money;
    }
    if (r.streaks.length) {
      ws.addRow([]);
      ws.addRow([t.streak]).font = { bold: true };
      ws.addRow(['', t.baseline, t.scenario, t.gained, t.lost]);
      for (const k of r.streaks) ws.addRow([k.name[lang], k.baseline, k.scenario, k.gained, k.lost]);
    }
    ws.columns.forEach((c) => (c.width = 16));
  });
  return Buffer.from(await safeWorkbook(wb).xlsx.writeBuffer());
}
