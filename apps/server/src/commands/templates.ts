import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { IMPORT_FIELDS, type ImportTarget } from '@perflens/core';

/**
 * Example rows for the import templates, keyed by field name. One consistent little company,
 * so importing the templates in TEMPLATE_ORDER into an empty database succeeds (a test checks it).
 */
const EXAMPLES: Record<ImportTarget, Array<Record<string, string>>> = {
  org_units: [
    { id: 'HQ', name: '示例公司', parent_id: '', kind: '公司' },
    { id: 'MD1', name: '跟单一部', parent_id: 'HQ', kind: '部门' },
  ],
  employees: [
    { id: 'E001', name: '王芳', org_unit_id: 'MD1', role: '跟单员', level: 'P3', hire_date: '2021-04-01', leave_date: '', manager_id: 'E002', gender: '女', birth_year: '1992', monthly_salary: '5000' },
    { id: 'E002', name: '李强', org_unit_id: 'MD1', role: '跟单员', level: 'M1', hire_date: '2018-09-15', leave_date: '', manager_id: '', gender: '男', birth_year: '1985', monthly_salary: '9000' },
  ],
  periods: [{ id: '2024-03' }, { id: '2024-Q1' }],
  kpi_results: [
    { employee_id: 'E001', period_id: '2024-03', kpi_code: 'order_accuracy', target: '98', actual: '99.2', score: '100', weight: '30' },
    { employee_id: 'E001', period_id: '2024-03', kpi_code: 'customer_satisfaction', target: '9', actual: '8.6', score: '80', weight: '30' },
  ],
  rater_scores: [
    { employee_id: 'E001', period_id: '2024-03', rater_id: 'E002', relation: '上级', score: '86' },
    { employee_id: 'E001', period_id: '2024-03', rater_id: 'E001', relation: '自评', score: '90' },
  ],
  assessments: [
    { employee_id: 'E001', period_id: '2024-03', org_unit_id: 'MD1', role: '跟单员', scheme_id: 'merchandiser-v1', score: '80', grade: '中', coefficient: '1.0', bonus: '4000' },
  ],
  metrics: [
    { org_unit_id: 'MD1', employee_id: '', period_id: '2024-03', metric: 'order_accuracy', value: '97.8' },
    { org_unit_id: 'MD1', employee_id: '', period_id: '2024-03', metric: 'satisfaction', value: '8.7' },
  ],
  policies: [
    { id: 'P-MD-2024', name: '跟单员奖金新办法', description: '质量绩效奖金加权', effective_from: '2024-07-01', scope_org_unit_ids: 'MD1', scope_roles: '', scheme_before: 'merchandiser-v1', scheme_after: 'merchandiser-v2' },
  ],
  flat: [
    { employee_id: 'F001', name: '赵敏', department: '华东销售区', role: '销售', period: '2024年3月', score: '88.5', grade: '良' },
    { employee_id: 'F002', name: '钱伟', department: '呼叫中心', role: '呼叫中心客服', period: '2024年3月', score: '72', grade: '中' },
  ],
};

/** Order that satisfies references (units before employees, periods before results). */
export const TEMPLATE_ORDER: ImportTarget[] = ['org_units', 'employees', 'periods', 'kpi_results', 'rater_scores', 'assessments', 'metrics', 'policies', 'flat'];

const csvCell = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** Template CSV text: headers are the Chinese labels (what an HR export looks like), UTF-8 with BOM for Excel. */
export function templateCsv(table: ImportTarget): string {
  const fields = IMPORT_FIELDS[table];
  const lines = [fields.map((f) => f.label.zh), ...EXAMPLES[table].map((row) => fields.map((f) => row[f.name] ?? ''))];
  return '\uFEFF' + lines.map((l) => l.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

export function writeTemplates(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  return TEMPLATE_ORDER.map((t) => {
    const file = join(dir, `${t}.csv`);
    writeFileSync(file, templateCsv(t));
    return file;
  });
}

export function registerTemplates(program: Command): void {
  program
    .command('templates')
    .description('write one import template CSV per table (Chinese headers, an example row) into a folder')
    .option('--out <dir>', 'folder', 'data/templates')
    .action((opts: { out: string }) => {
      for (const f of writeTemplates(opts.out)) process.stdout.write(`${f}\n`);
    });
}
