import { DEFAULT_GRADE_BANDS, type Role } from '../domain.ts';
import { type GradeBand, type Scheme, type SchemeInput, schemeSchema, type Tier } from './types.ts';

/**
 * Built-in schemes, one per role, transcribed from the seed documents in /work/shared/seeds
 * (file noted per scheme). Where a seed leaves a number open (a tier boundary, a weight the
 * table lost) the choice is stated in a comment. Ids are stable: stored assessments refer to them.
 */

/** Core DEFAULT_GRADE_BANDS in JSON-safe form (−∞ → null). */
export const DEFAULT_SCHEME_BANDS: GradeBand[] = DEFAULT_GRADE_BANDS.map((b) => ({
  grade: b.grade,
  min: Number.isFinite(b.min) ? b.min : null,
  coefficient: b.coefficient,
}));

/** Parses (and thereby validates) a scheme; a built-in that fails is a programming error. */
export function defineScheme(input: SchemeInput): Scheme {
  return schemeSchema.parse(input);
}

/** higher-is-better tier table from thresholds, best first: [[0.75, 100], [0.65, 80], …], floor points below the last. */
function higher(thresholds: Array<[number, number]>, floor: number): Tier[] {
  const tiers: Tier[] = thresholds.map(([from, points], i) => ({ from, to: i === 0 ? null : thresholds[i - 1]![0], points }));
  tiers.push({ from: null, to: thresholds[thresholds.length - 1]![0], points: floor });
  return tiers;
}

/** lower-is-better tier table from ceilings, best first: [[30, 100], [45, 80], …], floor points above the last. */
function lower(ceilings: Array<[number, number]>, floor: number): Tier[] {
  const tiers: Tier[] = ceilings.map(([to, points], i) => ({ from: i === 0 ? null : ceilings[i - 1]![0], to, points }));
  tiers.push({ from: ceilings[ceilings.length - 1]![0], to: null, points: floor });
  return tiers;
}

const COMPLAINT_VETO = {
  type: 'grade_cap' as const,
  event: 'complaint_exposure',
  window: 'quarter' as const,
  threshold: 2,
  capGrade: 'C' as const,
  reason: { zh: '雷区：季度内顾客投诉曝光 2 次，等级最高为合格', en: 'Veto: 2 customer-complaint exposures in a quarter cap the grade at Satisfactory' },
};

/**
 * DESIGN.md: "3 consecutive failing months → dismissal review; 2 consecutive scores < 35 → out".
 * Flags only: they change no score, grade or bonus.
 */
const STANDARD_STREAKS = [
  { code: 'dismissal_review', name: { zh: '连续 3 个月不合格，进入辞退评审', en: '3 failing months in a row: dismissal review' }, periods: 3, condition: { kind: 'grade_at_most' as const, grade: 'E' as const } },
  { code: 'exit', name: { zh: '连续 2 个月得分低于 35，予以淘汰', en: '2 months in a row below 35: exit' }, periods: 2, condition: { kind: 'score_below' as const, value: 35 } },
];

/** 10-point customer survey, "8 分以上视为达标" (seed 000). */
const SATISFACTION_10: Tier[] = higher([[8, 100], [7, 80], [6, 60]], 0);

const merchandiserV1 = defineScheme({
  // seed 000 某贸易公司: 订单准确性 30, 客户满意度 30, 订单跟进效率 20, 成本控制 20; 奖金 = 月工资 × 得分/100.
  id: 'merchandiser-v1',
  role: 'merchandiser',
  version: 1,
  name: { zh: '跟单员绩效方案 v1', en: 'Merchandiser scheme v1' },
  description: { zh: '订单准确性、客户满意度、跟进效率、成本控制；奖金 = 月工资 × 得分 ÷ 100', en: 'Accuracy, satisfaction, follow-up efficiency, cost; bonus = salary × score / 100' },
  kpis: [
    {
      code: 'order_accuracy',
      name: { zh: '订单准确率', en: 'Order accuracy' },
      section: 'result',
      weight: 30,
      unit: '%',
      // The seed deducts "by severity of the error"; as a rate: ≥98% full marks, then 85/70/50.
      rule: { type: 'tier', direction: 'higher', tiers: higher([[0.98, 100], [0.95, 85], [0.9, 70], [0.85, 50]], 0) },
    },
    { code: 'customer_satisfaction', name: { zh: '客户满意度', en: 'Customer satisfaction' }, section: 'result', weight: 30, unit: '/10', rule: { type: 'tier', direction: 'higher', tiers: SATISFACTION_10 } },
    {
      code: 'followup_efficiency',
      name: { zh: '订单跟进效率', en: 'Follow-up efficiency' },
      section: 'process',
      weight: 20,
      unit: '天',
      // Lead time vs the industry standard: shorter than standard scores above 100, capped at 120.
      rule: { type: 'ratio', direction: 'lower', cap: 120 },
    },
    {
      code: 'cost_control',
      name: { zh: '成本控制（节约百分点）', en: 'Cost control (pct points saved)' },
      section: 'process',
      weight: 20,
      // "节约成本的部分按照一定比例给予加分": 14 on budget, +2 per point saved, up to 20.
      rule: { type: 'bonus', base: 14, per: 2, every: 1, cap: 20 },
    },
  ],
  gradeBands: DEFAULT_SCHEME_BANDS,
  streaks: STANDARD_STREAKS,
  bonus: [{ type: 'score_share', base: { kind: 'salary', share: 1 } }],
});

