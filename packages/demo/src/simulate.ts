import {
  BUILTIN_SCHEMES,
  builtinScheme,
  coefficientFor,
  computeBonus,
  DEFAULT_GUIDELINE,
  DEFAULT_SCHEME_BY_ROLE,
  type Grade,
  GRADES,
  gradeScore,
  isWorseGrade,
  largestRemainder,
  type RaterRelation,
  RATER_RELATIONS,
  type Role,
  ROLES,
  roundHalfUp,
  roundMoney,
  type Scheme,
  type SchemeInputs,
  type SchemeResult,
  evaluateScheme,
} from '@perflens/core';
import {
  activeIn,
  type DemoCompany,
  type DemoEmployee,
  MONTHS,
  monthEndDay,
  monthStartDay,
  POLICY1_MONTH,
  POLICY2_MONTH,
  quarterPeriodIndex,
  TREATED_UNIT,
  yearPeriodIndex,
} from './company.ts';
import { type Rng, streamFor } from './prng.ts';

/** Dictionaries: the sink receives small integers, the loader maps them back to codes in SQL. */
export const KPI_CODES: readonly string[] = [...new Set(BUILTIN_SCHEMES.flatMap((s) => s.kpis.map((k) => k.code)))];
export const SCHEME_IDS: readonly string[] = BUILTIN_SCHEMES.map((s) => s.id);
// order_total and complaint_exposure are per employee and month: the bonus commission and the
// complaint veto read them, so a re-scoring (simulator) sees the same inputs the demo scored with.
export const METRICS = ['headcount', 'turnover_rate', 'sales', 'satisfaction', 'complaints', 'order_accuracy', 'order_total', 'complaint_exposure'] as const;
export type DemoMetric = (typeof METRICS)[number];
const KPI_INDEX = new Map(KPI_CODES.map((c, i) => [c, i]));
const SCHEME_INDEX = new Map(SCHEME_IDS.map((c, i) => [c, i]));
const METRIC_INDEX = new Map(METRICS.map((c, i) => [c, i]));
const REL_INDEX = new Map(RATER_RELATIONS.map((c, i) => [c, i]));
const ROLE_INDEX = new Map(ROLES.map((c, i) => [c, i]));

export interface DemoSink {
  kpi(emp: number, period: number, kpi: number, target: number | null, actual: number | null, score: number, weight: number): void;
  /** rater ≥ 0 is an employee index; < 0 is customer panel −rater. */
  rater(emp: number, period: number, rater: number, relation: number, score: number): void;
  assessment(emp: number, period: number, unit: number, role: number, scheme: number, score: number, grade: number, coefficient: number, bonus: number | null): void;
  metric(unit: number | null, emp: number | null, period: number, metric: number, value: number): void;
  /** Called after every month (and its roll-ups), so sinks can flush bounded buffers. */
  endMonth(month: number): Promise<void>;
}

export interface SimulateOptions {
  seed: number;
  kpiLines?: boolean;
  onProgress?: (month: number) => void;
}

const clamp = (x: number, lo: number, hi: number) => (x < lo ? lo : x > hi ? hi : x);
const r1 = (x: number) => Math.round(x * 10) / 10;
const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** Poisson draw by inversion (means here are < 3). */
function poisson(r: Rng, mean: number): number {
  let k = 0;
  let p = Math.exp(-mean);
  let s = p;
  const u = r.next();
  while (u > s && k < 20) {
    k++;
    p = (p * mean) / k;
    s += p;
  }
  return k;
}

interface Generated {
  inputs: SchemeInputs;
  raters: Array<[RaterRelation, number, number]>; // relation, rater id, score
  sales: number | null; // 元, employee-level
  orderTotal: number | null; // 元, unit sales of e-commerce CS
  satisfaction: number | null; // 0–10
  accuracy: number | null; // fraction
  complaint: number;
}

