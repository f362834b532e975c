import { z } from 'zod';
import { TRPCError } from '@trpc/server';
import {
  analysePolicy,
  bootstrapInference,
  outcomeValueUnit,
  BUILTIN_SCHEMES,
  GRADE_LABELS,
  metricLabel,
  outcomeLevel,
  outcomeIdSchema,
  outcomePolarity,
  overlappingPolicies,
  parseOutcome,
  policyCreateSchema,
  policyEffectInputSchema,
  type PolicyEffectParams,
  policyIdSchema,
  policyUpdateSchema,
  type Grade,
  type OutcomeId,
  type PolicyWarning,
} from '@perflens/core';
import {
  deletePolicy,
  isAssessmentOutcome,
  listOrgUnits,
  listPolicies,
  policyAssessmentPanel,
  policyDistribution,
  policyOutcomes,
  policyPanel,
  policyPanelSize,
  policyHeadline,
  policyWorkbook,
  listRoleRows,
  PolicyValidationError,
  savePolicy,
  type Warehouse,
} from '@perflens/warehouse';
import { router } from '../trpc.ts';
import { auditExport, procedure } from '../access.ts';

/**
 * Employee × period panels above this many assessment rows are analysed per org unit × period
 * instead: the panel travels to this process and the fixed-effects regression is O(rows), and a
 * 200k-employee company would mean 7.2M rows per request.
 */
export const EMPLOYEE_PANEL_LIMIT = 150_000;

function badRequest(err: unknown): never {
  if (err instanceof PolicyValidationError) throw new TRPCError({ code: 'BAD_REQUEST', message: err.message, cause: err });
  throw err;
}

async function requirePolicy(wh: Warehouse, id: string) {
  const [p] = await listPolicies(wh, id);
  if (!p) throw new TRPCError({ code: 'NOT_FOUND', message: `policy ${id} not found / 政策 ${id} 不存在` });
  return p;
}

/** Label without scanning the KPI table: the built-in schemes name the standard KPIs. */
function outcomeLabel(outcome: OutcomeId): { zh: string; en: string } {
  const { kind, code } = parseOutcome(outcome);
  switch (kind) {
    case 'score':
      return { zh: '考核总分', en: 'total score' };
    case 'bonus':
      return { zh: '人均奖金', en: 'bonus per head' };
    case 'grade': {
      const g = GRADE_LABELS[code as Grade];
      return { zh: `${g.zh}（${code}）占比`, en: `the share of grade ${code} (${g.en})` };
    }
    case 'kpi': {
      const kpi = BUILTIN_SCHEMES.flatMap((s) => s.kpis).find((k) => k.code === code);
      return kpi ? { zh: kpi.name.zh, en: kpi.name.en.toLowerCase() } : { zh: code!, en: code! };
    }
    default:
      return metricLabel(code!);
  }
}

const CONTROL_METHOD =
  'Control group: the rows outside the policy (automatic: every org unit outside the scope with data on both sides of ' +
  'the date; or the chosen org subtrees). For a role-scoped policy only people of the same roles outside the scope ' +
  'are compared (other roles are scored on other KPIs and follow other trends); other roles stand in only when nobody ' +
  'of those roles works outside the scope, with a warning. Org-unit metrics have no role: treatment and control are by org scope.';

/**
 * Before/after and difference-in-differences analysis of one outcome for one policy. Every
 * estimate carries its formula in `methods` / `*.method`; the SQL builds the panel, core/policy
 * does the statistics.
 */