const merchandiserV2 = defineScheme({
  // The policy change (2024-07-01, 跟单一部 only): accuracy weighted up and scored on a steeper
  // table, complaint veto added, bonus formula unchanged so pay effects come from scores only.
  id: 'merchandiser-v2',
  role: 'merchandiser',
  version: 2,
  name: { zh: '跟单员绩效方案 v2（强化准确率）', en: 'Merchandiser scheme v2 (accuracy-focused)' },
  description: { zh: '准确率权重 40，档位更陡；增加投诉一票否决', en: 'Accuracy weight 40 on a steeper table; complaint veto added' },
  kpis: [
    { code: 'order_accuracy', name: { zh: '订单准确率', en: 'Order accuracy' }, section: 'result', weight: 40, unit: '%', rule: { type: 'tier', direction: 'higher', tiers: higher([[0.98, 100], [0.96, 80], [0.93, 60], [0.9, 40]], 0) } },
    { code: 'customer_satisfaction', name: { zh: '客户满意度', en: 'Customer satisfaction' }, section: 'result', weight: 30, unit: '/10', rule: { type: 'tier', direction: 'higher', tiers: SATISFACTION_10 } },
    { code: 'followup_efficiency', name: { zh: '订单跟进效率', en: 'Follow-up efficiency' }, section: 'process', weight: 15, unit: '天', rule: { type: 'ratio', direction: 'lower', cap: 120 } },
    { code: 'cost_control', name: { zh: '成本控制（节约百分点）', en: 'Cost control (pct points saved)' }, section: 'process', weight: 15, rule: { type: 'bonus', base: 11, per: 2, every: 1, cap: 15 } },
  ],
  gradeBands: DEFAULT_SCHEME_BANDS,
  streaks: STANDARD_STREAKS,
  vetoes: [COMPLAINT_VETO],
  bonus: [{ type: 'score_share', base: { kind: 'salary', share: 1 } }],
});

const sales = defineScheme({
  // seeds 001 (业务员: 业绩成果 / 过程实施 / 纪律要求; 绩效薪酬 = 签约额/任务 × 基数 × 80% + 上级 60–140% × 基数 × 20%)
  // and 002 (新开发客户每少 3 个扣 1 分, 开发信每少 5 封扣 1 分; 综合评分 = (3 上级 + 同事 + 自评)/5).
  id: 'sales-v1',
  role: 'sales',
  version: 1,
  name: { zh: '销售业务员绩效方案', en: 'Sales scheme' },
  kpis: [
    { code: 'sales_achievement', name: { zh: '销售额达成', en: 'Sales achievement' }, section: 'result', weight: 50, unit: '万元', rule: { type: 'ratio', direction: 'higher', cap: 120 } },
    { code: 'new_clients', name: { zh: '新开发客户数', en: 'New clients' }, section: 'process', weight: 10, unit: '个', rule: { type: 'deduction', per: 1, every: 3, basis: 'shortfall' } },
    { code: 'dev_letters', name: { zh: '客户开发信', en: 'Prospecting letters' }, section: 'process', weight: 5, unit: '封', rule: { type: 'deduction', per: 1, every: 5, basis: 'shortfall' } },
    // 30-day collection rate (seed 001: overdue receivables are penalised); boundaries chosen here.
    { code: 'receivable_collection', name: { zh: '30 天回款率', en: '30-day collection rate' }, section: 'result', weight: 10, unit: '%', rule: { type: 'tier', direction: 'higher', tiers: higher([[0.95, 100], [0.85, 80], [0.7, 60]], 0) } },
    { code: 'work_performance', name: { zh: '月度工作表现（360 综合）', en: 'Monthly conduct (360 composite)' }, section: 'process', weight: 15, rule: { type: 'rater' } },
    { code: 'discipline', name: { zh: '纪律（违纪次数）', en: 'Discipline (violations)' }, section: 'discipline', weight: 10, unit: '次', rule: { type: 'deduction', per: 2, every: 1, basis: 'count' } },
  ],
  raters: { weights: { supervisor: 3, peer: 1, self: 1 } },
  gradeBands: DEFAULT_SCHEME_BANDS,
  streaks: STANDARD_STREAKS,
  bonus: [
    { type: 'achievement_split', base: { kind: 'fixed', amount: 1000 }, kpiCode: 'sales_achievement', resultShare: 0.8, supervisorShare: 0.2, supervisorRatioMin: 0.6, supervisorRatioMax: 1.4 },
  ],
});

