import type { DuckDBConnection } from '@duckdb/node-api';
import { BilingualError, withNearMatches, type CreationPlan } from '@perflens/core';
import { newEmployeesOf, type ImportEmployeeSource } from '../queries/import-new-employees.ts';
import { newOrgUnitsOf, type ImportUnitSource } from '../queries/import-new-org-units.ts';

/**
 * What an import creates besides its own rows (a flat sheet's departments and employees, the org
 * units a metrics file names with createMissing), worked out the same way for the preview (over
 * the file) and the run (over the staged rows), so the list the user confirmed is the list checked.
 */

/** Employees listed by name; the rest are counted (a first import may bring 200,000). */
export const EMPLOYEE_SAMPLE = 200;

export async function planCreation(
  conn: DuckDBConnection,
  what: { units: { src: ImportUnitSource; by: 'name' | 'id' } | null; employees: ImportEmployeeSource | null },
): Promise<CreationPlan> {
  const units = what.units ? await newOrgUnitsOf(conn, what.units.src, what.units.by) : { fresh: [], existing: [] };
  const employees = what.employees ? await newEmployeesOf(conn, what.employees, EMPLOYEE_SAMPLE) : { employees: [], total: 0 };
  return { orgUnits: withNearMatches(units.fresh, units.existing), employees: employees.employees, employeeCount: employees.total };
}

const UNITS_NAMED = 10;
const EMPLOYEES_NAMED = 5;

/** The plan in words, for the refusal below and the CLI. */
export function describePlan(plan: CreationPlan, column: string | null = null): { zh: string; en: string } {
  const shown = plan.orgUnits.slice(0, UNITS_NAMED);
  const unitZh = shown.map((u) => {
    const notes = [
      ...(u.firstRow !== null ? [`第 ${u.firstRow} 行起`] : []),
      ...(u.similar ? [`与${u.similar.existing ? '现有部门' : '文件中的'}“${u.similar.name}”相近，是否写错？`] : []),
    ];
    return `“${u.name}”${notes.length ? `（${notes.join('；')}）` : ''}`;
  });
  const unitEn = shown.map((u) => {
    const notes = [
      ...(u.firstRow !== null ? [`from row ${u.firstRow}`] : []),
      ...(u.similar ? [`close to ${u.similar.existing ? 'the existing' : 'the file\'s'} "${u.similar.name}" — a typo?`] : []),
    ];
    return `"${u.name}"${notes.length ? ` (${notes.join('; ')})` : ''}`;
  });
  const moreUnits = plan.orgUnits.length - shown.length;
  const people = plan.employees.slice(0, EMPLOYEES_NAMED).map((e) => (e.name && e.name !== e.id ? `${e.id} ${e.name}` : e.id));
  const morePeople = plan.employeeCount > people.length;
  const zh: string[] = [];
  const en: string[] = [];
  if (plan.orgUnits.length) {
    zh.push(`${plan.orgUnits.length} 个部门${column ? `（「${column}」列）` : ''}：${unitZh.join('、')}${moreUnits > 0 ? ` 等` : ''}`);
    en.push(`${plan.orgUnits.length} department${plan.orgUnits.length === 1 ? '' : 's'}${column ? ` (column "${column}")` : ''}: ${unitEn.join(', ')}${moreUnits > 0 ? `, and ${moreUnits} more` : ''}`);
  }
  if (plan.employeeCount) {
    zh.push(`${plan.employeeCount} 名员工（${people.join('、')}${morePeople ? ' 等' : ''}）`);
    en.push(`${plan.employeeCount} employee${plan.employeeCount === 1 ? '' : 's'} (${people.join(', ')}${morePeople ? ', …' : ''})`);
  }
  return { zh: zh.join('；以及 '), en: en.join('; and ') };
}

/**
 * An import that would create org units or employees the caller did not confirm. Nothing has been
 * written (the check runs inside the import's transaction, before its first write).
 */
export class CreationNotConfirmedError extends BilingualError {
  constructor(
    readonly fileName: string,
    readonly plan: CreationPlan,
    /** The file's header naming the units (null when they came from a constant). */
    column: string | null = null,
    // Worded as the Data page's checkbox (locales data.creates.confirm) and the CLI's flag.
    how: { zh: string; en: string } = {
      zh: '在数据页勾选“我已核对以上名称，确认新建”，或命令行加 --create-new',
      en: 'tick "I have checked these names: create them" on the Data page, or add --create-new on the command line',
    },
  ) {
    const what = describePlan(plan, column);
    super(
      `${fileName}：导入会新建 ${what.zh}。未写入任何数据：请核对这些名称（写错的请在文件中改正），确认无误后再确认新建（${how.zh}）`,
      `${fileName}: the import would create ${what.en}. Nothing was written: check these names (correct any typo in the file), then confirm creating them (${how.en})`,
    );
  }
}