async function policyEffect(wh: Warehouse, input: PolicyEffectParams) {
  const t0 = performance.now();
  const policy = await requirePolicy(wh, input.policyId);
  const { kind } = parseOutcome(input.outcome);
  const level = outcomeLevel(kind);
  const warnings: PolicyWarning[] = [];
  let unit: 'orgUnit' | 'employee' = level === 'orgUnit' ? 'orgUnit' : input.unit === 'orgUnit' ? 'orgUnit' : 'employee';
  if (unit === 'employee') {
    const size = await policyPanelSize(wh, input.cycle);
    if (size > EMPLOYEE_PANEL_LIMIT) {
      if (input.unit === 'employee')
        throw new TRPCError({
          code: 'BAD_REQUEST',
          message: `unit: an employee × period panel of ${size} rows is too large (limit ${EMPLOYEE_PANEL_LIMIT}); use unit "orgUnit" / 员工 × 期间面板有 ${size} 行，超过上限 ${EMPLOYEE_PANEL_LIMIT}，请改用按组织单位分析`,
        });
      unit = 'orgUnit';
      warnings.push({
        code: 'unit_fallback',
        zh: `数据量较大（${size} 条考核记录），按“组织单位 × 期间”分析，而不是按员工。`,
        en: `Large data (${size} assessment rows): analysed per org unit × period rather than per employee.`,
      });
    }
  }
  if (kind === 'metric' && policy.scopeRoles.length > 0)
    warnings.push({
      code: 'role_scope_ignored',
      zh: '部门级指标没有岗位之分，已忽略政策的岗位范围，只按组织范围区分处理组。',
      en: 'Org-unit metrics have no role, so the policy’s role scope is ignored and treatment is by org scope only.',
    });
  const scope = { policyId: policy.id, cycle: input.cycle, before: input.before, after: input.after, controlOrgUnitIds: input.controlOrgUnitIds };
  // Org-unit panels of score, bonus or a grade's share come from the same fact rows as the score
  // and grade distributions: one scan serves both (the two statements side by side fought over the
  // two cores). Other outcomes read other tables, so their panel runs beside the distribution.
  const facts =
    unit === 'orgUnit' && isAssessmentOutcome(kind)
      ? policyAssessmentPanel(wh, { ...scope, outcome: input.outcome })
      : Promise.all([policyPanel(wh, { ...scope, outcome: input.outcome, unit }), policyDistribution(wh, scope)]).then(([panel, distribution]) => ({ panel, distribution }));
  const [{ panel, distribution }, policies, orgUnits] = await Promise.all([facts, listPolicies(wh), listOrgUnits(wh)]);
  const tQuery = performance.now();
  // Role-scoped policies are compared like for like (the same roles outside the scope); the
  // panel says whether such people existed or the other roles had to stand in.
  const roleScoped = policy.scopeRoles.length > 0 && kind !== 'metric';
  const sameRoles = panel[0]?.sameRoleControl ?? null;
  if (roleScoped && sameRoles === false)
    warnings.push({
      code: 'control_other_roles',
      zh: '范围之外没有同岗位的人员，对照组改用其他岗位；不同岗位的考核指标和趋势不同，结论需谨慎。',
      en: 'Nobody in the scoped roles works outside the scope, so other roles serve as the control; they are scored on other KPIs and may trend differently, so read the result with care.',
    });
  const label = outcomeLabel(input.outcome);
  const analysis = analysePolicy({
    panel,
    outcomeLabel: label,
    unit,
    distribution,
    overlaps: overlappingPolicies(policy, policies, orgUnits),
    extraWarnings: warnings,
    inference: bootstrapInference(input.bootstrap),
    valueUnit: outcomeValueUnit(input.outcome),
  });
  const pre = analysis.series.filter((s) => s.rel < 0);
  const post = analysis.series.filter((s) => s.rel >= 0);
  return {
    policy,
    outcome: { id: input.outcome, label, level },
    cycle: input.cycle,
    control: {
      ...(input.controlOrgUnitIds ? { kind: 'chosen' as const, orgUnitIds: input.controlOrgUnitIds } : { kind: 'automatic' as const, orgUnitIds: [] }),
      /** all: no role scope; same: the scoped roles outside the scope; other: the other roles stood in. */
      roles: !roleScoped ? ('all' as const) : sameRoles === false ? ('other' as const) : ('same' as const),
    },
    window: {
      from: analysis.series[0]?.periodId ?? null,
      to: analysis.series.at(-1)?.periodId ?? null,
      firstAfter: post[0]?.periodId ?? null,
      periodsBefore: pre.length,
      periodsAfter: post.length,
    },
    ...analysis,
    methods: { ...analysis.methods, control: CONTROL_METHOD },
    timing: { queryMs: Math.round(tQuery - t0), statsMs: Math.round(performance.now() - tQuery) },
  };
}