const foreignTrade = defineScheme({
  // seed 002 外贸业务经理季度综合考核表: 财务业绩 55 (部门净利润 35, 个人销售净利润 15, 应收款 5),
  // 营销过程 25, 内部管理 20; 雷区 顾客投诉曝光; bands 91/81/71/61 ×1.3/1.1/1/0.8/0.4.
  // Scored monthly in PerfLens; process is the rater composite, internal management split in two.
  id: 'foreign_trade-v1',
  role: 'foreign_trade',
  version: 1,
  name: { zh: '外贸业务员绩效方案', en: 'Foreign-trade sales scheme' },
  kpis: [
    { code: 'dept_net_profit', name: { zh: '部门净利润达成', en: 'Department net profit' }, section: 'result', weight: 35, unit: '万元', rule: { type: 'ratio', direction: 'higher', cap: 120 } },
    { code: 'personal_net_profit', name: { zh: '个人销售净利润达成', en: 'Personal net profit' }, section: 'result', weight: 15, unit: '万元', rule: { type: 'ratio', direction: 'higher', cap: 120 } },
    { code: 'receivables', name: { zh: '应收款回收率', en: 'Receivables collected' }, section: 'result', weight: 5, unit: '%', rule: { type: 'tier', direction: 'higher', tiers: higher([[0.95, 100], [0.85, 80], [0.7, 60]], 0) } },
    { code: 'marketing_process', name: { zh: '营销过程（评分人综合）', en: 'Marketing process (raters)' }, section: 'process', weight: 25, rule: { type: 'rater' } },
    { code: 'team_collaboration', name: { zh: '团队协作（1–5 分）', en: 'Teamwork (1–5)' }, section: 'process', weight: 10, unit: '/5', rule: { type: 'tier', direction: 'higher', tiers: higher([[4.5, 100], [3.5, 80], [2.5, 60]], 20) } },
    { code: 'discipline', name: { zh: '组织纪律（违纪次数）', en: 'Discipline (violations)' }, section: 'discipline', weight: 10, unit: '次', rule: { type: 'deduction', per: 2, every: 1, basis: 'count' } },
  ],
  raters: { weights: { supervisor: 2, indirect_supervisor: 1, self: 1 } },
  gradeBands: DEFAULT_SCHEME_BANDS,
  streaks: STANDARD_STREAKS,
  vetoes: [COMPLAINT_VETO],
  // 季度提成 = 净利润 × 15% × 考核系数 → monthly: 30% of salary as base × coefficient.
  bonus: [{ type: 'grade_coefficient', base: { kind: 'salary', share: 0.3 } }],
});

