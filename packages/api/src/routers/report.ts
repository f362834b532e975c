import { z } from 'zod';
import { DEFAULT_GUIDELINE, GRADES, analysisFiltersSchema, can, outcomeIdSchema, policyIdSchema, type Grade } from '@perflens/core';
import { outcomeValueUnit } from '@perflens/core/policy/units';
import { policyHeadline } from '@perflens/warehouse';
import { renderReport, type ReportCalibration, type ReportLang, type ReportModel, type ReportPolicy, type ReportScenario } from '@perflens/report';
import { createCallerFactory, router, type Context } from '../trpc.ts';
import { actorOf, auditExport, procedure } from '../access.ts';
import { metaRouter } from './meta.ts';
import { distributionRouter } from './distribution.ts';
import { calibrationRouter } from './calibration.ts';
import { policyRouter } from './policy.ts';
import { scenarioRouter } from './scenario.ts';
import { importRouter } from './import.ts';

/** Long lists are cut to what a reader takes in on paper; the report says how many were left out. */
const MAX_UNITS = 40;
const MAX_MOVES = 200;
const MAX_BATCHES = 20;

export const reportInputSchema = z.strictObject({
  /** The report's language; absent = the caller's (Accept-Language). */
  lang: z.enum(['zh', 'en']).optional(),
  filters: analysisFiltersSchema.default({}),
  policyIds: z.array(policyIdSchema).max(5).default([]),
  /** The outcome the policies are judged on (the Policy page's picker). */
  outcome: outcomeIdSchema.default('score'),
  scenarioIds: z.array(z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/)).max(3).default([]),
  calibrationId: z.uuid().optional(),
});
export type ReportInput = z.input<typeof reportInputSchema>;

/**
 * `report.create`: the executive report as a PDF (base64 in the JSON, like every export).
 *
 * Every figure is gathered by calling the API's own procedures as the same caller, so the PDF
 * shows what the dashboard shows, with the same permissions, org scope and masking: a section the
 * caller may not see (a manager asking for a policy) fails the request with that procedure's 403
 * rather than printing less than was asked for.
 */
export const reportRouter = router({
  create: procedure(['read.aggregate', 'export'], { scoped: true })
    .input(reportInputSchema)
    .mutation(async ({ ctx, input }) => {
      const model = await gatherReport(ctx, input);
      const pdf = await renderReport(model);
      await auditExport(ctx, 'report', input.policyIds.join(',') || null, {
        filters: input.filters,
        policies: input.policyIds,
        scenarios: input.scenarioIds,
        calibration: input.calibrationId ?? null,
        lang: model.lang,
      });
      return {
        fileName: `perflens-report-${model.generatedAt.slice(0, 10)}-${model.lang}.pdf`,
        mimeType: 'application/pdf',
        base64: pdf.toString('base64'),
      };
    }),
});

/** The capabilities the report reads, called through their procedures (permissions, scope, masking). */
const sources = router({ meta: metaRouter, distribution: distributionRouter, calibration: calibrationRouter, policy: policyRouter, scenario: scenarioRouter, import: importRouter });
const callSources = createCallerFactory(sources);
type Caller = ReturnType<typeof callSources>;

/** The report's data, asked of the API as the caller (see above). */
export async function gatherReport(ctx: Context, raw: ReportInput, now = new Date()): Promise<ReportModel> {
  const input = reportInputSchema.parse(raw);
  const caller = callSources(ctx);
  const lang: ReportLang = input.lang ?? ctx.lang;
  const actor = actorOf(ctx);
  const f = input.filters;

  // One after the other: each statement already uses every DuckDB thread.
  const overview = await caller.meta.overview();
  const overall = await caller.distribution.grades({ ...f, groupBy: 'none' });
  const byUnit = await caller.distribution.grades({ ...f, cycle: overall.cycle, groupBy: 'orgUnit' });
  const units = await caller.meta.orgUnits();
  const roles = f.role ? await caller.meta.roles() : [];

  const groups = [...byUnit.groups].sort((a, b) => b.total - a.total);
  const graded = overall.groups[0]?.total ?? 0;
  const model: ReportModel = {
    lang,
    generatedAt: now.toISOString(),
    generatedBy: actor?.name ?? null,
    scope: {
      from: f.from ?? null,
      to: f.to ?? null,
      orgUnitName: f.orgUnitId ? (units.find((u) => u.id === f.orgUnitId)?.name ?? f.orgUnitId) : null,
      roleName: f.role ? (((r) => (r ? (lang === 'zh' ? r.nameZh : r.nameEn) : null))(roles.find((r) => r.code === f.role)) ?? f.role) : null,
      cycle: overall.cycle,
    },
    headline: {
      employees: overview.employees,
      orgUnits: overview.orgUnits,
      records: graded + overall.ungraded,
      graded,
      ungraded: overall.ungraded,
      firstPeriod: overview.firstPeriod,
      lastPeriod: overview.lastPeriod,
    },
    grades: {
      overall: { grades: overall.grades, groups: overall.groups },
      guideline: DEFAULT_GUIDELINE,
      byUnit: groups.slice(0, MAX_UNITS).map((g) => ({ label: g.label, total: g.total, shares: g.shares })),
      omittedUnits: Math.max(0, groups.length - MAX_UNITS),
    },
    calibration: input.calibrationId ? await calibrationSection(caller, input.calibrationId) : null,
    policies: [],
    scenarios: [],
    dataNote: { batches: null, batchTotal: null, notes: [] },
  };
  for (const id of input.policyIds) model.policies.push(await policySection(caller, id, input.outcome, lang));
  if (input.scenarioIds.length) model.scenarios = await scenarioSection(caller, input.scenarioIds, lang);

  if (actor && can(actor.role, 'data.import')) {
    const batches = await caller.import.batches({ page: 1 });
    model.dataNote.batches = batches.rows.slice(0, MAX_BATCHES).map((b) => ({ fileName: b.fileName, table: b.table, rows: b.rowCount, finishedAt: b.finishedAt }));
    model.dataNote.batchTotal = batches.total;
  }
  if (overall.ungraded > 0)
    model.dataNote.notes.push(
      lang === 'zh'
        ? `${overall.ungraded} 条考核记录没有等级（未考核或尚未评定），不计入等级比例。`
        : `${overall.ungraded} assessment records have no grade (not assessed, or not yet graded) and are left out of the grade shares.`,
    );
  return model;
}

