import type { Kpi, Scheme, Tier } from './types.ts';
import { formatNumber } from './format.ts';

export interface SchemeIssue {
  path: (string | number)[];
  zh: string;
  en: string;
}

const EPS = 1e-9;

function fmtBound(v: number | null, unit: string | undefined): string {
  return v === null ? '∞' : formatNumber(v, unit);
}

function tierLabel(t: Tier, unit: string | undefined): string {
  return `[${t.from === null ? '−∞' : fmtBound(t.from, unit)}, ${t.to === null ? '+∞' : fmtBound(t.to, unit)}]`;
}

/**
 * Tiers must cover the whole number line without overlap: every value then lands in exactly one
 * tier, which is what makes a tier table explainable ("78% → 档位 ≥75%"). Order in the JSON is
 * free; they are checked sorted by lower bound.
 */
export function checkTiers(kpi: Kpi, tiers: readonly Tier[], basePath: (string | number)[]): SchemeIssue[] {
  const issues: SchemeIssue[] = [];
  const name = `${kpi.name.zh}（${kpi.code}）`;
  const nameEn = `${kpi.name.en} (${kpi.code})`;
  tiers.forEach((t, i) => {
    if (t.from !== null && t.to !== null && !(t.from < t.to))
      issues.push({
        path: [...basePath, i],
        zh: `${name} 的档位 ${tierLabel(t, kpi.unit)} 下限不小于上限`,
        en: `${nameEn}: tier ${tierLabel(t, kpi.unit)} has its lower bound not below its upper bound`,
      });
  });
  const sorted = tiers
    .map((t, i) => ({ t, i }))
    .sort((a, b) => (a.t.from ?? -Infinity) - (b.t.from ?? -Infinity));
  const first = sorted[0]!.t;
  const last = sorted[sorted.length - 1]!.t;
  if (first.from !== null)
    issues.push({
      path: basePath,
      zh: `${name} 的档位没有覆盖低于 ${fmtBound(first.from, kpi.unit)} 的值（缺少最低一档）`,
      en: `${nameEn}: tiers leave values below ${fmtBound(first.from, kpi.unit)} unscored (no lowest tier)`,
    });
  if (last.to !== null)
    issues.push({
      path: basePath,
      zh: `${name} 的档位没有覆盖高于 ${fmtBound(last.to, kpi.unit)} 的值（缺少最高一档）`,
      en: `${nameEn}: tiers leave values above ${fmtBound(last.to, kpi.unit)} unscored (no highest tier)`,
    });
  for (let k = 0; k + 1 < sorted.length; k++) {
    const a = sorted[k]!;
    const b = sorted[k + 1]!;
    const aTo = a.t.to ?? Infinity;
    const bFrom = b.t.from ?? -Infinity;
    if (aTo > bFrom + EPS)
      issues.push({
        path: [...basePath, b.i],
        zh: `${name} 的档位 ${tierLabel(a.t, kpi.unit)} 与 ${tierLabel(b.t, kpi.unit)} 重叠`,
        en: `${nameEn}: tiers ${tierLabel(a.t, kpi.unit)} and ${tierLabel(b.t, kpi.unit)} overlap`,
      });
    else if (aTo < bFrom - EPS)
      issues.push({
        path: [...basePath, b.i],
        zh: `${name} 的档位之间有空缺：${fmtBound(aTo, kpi.unit)} 到 ${fmtBound(bFrom, kpi.unit)} 之间的值无档可依`,
        en: `${nameEn}: gap between tiers: values from ${fmtBound(aTo, kpi.unit)} to ${fmtBound(bFrom, kpi.unit)} fall in no tier`,
      });
  }
  return issues;
}