/** Several outcomes of one policy under the same window and control: the executive view and its export. */
const policyBriefInputSchema = policyEffectInputSchema.omit({ outcome: true, unit: true }).extend({
  outcomes: z.array(outcomeIdSchema).min(1).max(8),
});

async function policyBrief(wh: Warehouse, input: z.infer<typeof policyBriefInputSchema>) {
  const { outcomes, ...rest } = input;
  const effects = [];
  // One after the other: each analysis already uses every DuckDB thread.
  for (const outcome of outcomes) effects.push(await policyEffect(wh, { ...rest, outcome, unit: 'auto' }));
  return effects;
}

export const policyRouter = router({
  list: procedure('policy.read').query(({ ctx }) => listPolicies(ctx.wh)),
  get: procedure('policy.read').input(z.strictObject({ id: policyIdSchema })).query(({ ctx, input }) => requirePolicy(ctx.wh, input.id)),
  create: procedure('policy.write').input(policyCreateSchema).mutation(({ ctx, input }) => savePolicy(ctx.wh, 'create', input).catch(badRequest)),
  update: procedure('policy.write').input(policyUpdateSchema).mutation(({ ctx, input }) => savePolicy(ctx.wh, 'update', input).catch(badRequest)),
  delete: procedure('policy.write').input(z.strictObject({ id: policyIdSchema })).mutation(async ({ ctx, input }) => {
    if (!(await deletePolicy(ctx.wh, input.id))) throw new TRPCError({ code: 'NOT_FOUND', message: `policy ${input.id} not found / 政策 ${input.id} 不存在` });
    return { id: input.id };
  }),
  /** Outcomes the warehouse holds over time, for the outcome picker. */
  outcomes: procedure('policy.read').query(({ ctx }) => policyOutcomes(ctx.wh)),

  effect: procedure('policy.read').input(policyEffectInputSchema).query(({ ctx, input }) => policyEffect(ctx.wh, input)),

  /**
   * The executive view: per outcome the headline effect (DiD, or the ITS level change without a
   * control), its CI and p, whether that is good news for this outcome, the treated and control
   * series for a sparkline, and the plain-language summary.
   */
  brief: procedure('policy.read').input(policyBriefInputSchema).query(async ({ ctx, input }) => {
    const effects = await policyBrief(ctx.wh, input);
    return {
      policy: effects[0]!.policy,
      items: effects.map((e) => ({
        outcome: e.outcome,
        polarity: outcomePolarity(e.outcome.id as OutcomeId),
        headline: policyHeadline(e),
        panel: e.panel,
        window: e.window,
        preTrendPassed: e.eventStudy?.preTrend?.passed ?? null,
        series: e.series.map((p) => ({ periodId: p.periodId, rel: p.rel, treated: p.treated, control: p.control })),
        summary: e.summary,
        warnings: e.warnings,
      })),
    };
  }),

  /** The analysis of one or several outcomes as an XLSX workbook, base64 (tRPC carries JSON only). */
  exportXlsx: procedure(['policy.read', 'export']).input(policyBriefInputSchema).query(async ({ ctx, input }) => {
    const effects = await policyBrief(ctx.wh, input);
    const names = new Map((await listOrgUnits(ctx.wh)).map((u) => [u.id, u.name]));
    const roles = new Map((await listRoleRows(ctx.wh)).map((r) => [r.code, ctx.lang === 'zh' ? r.nameZh : r.nameEn]));
    const buf = await policyWorkbook(effects[0]!.policy, effects, ctx.lang, names, roles);
    await auditExport(ctx, 'policy', input.policyId, { outcomes: input.outcomes });
    return {
      fileName: `perflens-policy-${input.policyId}-${new Date().toISOString().slice(0, 10)}.xlsx`,
      mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      base64: buf.toString('base64'),
    };
  }),
});