function addRater(out: Generated, scores: Partial<Record<RaterRelation, number>>, rel: RaterRelation, id: number, score: number): void {
  const s = r1(clamp(score, 0, 100));
  scores[rel] = s;
  out.raters.push([rel, id, s]);
}

const LEVEL_STEP: Record<string, number> = { P1: 0, P2: 1, P3: 2, P4: 3, M1: 4, M2: 5, M3: 6 };

/**
 * One employee-month of raw facts. `p` is the latent monthly performance (≈ ability + noise);
 * every KPI is a noisy function of it, so scores, rater scores and outcomes correlate the way
 * they do in real data without being identical.
 */
function generate(company: DemoCompany, e: DemoEmployee, m: number, p: number, r: Rng): Generated {
  const role = e.role;
  const ou = company.units[e.unit]!;
  const lvl = LEVEL_STEP[e.level] ?? 1;
  const after2025 = m >= POLICY2_MONTH;
  const kpis: SchemeInputs['kpis'] = {};
  const out: Generated = { inputs: { kpis, monthlySalary: e.monthlySalary }, raters: [], sales: null, orderTotal: null, satisfaction: null, accuracy: null, complaint: 0 };

  // Raters: true conduct t; the supervisor adds the leniency of the unit they head.
  const t = clamp(72 + 9 * p, 20, 100);
  const sup = e.managerIdx;
  const supUnit = sup === null ? null : company.employees[sup]!.unit;
  const supBias = supUnit === null ? 0 : company.units[supUnit]!.leniency + ((sup! * 2654435761) % 5) - 2;
  const raterScores: Partial<Record<RaterRelation, number>> = {};
  const scheme = builtinScheme(DEFAULT_SCHEME_BY_ROLE[role]);
  const weights = scheme.raters?.weights ?? {};
  if (weights.supervisor && sup !== null) addRater(out, raterScores, 'supervisor', sup, t + supBias + 4 * r.normal());
  if (weights.indirect_supervisor && sup !== null) {
    const ind = company.employees[sup]!.managerIdx;
    if (ind !== null) addRater(out, raterScores, 'indirect_supervisor', ind, t + 5 * r.normal());
  }
  // ~15% of months have no peer rating (no colleague worked with them): the composite renormalises.
  if (weights.peer && r.chance(0.85)) {
    const mates = company.members[e.unit]!;
    const peer = mates[Math.floor(r.next() * mates.length)];
    if (peer !== undefined && peer !== e.idx) addRater(out, raterScores, 'peer', peer, t + 6 * r.normal());
  }
  if (weights.self) addRater(out, raterScores, 'self', e.idx, t + 4 + 4 * r.normal());
  if (weights.customer) addRater(out, raterScores, 'customer', -(1 + ((e.idx * 31 + m) % 997)), t + 7 * r.normal());
  out.inputs.raters = raterScores;

  const complaintProne = role !== 'sales' && role !== 'functional';
  if (complaintProne && r.chance(0.03 * Math.exp(-0.6 * p))) out.complaint = 1;

  switch (role) {
    case 'merchandiser': {
      const treatedPost = ou.id === TREATED_UNIT && m >= POLICY1_MONTH;
      const acc = r3(clamp(0.932 + 0.0006 * m + 0.016 * p + 0.012 * r.normal() + (treatedPost ? 0.04 : 0), 0.7, 0.999));
      const sat = r1(clamp(7.3 + 0.01 * m + 0.45 * p + 0.45 * r.normal() + (treatedPost ? 0.3 : 0), 3, 10));
      kpis.order_accuracy = { actual: acc, target: 0.98 };
      kpis.customer_satisfaction = { actual: sat, target: 8 };
      kpis.followup_efficiency = { actual: r1(clamp(10 * (1 - 0.06 * p + 0.08 * r.normal()), 5, 20)), target: 10 };
      kpis.cost_control = { actual: Math.max(0, r1(1.5 + 1.2 * p + 1.2 * r.normal())), target: null };
      out.accuracy = acc;
      out.satisfaction = sat;
      break;
    }
    case 'sales': {
      const target = 30 + 10 * lvl;
      const actual = r1(target * clamp(0.86 + 0.15 * p + 0.12 * r.normal(), 0.3, 1.8) * (after2025 ? 1.04 : 1));
      kpis.sales_achievement = { actual, target };
      kpis.new_clients = { actual: Math.max(0, Math.round(10 + 2.5 * p + 2 * r.normal())), target: 10 };
      kpis.dev_letters = { actual: Math.max(0, Math.round(20 + 4 * p + 4 * r.normal())), target: 20 };
      kpis.receivable_collection = { actual: r3(clamp(0.88 + 0.05 * p + 0.05 * r.normal(), 0.4, 1)), target: 0.95 };
      kpis.discipline = { actual: poisson(r, 0.25 * Math.exp(-0.5 * p)), target: 0 };
      const supScore = raterScores.supervisor ?? t;
      out.inputs.supervisorRatio = clamp(0.6 + ((supScore - 60) / 40) * 0.8, 0.6, 1.4);
      out.sales = actual * 10000;
      break;
    }
    case 'foreign_trade': {
      const deptTarget = 80;
      const personalTarget = 10 + 5 * lvl;
      const personal = r1(personalTarget * clamp(0.87 + 0.14 * p + 0.12 * r.normal(), 0.2, 1.8) * (after2025 ? 1.04 : 1));
      kpis.dept_net_profit = { actual: r1(deptTarget * clamp(0.9 + 0.05 * ou.strength + 0.04 * p + 0.05 * r.normal(), 0.5, 1.5)), target: deptTarget };
      kpis.personal_net_profit = { actual: personal, target: personalTarget };
      kpis.receivables = { actual: r3(clamp(0.87 + 0.05 * p + 0.05 * r.normal(), 0.4, 1)), target: 0.95 };
      kpis.team_collaboration = { actual: r1(clamp(3.5 + 0.5 * p + 0.4 * r.normal(), 1, 5)), target: 4.5 };
      kpis.discipline = { actual: poisson(r, 0.2 * Math.exp(-0.5 * p)), target: 0 };
      out.sales = personal * 10000 * 5; // net profit ≈ 20% of FOB value
      break;
    }
    case 'cs_ecommerce': {
      kpis.inquiry_conversion = { actual: r3(clamp(0.66 + 0.07 * p + 0.06 * r.normal(), 0.2, 0.98)), target: 0.75 };
      kpis.payment_rate = { actual: r3(clamp(0.88 + 0.04 * p + 0.04 * r.normal(), 0.5, 1)), target: 0.92 };
      kpis.order_value_ratio = { actual: r3(clamp(1.085 + 0.03 * p + 0.03 * r.normal(), 0.8, 1.4)), target: 1.12 };
      kpis.reply_rate = { actual: r3(clamp(0.975 + 0.012 * p + 0.012 * r.normal(), 0.85, 1)), target: 0.99 };
      kpis.response_time = { actual: Math.max(8, Math.round(38 - 7 * p + 7 * r.normal())), target: 30 };
      kpis.work_tasks = { actual: Math.max(0, Math.round(6 + 3 * p + 3 * r.normal())), target: 10 };
      kpis.attendance = { actual: poisson(r, 0.45 * Math.exp(-0.5 * p)), target: 0 };
      const orderTotal = roundMoney(150000 * Math.exp(0.25 * p + 0.2 * r.normal()) * (after2025 ? 1.04 : 1));
      out.inputs.orderTotal = orderTotal;
      out.orderTotal = orderTotal;
      break;
    }
    case 'cs_callcenter': {
      const sr = r3(clamp(0.88 + 0.05 * p + 0.05 * r.normal(), 0.5, 1));
      kpis.call_quality = { actual: poisson(r, 1.5 * Math.exp(-0.6 * p)), target: 0 };
      kpis.complaint_resolution = { actual: r3(clamp(0.95 + 0.025 * p + 0.025 * r.normal(), 0.7, 1)), target: 0.98 };
      kpis.callback_completion = { actual: r3(clamp(0.94 + 0.04 * p + 0.04 * r.normal(), 0.5, 1)), target: 1 };
      kpis.satisfaction_rate = { actual: sr, target: 0.95 };
      kpis.call_plan = { actual: Math.round(1800 * clamp(1 + 0.1 * p + 0.08 * r.normal(), 0.4, 1.5)), target: 1800 };
      out.satisfaction = sr * 10;
      break;
    }
    case 'key_account': {
      const target = 150 + 50 * lvl;
      const revenue = r1(target * clamp(0.85 + 0.13 * p + 0.12 * r.normal(), 0.3, 1.8) * (after2025 ? 1.04 : 1));
      const sat = r1(clamp(7.3 + 0.45 * p + 0.4 * r.normal(), 3, 10));
      kpis.account_revenue = { actual: revenue, target };
      kpis.account_churn = { actual: poisson(r, 0.12 * Math.exp(-0.6 * p)), target: 0 };
      kpis.visits = { actual: Math.max(0, Math.round(12 * clamp(1 + 0.12 * p + 0.1 * r.normal(), 0.2, 1.6))), target: 12 };
      kpis.customer_satisfaction = { actual: sat, target: 8 };
      out.sales = revenue * 10000;
      out.satisfaction = sat;
      break;
    }
    case 'functional': {
      kpis.duties = { actual: r3(clamp(0.88 + 0.04 * p + 0.04 * r.normal(), 0.5, 1)), target: 1 };
      kpis.work_plan = { actual: r3(clamp(0.86 + 0.045 * p + 0.045 * r.normal(), 0.5, 1)), target: 1 };
      kpis.internal_satisfaction = { actual: r1(clamp(3.7 + 0.35 * p + 0.3 * r.normal(), 1, 5)), target: 4.5 };
      kpis.attendance = { actual: poisson(r, 0.45 * Math.exp(-0.5 * p)), target: 0 };
      break;
    }
  }
  return out;
}