export function checkScheme(s: Scheme): SchemeIssue[] {
  const issues: SchemeIssue[] = [];
  const total = s.kpis.reduce((a, k) => a + k.weight, 0);
  if (Math.abs(total - 100) > 1e-6) {
    const list = s.kpis.map((k) => `${k.code} ${formatNumber(k.weight)}`).join(', ');
    const listZh = s.kpis.map((k) => `${k.name.zh} ${formatNumber(k.weight)}`).join('、');
    issues.push({
      path: ['kpis'],
      zh: `方案 ${s.id} 的指标权重合计为 ${formatNumber(total)}，应为 100（${listZh}）`,
      en: `scheme ${s.id}: KPI weights sum to ${formatNumber(total)}, not 100 (${list})`,
    });
  }
  const seen = new Map<string, number>();
  s.kpis.forEach((k, i) => {
    const prev = seen.get(k.code);
    if (prev !== undefined)
      issues.push({
        path: ['kpis', i, 'code'],
        zh: `指标代码 ${k.code} 重复（第 ${prev + 1} 项与第 ${i + 1} 项）`,
        en: `KPI code ${k.code} is used twice (items ${prev + 1} and ${i + 1})`,
      });
    seen.set(k.code, i);
    if (k.rule.type === 'tier') issues.push(...checkTiers(k, k.rule.tiers, ['kpis', i, 'rule', 'tiers']));
    if (k.rule.type === 'rater' && (!s.raters || Object.keys(s.raters.weights).length === 0))
      issues.push({
        path: ['kpis', i, 'rule'],
        zh: `指标 ${k.name.zh}（${k.code}）按评分人综合计分，但方案未设置评分人权重`,
        en: `KPI ${k.name.en} (${k.code}) is scored from raters but the scheme defines no rater weights`,
      });
  });

  // Bands: strictly descending minimums, one catch-all (min null) and it must come last.
  s.gradeBands.forEach((b, i) => {
    const isLast = i === s.gradeBands.length - 1;
    if (b.min === null && !isLast)
      issues.push({
        path: ['gradeBands', i],
        zh: `等级 ${b.grade} 没有下限，只有最后一档可以不设下限`,
        en: `grade ${b.grade} has no minimum; only the last band may be open-ended`,
      });
    if (isLast && b.min !== null)
      issues.push({
        path: ['gradeBands', i],
        zh: `最后一档等级 ${b.grade} 应不设下限，否则低于 ${b.min} 的得分无等级`,
        en: `the last band (${b.grade}) must be open-ended, otherwise scores below ${b.min} get no grade`,
      });
    const prev = s.gradeBands[i - 1];
    if (prev && prev.min !== null && b.min !== null && !(b.min < prev.min))
      issues.push({
        path: ['gradeBands', i, 'min'],
        zh: `等级 ${b.grade} 的下限 ${b.min} 应低于上一档 ${prev.grade} 的下限 ${prev.min}`,
        en: `grade ${b.grade} minimum ${b.min} must be below the previous band ${prev.grade} (${prev.min})`,
      });
  });
  const grades = s.gradeBands.map((b) => b.grade);
  if (new Set(grades).size !== grades.length)
    issues.push({ path: ['gradeBands'], zh: `等级档位中有重复的等级：${grades.join('、')}`, en: `duplicate grades in bands: ${grades.join(', ')}` });
  s.vetoes.forEach((v, i) => {
    if (!grades.includes(v.capGrade))
      issues.push({
        path: ['vetoes', i, 'capGrade'],
        zh: `否决规则的封顶等级 ${v.capGrade} 不在等级档位中`,
        en: `veto cap grade ${v.capGrade} is not one of the scheme's grade bands`,
      });
  });
  s.bonus.forEach((b, i) => {
    if (b.type === 'achievement_split') {
      if (!seen.has(b.kpiCode))
        issues.push({
          path: ['bonus', i, 'kpiCode'],
          zh: `奖金公式引用的指标 ${b.kpiCode} 不在方案中`,
          en: `bonus formula refers to KPI ${b.kpiCode}, which the scheme does not have`,
        });
      if (Math.abs(b.resultShare + b.supervisorShare - 1) > 1e-9)
        issues.push({
          path: ['bonus', i],
          zh: `奖金公式业绩占比 ${b.resultShare} 与上级评价占比 ${b.supervisorShare} 之和应为 1`,
          en: `bonus result share ${b.resultShare} and supervisor share ${b.supervisorShare} must add up to 1`,
        });
      if (b.supervisorRatioMin > b.supervisorRatioMax)
        issues.push({
          path: ['bonus', i],
          zh: `上级评价比例下限 ${b.supervisorRatioMin} 高于上限 ${b.supervisorRatioMax}`,
          en: `supervisor ratio minimum ${b.supervisorRatioMin} is above its maximum ${b.supervisorRatioMax}`,
        });
    }
  });
  return issues;
}
