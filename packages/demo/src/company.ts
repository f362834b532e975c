import type { OrgUnitKind, Role } from '@perflens/core';
import { GIVEN_FEMALE, GIVEN_MALE, SURNAMES } from './names.ts';
import { streamFor } from './prng.ts';

export interface DemoOrgUnit {
  id: string;
  name: string;
  parentId: string | null;
  kind: OrgUnitKind;
  /** Role of the staff (heads of the two top units are functional managers). */
  role: Role;
  /** Share of the workforce. */
  share: number;
  /** Mean ability of the unit in SD units: departments differ so distributions differ. */
  strength: number;
  /** Head's systematic rating bias in points (some supervisors +6, some −5). */
  leniency: number;
}

/** Stable, short ids: saved filters, policies and tests refer to them. */
export const ORG_UNITS: readonly DemoOrgUnit[] = [
  { id: 'OU-ROOT', name: '绩效透镜示范公司', parentId: null, kind: 'company', role: 'functional', share: 0, strength: 0.2, leniency: 0 },
  { id: 'OU-SALES', name: '销售中心', parentId: 'OU-ROOT', kind: 'division', role: 'functional', share: 0, strength: 0.2, leniency: 1 },
  { id: 'OU-SALES-E', name: '华东销售区', parentId: 'OU-SALES', kind: 'department', role: 'sales', share: 0.13, strength: 0.3, leniency: 6 },
  { id: 'OU-SALES-S', name: '华南销售区', parentId: 'OU-SALES', kind: 'department', role: 'sales', share: 0.11, strength: 0, leniency: 0 },
  { id: 'OU-SALES-N', name: '华北销售区', parentId: 'OU-SALES', kind: 'department', role: 'sales', share: 0.09, strength: -0.3, leniency: -2 },
  { id: 'OU-FT', name: '外贸部', parentId: 'OU-ROOT', kind: 'department', role: 'foreign_trade', share: 0.08, strength: 0.1, leniency: 1 },
  { id: 'OU-MD1', name: '跟单一部', parentId: 'OU-ROOT', kind: 'department', role: 'merchandiser', share: 0.08, strength: 0, leniency: 0 },
  { id: 'OU-MD2', name: '跟单二部', parentId: 'OU-ROOT', kind: 'department', role: 'merchandiser', share: 0.08, strength: 0.1, leniency: 0 },
  { id: 'OU-ECS', name: '电商客服部', parentId: 'OU-ROOT', kind: 'department', role: 'cs_ecommerce', share: 0.12, strength: -0.1, leniency: 3 },
  { id: 'OU-CC', name: '呼叫中心', parentId: 'OU-ROOT', kind: 'department', role: 'cs_callcenter', share: 0.1, strength: -0.2, leniency: -5 },
  { id: 'OU-KA', name: '大客户部', parentId: 'OU-ROOT', kind: 'department', role: 'key_account', share: 0.05, strength: 0.3, leniency: -3 },
  { id: 'OU-FIN', name: '财务部', parentId: 'OU-ROOT', kind: 'department', role: 'functional', share: 0.04, strength: 0.2, leniency: 2 },
  { id: 'OU-HR', name: '人力资源部', parentId: 'OU-ROOT', kind: 'department', role: 'functional', share: 0.03, strength: 0.1, leniency: 0 },
  { id: 'OU-ADM', name: '行政部', parentId: 'OU-ROOT', kind: 'department', role: 'functional', share: 0.03, strength: -0.1, leniency: 5 },
  { id: 'OU-WH', name: '仓储物流部', parentId: 'OU-ROOT', kind: 'department', role: 'functional', share: 0.06, strength: -0.2, leniency: -4 },
];

export const TREATED_UNIT = 'OU-MD1';
export const CONTROL_UNIT = 'OU-MD2';

/** 36 months 2023-01 … 2025-12. Month index m: year 2023 + ⌊m/12⌋, month m % 12 + 1. */
export const MONTHS = 36;
export const FIRST_YEAR = 2023;
/** Month index of 2024-07 (merchandiser v2 in 跟单一部) and 2025-01 (forced distribution). */
export const POLICY1_MONTH = 18;
export const POLICY2_MONTH = 24;

export interface DemoEmployee {
  idx: number;
  id: string;
  name: string;
  unit: number;
  role: Role;
  level: string;
  gender: 'M' | 'F';
  birthYear: number;
  /** Days since 1970-01-01 (UTC). */
  hireDay: number;
  leaveDay: number | null;
  managerIdx: number | null;
  monthlySalary: number;
  ability: number;
  isHead: boolean;
}

export interface DemoCompany {
  units: readonly DemoOrgUnit[];
  employees: DemoEmployee[];
  headOf: number[];
  /** Employee indexes per unit, for peer raters. */
  members: number[][];
}

const DAY = 86_400_000;
export const dayOf = (y: number, m: number, d: number) => Math.floor(Date.UTC(y, m - 1, d) / DAY);
export const isoDay = (day: number) => new Date(day * DAY).toISOString().slice(0, 10);
export const monthStartDay = (m: number) => dayOf(FIRST_YEAR + Math.floor(m / 12), (m % 12) + 1, 1);
export const monthEndDay = (m: number) => monthStartDay(m + 1) - 1;
export const employeeId = (idx: number) => `E${String(idx + 1).padStart(6, '0')}`;

const BASE_SALARY: Record<Role, number> = {
  merchandiser: 5500,
  sales: 6000,
  foreign_trade: 7000,
  cs_ecommerce: 4500,
  cs_callcenter: 4200,
  key_account: 8000,
  functional: 6500,
};
const LEVEL_FACTOR: Record<string, number> = { P1: 0.8, P2: 1, P3: 1.25, P4: 1.55, M1: 2, M2: 2.6, M3: 3.5 };