const csEcommerce = defineScheme({
  // seed 002 客服部客服指标绩效考核表: 询单转化率 35, 支付率 20, 落实客单价 10, 旺旺回复率 5,
  // 响应时间 5, 工作任务 10 (每累计 5 条经验加 1 分), 工作态度 5, 考勤 10 (迟到早退 −2/次).
  // 退款率 has no weight in the table and is not scored. Pay: 绩效工资 750 × 得分% + 成交额 × 3‰.
  id: 'cs_ecommerce-v1',
  role: 'cs_ecommerce',
  version: 1,
  name: { zh: '电商客服绩效方案', en: 'E-commerce customer-service scheme' },
  kpis: [
    { code: 'inquiry_conversion', name: { zh: '询单转化率', en: 'Inquiry conversion' }, section: 'result', weight: 35, unit: '%', rule: { type: 'tier', direction: 'higher', tiers: higher([[0.75, 100], [0.65, 80], [0.5, 60]], 0) } },
    { code: 'payment_rate', name: { zh: '支付率', en: 'Payment rate' }, section: 'result', weight: 20, unit: '%', rule: { type: 'tier', direction: 'higher', tiers: higher([[0.92, 100], [0.85, 80], [0.72, 60]], 0) } },
    { code: 'order_value_ratio', name: { zh: '落实客单价（÷店铺客单价）', en: 'Order value vs shop average' }, section: 'result', weight: 10, rule: { type: 'tier', direction: 'higher', tiers: higher([[1.12, 100], [1.08, 80], [1.06, 60]], 0) } },
    { code: 'reply_rate', name: { zh: '旺旺回复率', en: 'Reply rate' }, section: 'process', weight: 5, unit: '%', rule: { type: 'tier', direction: 'higher', tiers: higher([[0.99, 100], [0.97, 80], [0.95, 60]], 0) } },
    { code: 'response_time', name: { zh: '平均响应时间', en: 'Average response time' }, section: 'process', weight: 5, unit: 's', rule: { type: 'tier', direction: 'lower', tiers: lower([[30, 100], [45, 80], [55, 60]], 0) } },
    { code: 'work_tasks', name: { zh: '工作任务（经验条数）', en: 'Work tasks (lessons filed)' }, section: 'process', weight: 10, unit: '条', rule: { type: 'bonus', base: 8, per: 1, every: 5, cap: 10 } },
    { code: 'attitude', name: { zh: '工作态度（评分人综合）', en: 'Attitude (raters)' }, section: 'discipline', weight: 5, rule: { type: 'rater' } },
    { code: 'attendance', name: { zh: '考勤（迟到早退次数）', en: 'Attendance (late/early)' }, section: 'discipline', weight: 10, unit: '次', rule: { type: 'deduction', per: 2, every: 1, basis: 'count' } },
  ],
  raters: { weights: { supervisor: 3, peer: 1, self: 1 } },
  gradeBands: DEFAULT_SCHEME_BANDS,
  streaks: STANDARD_STREAKS,
  vetoes: [COMPLAINT_VETO],
  bonus: [
    { type: 'score_share', base: { kind: 'fixed', amount: 750 } },
    { type: 'commission', rate: 0.003 },
  ],
});

const csCallcenter = defineScheme({
  // seed 002 客户服务人员绩效考核表: 专业技能/接听质量 30 (抽查不合格每次扣 2 分), 投诉解决率 20,
  // 回访完成率 10 (100% / <95% −1 / <80% −2 / <75% −5 of 10), 客户满意度 10, 呼叫中心业务计划完成率.
  id: 'cs_callcenter-v1',
  role: 'cs_callcenter',
  version: 1,
  name: { zh: '呼叫中心客服绩效方案', en: 'Call-centre scheme' },
  kpis: [
    { code: 'call_quality', name: { zh: '专业技能与接听质量（抽查不合格次数）', en: 'Call quality (failed checks)' }, section: 'process', weight: 30, unit: '次', rule: { type: 'deduction', per: 2, every: 1, basis: 'count' } },
    { code: 'complaint_resolution', name: { zh: '投诉解决率', en: 'Complaint resolution' }, section: 'result', weight: 20, unit: '%', rule: { type: 'tier', direction: 'higher', tiers: higher([[0.98, 100], [0.95, 80], [0.9, 60]], 0) } },
    { code: 'callback_completion', name: { zh: '回访完成率', en: 'Call-back completion' }, section: 'process', weight: 10, unit: '%', rule: { type: 'tier', direction: 'higher', tiers: higher([[1, 100], [0.95, 90], [0.8, 80], [0.75, 70]], 50) } },
    { code: 'satisfaction_rate', name: { zh: '客户满意率', en: 'Customer satisfaction rate' }, section: 'result', weight: 10, unit: '%', rule: { type: 'tier', direction: 'higher', tiers: higher([[0.95, 100], [0.8, 80], [0.75, 70]], 50) } },
    { code: 'call_plan', name: { zh: '业务计划完成率', en: 'Call plan completion' }, section: 'result', weight: 20, unit: '通', rule: { type: 'ratio', direction: 'higher', cap: 110 } },
    { code: 'attitude', name: { zh: '服务态度（评分人综合）', en: 'Service attitude (raters)' }, section: 'discipline', weight: 10, rule: { type: 'rater' } },
  ],
  raters: { weights: { supervisor: 3, peer: 1, self: 1, customer: 1 } },
  gradeBands: DEFAULT_SCHEME_BANDS,
  streaks: STANDARD_STREAKS,
  vetoes: [COMPLAINT_VETO],
  bonus: [{ type: 'grade_coefficient', base: { kind: 'fixed', amount: 600 } }],
});

