import type { Visibility } from '@perflens/core';

/**
 * Server-side removal of what a role may not see, applied to every procedure's output before it
 * is sent (never hidden by CSS). Rules are by field meaning, recognised by key:
 * - a person's name (`name` beside an `employeeId`, `employeeName`, `raterName`) becomes their
 *   code when names are masked;
 * - personal pay (`bonus`, `coefficient` and their variants beside an `employeeId` or `raterId`)
 *   is removed without pay visibility; totals by unit are aggregates and stay;
 * - salary (`salary`, `monthlySalary` … anywhere) is removed without salary visibility, and so
 *   is the salary figure inside explanation text ("monthly salary 11460").
 */
const PAY_KEY = /bonus|coefficient|payout/i;
const SALARY_KEY = /salary/i;
const SALARY_TEXT = /(月工资|monthly salary)\s*[-\d,.]+/gi;

export function maskOutput<T>(value: T, v: Visibility): T {
  if (v.names && v.pay && v.salary) return value;
  return walk(value, v) as T;
}

function walk(x: unknown, v: Visibility): unknown {
  if (typeof x === 'string') return v.salary ? x : x.replace(SALARY_TEXT, (_m, w: string) => `${w} ***`);
  if (Array.isArray(x)) return x.map((e) => walk(e, v));
  if (x === null || typeof x !== 'object') return x;
  const o = x as Record<string, unknown>;
  const person = typeof o.employeeId === 'string' || typeof o.raterId === 'string';
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(o)) {
    if (!v.salary && SALARY_KEY.test(k)) continue;
    if (!v.pay && person && PAY_KEY.test(k)) continue;
    if (!v.names) {
      if (k === 'name' && typeof o.employeeId === 'string') { out[k] = o.employeeId; continue; }
      if (k === 'employeeName') { out[k] = typeof o.employeeId === 'string' ? o.employeeId : null; continue; }
      if (k === 'raterName') { out[k] = typeof o.raterId === 'string' ? o.raterId : null; continue; }
    }
    out[k] = walk(val, v);
  }
  return out;
}