/** Monthly leave hazard ≈ 1% (≈12%/year), higher for weaker staff and after forced ranking. */
export function leaveHazard(ability: number, month: number): number {
  return 0.0105 * Math.exp(-0.45 * ability) * (month >= POLICY2_MONTH ? 1.3 : 1);
}

export function buildCompany(count: number, seed: number): DemoCompany {
  const units = ORG_UNITS;
  const n = Math.max(count, units.length * 2);
  const cum: number[] = [];
  let acc = 0;
  for (const u of units) cum.push((acc += u.share));
  const employees: DemoEmployee[] = [];
  const headOf: number[] = units.map((_, i) => i);
  const windowStart = monthStartDay(0);
  const windowEnd = monthEndDay(MONTHS - 1);
  for (let idx = 0; idx < n; idx++) {
    const r = streamFor(seed, 1, idx);
    const isHead = idx < units.length;
    let unit = idx;
    if (!isHead) {
      const u = r.next() * acc;
      unit = cum.findIndex((c) => u < c);
      if (unit < 0) unit = units.length - 1;
    }
    const ou = units[unit]!;
    const role = ou.role;
    const femaleShare = role === 'cs_ecommerce' || role === 'cs_callcenter' ? 0.75 : role === 'sales' || role === 'foreign_trade' ? 0.35 : 0.5;
    const gender = r.chance(femaleShare) ? 'F' : 'M';
    const name = r.pick(SURNAMES) + (r.chance(0.6) ? r.pick(gender === 'F' ? GIVEN_FEMALE : GIVEN_MALE) : '') + r.pick(gender === 'F' ? GIVEN_FEMALE : GIVEN_MALE);
    const ability = ou.strength + r.normal() * 0.9 + (isHead ? 0.5 : 0);
    let hireDay: number;
    if (isHead) hireDay = dayOf(2010 + r.int(0, 9), r.int(1, 12), r.int(1, 28));
    else if (r.chance(0.74)) hireDay = dayOf(2012 + r.int(0, 10), r.int(1, 12), r.int(1, 28));
    else hireDay = windowStart + Math.floor(r.next() * (windowEnd - windowStart - 45));
    let leaveDay: number | null = null;
    if (!isHead) {
      for (let m = 0; m < MONTHS; m++) {
        if (monthEndDay(m) < hireDay + 60) continue; // nobody quits in the first two months here
        if (r.chance(leaveHazard(ability, m))) {
          leaveDay = monthStartDay(m) + r.int(0, 27);
          break;
        }
      }
    }
    const years = (windowStart - hireDay) / 365.25;
    const level = isHead ? (unit === 0 ? 'M3' : unit === 1 ? 'M2' : 'M1') : years < 2 ? 'P1' : years < 4 ? 'P2' : years < 7 ? 'P3' : 'P4';
    const age = 22 + Math.max(0, years) + r.int(0, 12) + (isHead ? 8 : 0);
    const salary = Math.round((BASE_SALARY[role] * LEVEL_FACTOR[level]! * (0.92 + r.next() * 0.16)) / 10) * 10;
    employees.push({
      idx,
      id: employeeId(idx),
      name,
      unit,
      role,
      level,
      gender,
      birthYear: Math.round(FIRST_YEAR - age),
      hireDay,
      leaveDay,
      managerIdx: null,
      monthlySalary: salary,
      ability,
      isHead,
    });
  }
  const indexOfUnit = new Map(units.map((u, i) => [u.id, i]));
  for (const e of employees) {
    const ou = units[e.unit]!;
    if (e.isHead) e.managerIdx = ou.parentId ? headOf[indexOfUnit.get(ou.parentId)!]! : null;
    else e.managerIdx = headOf[e.unit]!;
  }
  const members: number[][] = units.map(() => []);
  for (const e of employees) if (!e.isHead) members[e.unit]!.push(e.idx);
  return { units, employees, headOf, members };
}

/** Assessed in a month when employed on its 15th (joined by mid-month, not gone before it). */
export function activeIn(e: DemoEmployee, m: number): boolean {
  const mid = monthStartDay(m) + 14;
  return e.hireDay <= mid && (e.leaveDay === null || e.leaveDay > mid);
}

export interface DemoPeriod {
  id: string;
  kind: 'month' | 'quarter' | 'year';
  start: string;
  end: string;
}

/** Months 0–35, then quarters 36–47, then years 48–50 (the staging tables store these indexes). */
export function demoPeriods(): DemoPeriod[] {
  const out: DemoPeriod[] = [];
  for (let m = 0; m < MONTHS; m++) {
    const y = FIRST_YEAR + Math.floor(m / 12);
    out.push({ id: `${y}-${String((m % 12) + 1).padStart(2, '0')}`, kind: 'month', start: isoDay(monthStartDay(m)), end: isoDay(monthEndDay(m)) });
  }
  for (let q = 0; q < MONTHS / 3; q++) {
    const y = FIRST_YEAR + Math.floor(q / 4);
    out.push({ id: `${y}-Q${(q % 4) + 1}`, kind: 'quarter', start: isoDay(monthStartDay(q * 3)), end: isoDay(monthEndDay(q * 3 + 2)) });
  }
  for (let k = 0; k < MONTHS / 12; k++)
    out.push({ id: String(FIRST_YEAR + k), kind: 'year', start: isoDay(monthStartDay(k * 12)), end: isoDay(monthEndDay(k * 12 + 11)) });
  return out;
}
export const quarterPeriodIndex = (q: number) => MONTHS + q;
export const yearPeriodIndex = (y: number) => MONTHS + MONTHS / 3 + y;