const keyAccount = defineScheme({
  // seed 002 客服部 KPI: 大客户流失数, 大客户回访次数, 客户满意度; 大客户部 拜访制度.
  id: 'key_account-v1',
  role: 'key_account',
  version: 1,
  name: { zh: '大客户服务绩效方案', en: 'Key-account scheme' },
  kpis: [
    { code: 'account_revenue', name: { zh: '大客户销售额达成', en: 'Key-account revenue' }, section: 'result', weight: 20, unit: '万元', rule: { type: 'ratio', direction: 'higher', cap: 120 } },
    { code: 'account_churn', name: { zh: '大客户流失数', en: 'Key accounts lost' }, section: 'result', weight: 20, unit: '个', rule: { type: 'deduction', per: 10, every: 1, basis: 'count' } },
    { code: 'visits', name: { zh: '大客户回访次数', en: 'Key-account visits' }, section: 'process', weight: 20, unit: '次', rule: { type: 'ratio', direction: 'higher', cap: 110 } },
    { code: 'customer_satisfaction', name: { zh: '客户满意度', en: 'Customer satisfaction' }, section: 'result', weight: 30, unit: '/10', rule: { type: 'tier', direction: 'higher', tiers: SATISFACTION_10 } },
    { code: 'relationship', name: { zh: '客户关系（评分人综合）', en: 'Relationship (raters)' }, section: 'process', weight: 10, rule: { type: 'rater' } },
  ],
  raters: { weights: { supervisor: 2, customer: 2, self: 1 } },
  gradeBands: DEFAULT_SCHEME_BANDS,
  streaks: STANDARD_STREAKS,
  vetoes: [COMPLAINT_VETO],
  bonus: [{ type: 'grade_coefficient', base: { kind: 'salary', share: 0.4 } }],
});

const functional = defineScheme({
  // seed 002 部门绩效考核表 (部门职责 30% + 部门计划 30% + 客户评价 20% …) and seed 004
  // (职能部门: 定性与定量、结果与过程指标平衡).
  id: 'functional-v1',
  role: 'functional',
  version: 1,
  name: { zh: '职能部门绩效方案', en: 'Functional staff scheme' },
  kpis: [
    { code: 'duties', name: { zh: '岗位职责完成率', en: 'Duties fulfilled' }, section: 'result', weight: 30, unit: '%', rule: { type: 'ratio', direction: 'higher', cap: 100 } },
    { code: 'work_plan', name: { zh: '工作计划完成率', en: 'Work plan completed' }, section: 'result', weight: 30, unit: '%', rule: { type: 'ratio', direction: 'higher', cap: 100 } },
    { code: 'internal_satisfaction', name: { zh: '内部客户评价（1–5 分）', en: 'Internal customer rating (1–5)' }, section: 'result', weight: 20, unit: '/5', rule: { type: 'tier', direction: 'higher', tiers: higher([[4.5, 100], [4, 90], [3.5, 80], [3, 60]], 30) } },
    { code: 'attitude', name: { zh: '工作态度（评分人综合）', en: 'Attitude (raters)' }, section: 'process', weight: 10, rule: { type: 'rater' } },
    { code: 'attendance', name: { zh: '考勤（迟到早退次数）', en: 'Attendance (late/early)' }, section: 'discipline', weight: 10, unit: '次', rule: { type: 'deduction', per: 2, every: 1, basis: 'count' } },
  ],
  raters: { weights: { supervisor: 3, peer: 1, self: 1 } },
  gradeBands: DEFAULT_SCHEME_BANDS,
  streaks: STANDARD_STREAKS,
  bonus: [{ type: 'grade_coefficient', base: { kind: 'salary', share: 0.2 } }],
});

export const BUILTIN_SCHEMES: readonly Scheme[] = [merchandiserV1, merchandiserV2, sales, foreignTrade, csEcommerce, csCallcenter, keyAccount, functional];

/** The scheme each role starts with (before any policy change). */
export const DEFAULT_SCHEME_BY_ROLE: Record<Role, string> = {
  merchandiser: 'merchandiser-v1',
  sales: 'sales-v1',
  foreign_trade: 'foreign_trade-v1',
  cs_ecommerce: 'cs_ecommerce-v1',
  cs_callcenter: 'cs_callcenter-v1',
  key_account: 'key_account-v1',
  functional: 'functional-v1',
};

export function builtinScheme(id: string): Scheme {
  const s = BUILTIN_SCHEMES.find((x) => x.id === id);
  if (!s) throw new Error(`内置方案 ${id} 不存在 / no built-in scheme ${id}`);
  return s;
}