async function policySection(caller: Caller, policyId: string, outcome: string, lang: ReportLang): Promise<ReportPolicy> {
  const e = await caller.policy.effect({ policyId, outcome });
  const h = policyHeadline(e);
  return {
    id: e.policy.id,
    name: e.policy.name,
    effectiveFrom: e.policy.effectiveFrom,
    outcomeLabel: e.outcome.label[lang],
    unit: outcomeValueUnit(outcome),
    headline: { method: h.method, estimate: h.estimate, ci: h.ci, p: h.p, verdict: h.verdict, reason: h.reason?.[lang] ?? null },
    effect: { series: e.series, window: e.window, eventStudy: e.eventStudy },
    summary: e.summary[lang],
    methods: Object.entries(e.methods).map(([name, text]) => ({ name, text })),
    warnings: e.warnings.map((w) => w[lang]),
  };
}

async function scenarioSection(caller: Caller, ids: string[], lang: ReportLang): Promise<ReportScenario[]> {
  const items = await caller.scenario.compare({ ids, pageSize: 1 });
  return items.map((s) => ({
    id: s.id,
    name: s.name,
    rows: s.result.rows,
    employees: s.result.employees,
    changed: s.result.changed,
    shareChanged: s.result.shareChanged,
    distribution: s.result.distribution,
    matrix: s.result.matrix,
    cost: { baseline: s.result.cost.baseline, scenario: s.result.cost.scenario, delta: s.result.cost.delta },
    warnings: s.result.warnings.map((w) => w[lang]),
  }));
}

interface AdjustPayload {
  employeeId?: string;
  periodId?: string;
  grade?: Grade | null;
}

async function calibrationSection(caller: Caller, id: string): Promise<ReportCalibration> {
  const s = await caller.calibration.session.get({ id, people: { onlyChanged: true, limit: MAX_MOVES } });
  const names = new Map(s.people.rows.map((p) => [`${p.employeeId}|${p.periodId}`, p.employeeName]));
  const adjustments = s.audit.filter((a) => a.action === 'calibration.adjust');
  const moves = adjustments.slice(0, MAX_MOVES).map((a) => {
    const before = (a.before ?? {}) as AdjustPayload;
    const after = (a.after ?? {}) as AdjustPayload;
    const employeeId = after.employeeId ?? before.employeeId ?? a.entityId ?? '';
    const periodId = after.periodId ?? before.periodId ?? '';
    const name = names.get(`${employeeId}|${periodId}`);
    return {
      employee: name ? `${name} (${employeeId})` : employeeId,
      periodId,
      from: before.grade ?? null,
      to: after.grade ?? null,
      reason: a.reason,
      actor: a.actor,
    };
  });
  const off = s.counters.filter((c) => GRADES.some((g) => c.diff[g] !== 0));
  return {
    name: s.name,
    status: s.status,
    finalisedAt: s.finalisedAt,
    people: s.counters.reduce((n, c) => n + c.n, 0),
    moves,
    moveTotal: adjustments.length,
    groups: s.counters.length,
    groupsOnQuota: s.counters.length - off.length,
    offQuota: off.slice(0, MAX_UNITS).map((c) => ({ label: c.label, periodId: c.periodId, diff: c.diff })),
  };
}