interface Scored {
  e: DemoEmployee;
  scheme: Scheme;
  inputs: SchemeInputs;
  result: SchemeResult;
  grade: Grade;
  coefficient: number;
  bonus: number | null;
}

/** Grade cap from the scheme's vetoes for an event count (used for forced grades and roll-ups). */
function capByVetoes(scheme: Scheme, grade: Grade, events: Record<string, number>): Grade {
  let g = grade;
  for (const v of scheme.vetoes) if ((events[v.event] ?? 0) >= v.threshold && isWorseGrade(v.capGrade, g)) g = v.capGrade;
  return g;
}

/**
 * From 2025-01 the company ranks within each org unit and hands out grades by the default
 * guideline (优10% 良20% 中50% 基本合格15% 不合格5%, Hamilton apportionment); ties go to the
 * lower employee number so the result is deterministic.
 */
export function forcedGrades(scores: ReadonlyArray<{ key: number; score: number }>): Map<number, Grade> {
  const seats = largestRemainder(scores.length, GRADES.map((g) => DEFAULT_GUIDELINE[g]));
  const order = [...scores].sort((a, b) => b.score - a.score || a.key - b.key);
  const out = new Map<number, Grade>();
  let k = 0;
  GRADES.forEach((g, gi) => {
    for (let s = 0; s < seats[gi]!; s++) out.set(order[k++]!.key, g);
  });
  return out;
}

export interface SimulationCounts {
  kpiLines: number;
  raterScores: number;
  assessments: number;
  metrics: number;
}

interface RollAcc {
  sum: number;
  n: number;
  complaints: number;
  scheme: Scheme;
  unit: number;
}

export async function simulate(company: DemoCompany, sink: DemoSink, options: SimulateOptions): Promise<SimulationCounts> {
  const { seed } = options;
  const withKpi = options.kpiLines ?? true;
  const counts: SimulationCounts = { kpiLines: 0, raterScores: 0, assessments: 0, metrics: 0 };
  const n = company.employees.length;
  const qtdComplaints = new Uint8Array(n);
  const quarterAcc: Array<RollAcc | undefined> = new Array(n);
  const yearAcc: Array<RollAcc | undefined> = new Array(n);
  const v2 = builtinScheme('merchandiser-v2');
  const treatedUnit = company.units.findIndex((u) => u.id === TREATED_UNIT);
  const nUnits = company.units.length;

  const emitRollups = (acc: Array<RollAcc | undefined>, period: number, forced: boolean, useVeto: boolean) => {
    const rows: Array<{ idx: number; a: RollAcc; score: number; grade: Grade }> = [];
    for (let i = 0; i < n; i++) {
      const a = acc[i];
      if (!a) continue;
      const score = roundHalfUp(a.sum / a.n, 2);
      rows.push({ idx: i, a, score, grade: gradeScore(a.scheme.gradeBands, score).grade });
    }
    if (forced) {
      for (let u = 0; u < nUnits; u++) {
        const inUnit = rows.filter((x) => x.a.unit === u);
        const g = forcedGrades(inUnit.map((x) => ({ key: x.idx, score: x.score })));
        for (const x of inUnit) x.grade = g.get(x.idx)!;
      }
    }
    for (const x of rows) {
      const grade = useVeto ? capByVetoes(x.a.scheme, x.grade, { complaint_exposure: x.a.complaints }) : x.grade;
      const e = company.employees[x.idx]!;
      // Roll-ups carry no bonus: money is paid monthly, a quarter/year figure would double count it.
      sink.assessment(x.idx, period, x.a.unit, ROLE_INDEX.get(e.role)!, SCHEME_INDEX.get(x.a.scheme.id)!, x.score, GRADES.indexOf(grade), coefficientFor(x.a.scheme.gradeBands, grade), null);
      counts.assessments++;
    }
    acc.fill(undefined);
  };

  for (let m = 0; m < MONTHS; m++) {
    if (m % 3 === 0) qtdComplaints.fill(0);
    const headcount = new Float64Array(nUnits);
    const leavers = new Float64Array(nUnits);
    const sales = new Float64Array(nUnits);
    const satSum = new Float64Array(nUnits);
    const satN = new Float64Array(nUnits);
    const accSum = new Float64Array(nUnits);
    const accN = new Float64Array(nUnits);
    const complaints = new Float64Array(nUnits);
    const scored: Scored[] = [];
    const mStart = monthStartDay(m);
    const mEnd = monthEndDay(m);

    for (const e of company.employees) {
      if (e.leaveDay !== null && e.leaveDay >= mStart && e.leaveDay <= mEnd) leavers[e.unit]! += 1;
      if (!activeIn(e, m)) continue;
      const r = streamFor(seed, 2, e.idx, m);
      const p = 0.85 * e.ability + 0.55 * r.normal() + 0.004 * m;
      const g = generate(company, e, m, p, r);
      qtdComplaints[e.idx]! += g.complaint;
      g.inputs.events = { complaint_exposure: qtdComplaints[e.idx]! };
      const scheme = e.role === 'merchandiser' && e.unit === treatedUnit && m >= POLICY1_MONTH ? v2 : builtinScheme(DEFAULT_SCHEME_BY_ROLE[e.role]);
      const result = evaluateScheme(scheme, g.inputs, { explain: false });
      if (withKpi)
        for (const l of result.lines) {
          sink.kpi(e.idx, m, KPI_INDEX.get(l.kpiCode)!, l.target, l.actual, roundHalfUp(l.points, 4), l.weight);
          counts.kpiLines++;
        }
      for (const [rel, id, s] of g.raters) {
        sink.rater(e.idx, m, id, REL_INDEX.get(rel)!, s);
        counts.raterScores++;
      }
      scored.push({ e, scheme, inputs: g.inputs, result, grade: result.grade, coefficient: result.coefficient, bonus: result.bonus?.amount ?? null });
      headcount[e.unit]! += 1;
      complaints[e.unit]! += g.complaint;
      if (g.sales !== null) {
        sales[e.unit]! += g.sales;
        sink.metric(null, e.idx, m, METRIC_INDEX.get('sales')!, roundMoney(g.sales));
        counts.metrics++;
      }
      if (g.orderTotal !== null) {
        sales[e.unit]! += g.orderTotal;
        sink.metric(null, e.idx, m, METRIC_INDEX.get('order_total')!, g.orderTotal);
        counts.metrics++;
      }
      if (g.complaint > 0) {
        sink.metric(null, e.idx, m, METRIC_INDEX.get('complaint_exposure')!, g.complaint);
        counts.metrics++;
      }
      if (g.satisfaction !== null) {
        satSum[e.unit]! += g.satisfaction;
        satN[e.unit]! += 1;
      }
      if (g.accuracy !== null) {
        accSum[e.unit]! += g.accuracy;
        accN[e.unit]! += 1;
      }
    }

    if (m >= POLICY2_MONTH) {
      for (let u = 0; u < nUnits; u++) {
        const inUnit = scored.filter((s) => s.e.unit === u);
        const forced = forcedGrades(inUnit.map((s) => ({ key: s.e.idx, score: s.result.score })));
        for (const s of inUnit) {
          const grade = capByVetoes(s.scheme, forced.get(s.e.idx)!, { complaint_exposure: qtdComplaints[s.e.idx]! });
          if (grade === s.grade) continue;
          s.grade = grade;
          s.coefficient = coefficientFor(s.scheme.gradeBands, grade);
          if (s.scheme.bonus.length) {
            const parts = computeBonus(s.scheme, { ...s.result, grade, coefficient: s.coefficient }, s.inputs, false);
            s.bonus = roundMoney(parts.reduce((a, x) => a + x.amount, 0));
          }
        }
      }
    }

    for (const s of scored) {
      const e = s.e;
      sink.assessment(e.idx, m, e.unit, ROLE_INDEX.get(e.role)!, SCHEME_INDEX.get(s.scheme.id)!, s.result.score, GRADES.indexOf(s.grade), s.coefficient, s.bonus);
      counts.assessments++;
      for (const acc of [quarterAcc, yearAcc]) {
        const a = acc[e.idx];
        if (a) {
          a.sum += s.result.score;
          a.n++;
          a.complaints = qtdComplaints[e.idx]!;
          a.scheme = s.scheme;
          a.unit = e.unit;
        } else acc[e.idx] = { sum: s.result.score, n: 1, complaints: qtdComplaints[e.idx]!, scheme: s.scheme, unit: e.unit };
      }
    }

    const metric = (u: number, name: DemoMetric, value: number) => {
      sink.metric(u, null, m, METRIC_INDEX.get(name)!, value);
      counts.metrics++;
    };
    for (let u = 0; u < nUnits; u++) {
      if (headcount[u] === 0) continue;
      metric(u, 'headcount', headcount[u]!);
      metric(u, 'turnover_rate', roundHalfUp(leavers[u]! / headcount[u]!, 6));
      metric(u, 'complaints', complaints[u]!);
      if (sales[u]! > 0) metric(u, 'sales', roundMoney(sales[u]!));
      if (satN[u]! > 0) metric(u, 'satisfaction', roundHalfUp(satSum[u]! / satN[u]!, 4));
      if (accN[u]! > 0) metric(u, 'order_accuracy', roundHalfUp((accSum[u]! / accN[u]!) * 100, 4));
    }

    if (m % 3 === 2) emitRollups(quarterAcc, quarterPeriodIndex(Math.floor(m / 3)), m >= POLICY2_MONTH, true);
    if (m % 12 === 11) emitRollups(yearAcc, yearPeriodIndex(Math.floor(m / 12)), m >= POLICY2_MONTH, false);
    await sink.endMonth(m);
    options.onProgress?.(m);
  }
  return counts;
}

export const roleOfIndex = (i: number): Role => ROLES[i]!;
