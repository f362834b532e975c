import { ORG_UNIT_KINDS, RATER_RELATIONS, ROLES, type ImportTable } from '../domain.ts';

/**
 * What each import target accepts. The web app renders its mapping screen from these, and the
 * warehouse importer compiles validation SQL from them, so both always agree on the contract.
 */
/**
 * `role`: a job title. Matched against the roles table (codes, names, aliases; the seed roles'
 * Chinese and English spellings are aliases there), and a title that matches none becomes a
 * role of its own: never an invalid value.
 */
export type FieldType = 'string' | 'int' | 'number' | 'date' | 'enum' | 'grade' | 'period' | 'role';

export interface FieldDef {
  /** Canonical name (the column in the target table, or a flat-sheet concept). */
  name: string;
  type: FieldType;
  required: boolean;
  label: { zh: string; en: string };
  /** Header spellings seen in real HR exports, zh and en; matched case/space-insensitively. */
  synonyms: string[];
  min?: number;
  max?: number;
  /** For enum fields: allowed codes, and the spellings each code accepts besides itself. */
  values?: readonly string[];
  valueSynonyms?: Record<string, string[]>;
  /** Must name an existing row (or one in the same file, for self references). */
  references?: 'org_units' | 'employees' | 'periods';
  /** Part of the duplicate-detection key of the table. */
  key?: boolean;
  /** Filled by the importer when neither mapped nor given as a constant. */
  defaultValue?: string;
}

export const FLAT_TABLE = 'flat' as const;
export const IMPORT_TARGETS = ['org_units', 'employees', 'periods', 'kpi_results', 'rater_scores', 'assessments', 'metrics', 'policies', FLAT_TABLE] as const;
export type ImportTarget = ImportTable | typeof FLAT_TABLE;

/** Role spellings used in HR files; the codes and labels from domain.ts are accepted as well. */
export const ROLE_SYNONYMS: Record<(typeof ROLES)[number], string[]> = {
  merchandiser: ['跟单员', '跟单', '业务跟单', '订单跟单', 'Merchandiser', 'MD'],
  sales: ['销售', '业务员', '销售员', '销售/业务员', '销售代表', '销售专员', '业务代表', 'Sales', 'Salesperson', 'Sales Rep'],
  foreign_trade: ['外贸业务员', '外贸', '外贸销售', '外贸专员', 'Foreign-trade sales', 'Foreign trade', 'Export sales'],
  cs_ecommerce: ['客服', '电商客服', '网店客服', '在线客服', '淘宝客服', 'E-commerce customer service', 'Customer service', 'CS'],
  cs_callcenter: ['呼叫中心客服', '呼叫中心', '话务员', '电话客服', '坐席', 'Call-centre agent', 'Call center agent', 'Call centre'],
  key_account: ['大客户服务', '大客户', '大客户经理', '大客户专员', 'Key-account service', 'Key account', 'KAM'],
  functional: ['职能部门', '职能', '职能人员', '行政', '人事', '财务', 'Functional staff', 'Functional', 'Admin'],
};

const RELATION_SYNONYMS: Record<(typeof RATER_RELATIONS)[number], string[]> = {
  self: ['自评', '本人', '自我评价', 'Self'],
  peer: ['互评', '同事', '同级', '同事评价', 'Peer'],
  supervisor: ['上级', '直接上级', '主管', '上级评价', '直属上级', 'Supervisor', 'Manager'],
  indirect_supervisor: ['间接上级', '隔级上级', '上上级', 'Indirect supervisor'],
  customer: ['客户', '客户评价', 'Customer', 'Client'],
};

const KIND_SYNONYMS: Record<(typeof ORG_UNIT_KINDS)[number], string[]> = {
  company: ['公司', '集团', 'Company'],
  division: ['事业部', '中心', '分公司', 'Division'],
  department: ['部门', '部', 'Department'],
  team: ['小组', '组', '团队', '班组', 'Team'],
};

// Shared field shapes: the same concept carries the same synonyms in every table.
const employeeId = (required = true): FieldDef => ({
  name: 'employee_id', type: 'string', required, references: 'employees', key: true,
  label: { zh: '员工编号', en: 'Employee ID' },
  synonyms: ['员工编号', '工号', '员工工号', '员工ID', '职工编号', '人员编号', '编号', 'Employee ID', 'EmployeeID', 'Employee Number', 'Employee No', 'emp_no', 'emp_id', 'staff_id', 'Staff No', 'Staff ID', 'Worker ID', 'Personnel number', 'ID'],
});
const periodId = (name = 'period_id'): FieldDef => ({
  name, type: 'period', required: true, references: 'periods', key: true,
  label: { zh: '考核期间', en: 'Period' },
  synonyms: ['考核期间', '考核月份', '考核周期', '考核期', '考核年度', '考核季度', '期间', '月份', '年月', '考核年月', '季度', '年度', 'Period', 'Month', 'period', 'Assessment period', 'Review period', 'Review cycle', 'Appraisal period'],
});
const score = (required: boolean): FieldDef => ({
  name: 'score', type: 'number', required, min: 0, max: 150,
  label: { zh: '绩效得分', en: 'Score' },
  synonyms: ['绩效得分', '考核得分', '总分', '得分', '分数', '综合得分', '最终得分', '绩效分数', 'Score', 'Total score', 'Final score', 'Points'],
});
const grade: FieldDef = {
  name: 'grade', type: 'grade', required: false,
  label: { zh: '绩效等级', en: 'Grade' },
  synonyms: ['绩效等级', '考核等级', '等级', '评级', '考核结果', '绩效评级', 'Grade', 'Rating', 'Performance Rating', 'Performance grade', 'Review rating', 'Overall rating', 'Level grade'],
};
const roleField = (required: boolean): FieldDef => ({
  name: 'role', type: 'role', required,
  label: { zh: '岗位', en: 'Role' },
  synonyms: ['岗位', '职位', '岗位名称', '岗位类别', '职务', '工种', 'Role', 'Position', 'Job', 'Job title', 'Job role', 'JobRole', 'Title', 'Job function'],
});
const orgUnitId = (required: boolean, key = false): FieldDef => ({
  name: 'org_unit_id', type: 'string', required, references: 'org_units', key,
  label: { zh: '部门编号', en: 'Department ID' },
  synonyms: ['部门编号', '部门ID', '部门代码', '组织编号', 'Org unit ID', 'Department ID', 'dept_id', 'org_unit_id'],
});

export const IMPORT_FIELDS: Record<ImportTarget, FieldDef[]> = {
  org_units: [
    { ...orgUnitId(true, true), name: 'id', references: undefined },
    { name: 'name', type: 'string', required: true, label: { zh: '部门名称', en: 'Name' }, synonyms: ['部门名称', '部门', '名称', '组织名称', 'Department', 'Name', 'Department name'] },
    { name: 'parent_id', type: 'string', required: false, references: 'org_units', label: { zh: '上级部门编号', en: 'Parent ID' }, synonyms: ['上级部门编号', '上级部门', '上级编号', '父部门', 'Parent', 'Parent ID', 'parent_id'] },
    { name: 'kind', type: 'enum', required: false, values: ORG_UNIT_KINDS, valueSynonyms: KIND_SYNONYMS, defaultValue: 'department', label: { zh: '类型', en: 'Kind' }, synonyms: ['类型', '组织类型', '层级', 'Kind', 'Type'] },
  ],
  employees: [
    { ...employeeId(), name: 'id', references: undefined },
    { name: 'name', type: 'string', required: true, label: { zh: '姓名', en: 'Name' }, synonyms: ['姓名', '员工姓名', '名字', 'Name', 'Employee name', 'Full name'] },
    orgUnitId(true),
    roleField(true),
    { name: 'level', type: 'string', required: false, label: { zh: '职级', en: 'Level' }, synonyms: ['职级', '级别', '层级', 'Level', 'Grade level'] },
    { name: 'hire_date', type: 'date', required: false, label: { zh: '入职日期', en: 'Hire date' }, synonyms: ['入职日期', '入职时间', '到岗日期', 'Hire date', 'Start date', 'Joined'] },
    { name: 'leave_date', type: 'date', required: false, label: { zh: '离职日期', en: 'Leave date' }, synonyms: ['离职日期', '离职时间', 'Leave date', 'Termination date', 'End date'] },
    { name: 'manager_id', type: 'string', required: false, references: 'employees', label: { zh: '直接上级工号', en: 'Manager ID' }, synonyms: ['直接上级工号', '上级工号', '直接上级', '上级', 'Manager', 'Manager ID', 'manager_id'] },
    { name: 'gender', type: 'string', required: false, label: { zh: '性别', en: 'Gender' }, synonyms: ['性别', 'Gender', 'Sex'] },
    { name: 'birth_year', type: 'int', required: false, min: 1900, max: 2100, label: { zh: '出生年份', en: 'Birth year' }, synonyms: ['出生年份', '出生年', 'Birth year', 'Year of birth'] },
    { name: 'monthly_salary', type: 'number', required: false, min: 0, max: 10_000_000, label: { zh: '月薪', en: 'Monthly salary' }, synonyms: ['月薪', '月工资', '基本工资', '工资', 'Monthly salary', 'Salary'] },
  ],
  periods: [{ ...periodId('id'), references: undefined }],
  kpi_results: [
    employeeId(),
    periodId(),
    { name: 'kpi_code', type: 'string', required: true, key: true, label: { zh: '指标', en: 'KPI' }, synonyms: ['指标', '指标编码', '指标代码', '考核指标', 'KPI', 'KPI code', 'Indicator', 'Metric'] },
    { name: 'target', type: 'number', required: false, label: { zh: '目标值', en: 'Target' }, synonyms: ['目标值', '目标', '计划值', 'Target'] },
    { name: 'actual', type: 'number', required: false, label: { zh: '实际值', en: 'Actual' }, synonyms: ['实际值', '实际', '完成值', '实际完成', 'Actual'] },
    { ...score(false), synonyms: ['指标得分', '得分', '分数', 'Score', 'KPI score'] },
    { name: 'weight', type: 'number', required: false, min: 0, max: 100, label: { zh: '权重', en: 'Weight' }, synonyms: ['权重', '权重(%)', '权重%', '比重', 'Weight', 'Weight %'] },
  ],
  rater_scores: [
    employeeId(),
    periodId(),
    { name: 'rater_id', type: 'string', required: true, key: true, label: { zh: '评分人', en: 'Rater' }, synonyms: ['评分人', '评分人工号', '评价人', '考核人', 'Rater', 'Rater ID', 'Reviewer'] },
    { name: 'relation', type: 'enum', required: true, key: true, values: RATER_RELATIONS, valueSynonyms: RELATION_SYNONYMS, label: { zh: '评价关系', en: 'Relation' }, synonyms: ['评价关系', '关系', '评分类型', '评价类型', 'Relation', 'Relationship', 'Rater type'] },
    score(true),
  ],
  assessments: [
    employeeId(),
    periodId(),
    // Usually absent from a results sheet: the importer takes them from the employee record.
    orgUnitId(false),
    roleField(false),
    { name: 'scheme_id', type: 'string', required: false, label: { zh: '考核方案', en: 'Scheme' }, synonyms: ['考核方案', '方案', '方案编号', 'Scheme', 'Scheme ID'] },
    score(false),
    grade,
    { name: 'coefficient', type: 'number', required: false, min: 0, max: 10, label: { zh: '绩效系数', en: 'Coefficient' }, synonyms: ['绩效系数', '系数', '奖金系数', 'Coefficient', 'Factor'] },
    { name: 'bonus', type: 'number', required: false, min: 0, max: 100_000_000, label: { zh: '绩效奖金', en: 'Bonus' }, synonyms: ['绩效奖金', '奖金', '绩效工资', 'Bonus'] },
  ],
  metrics: [
    { ...orgUnitId(false, true) },
    { ...employeeId(false) },
    periodId(),
    { name: 'metric', type: 'string', required: true, key: true, label: { zh: '指标名称', en: 'Metric' }, synonyms: ['指标名称', '指标', '度量', 'Metric', 'Measure'] },
    { name: 'value', type: 'number', required: true, label: { zh: '数值', en: 'Value' }, synonyms: ['数值', '值', '金额', 'Value', 'Amount'] },
  ],
  policies: [
    { name: 'id', type: 'string', required: true, key: true, label: { zh: '政策编号', en: 'Policy ID' }, synonyms: ['政策编号', '编号', 'Policy ID', 'ID'] },
    { name: 'name', type: 'string', required: true, label: { zh: '政策名称', en: 'Name' }, synonyms: ['政策名称', '名称', 'Policy', 'Name'] },
    { name: 'description', type: 'string', required: false, label: { zh: '说明', en: 'Description' }, synonyms: ['说明', '描述', '备注', 'Description', 'Notes'] },
    { name: 'effective_from', type: 'date', required: true, label: { zh: '生效日期', en: 'Effective from' }, synonyms: ['生效日期', '生效时间', '实施日期', 'Effective from', 'Effective date'] },
    { name: 'scope_org_unit_ids', type: 'string', required: false, label: { zh: '适用部门编号', en: 'Scope departments' }, synonyms: ['适用部门编号', '适用部门', '适用范围', 'Scope', 'Departments'] },
    { name: 'scope_roles', type: 'string', required: false, label: { zh: '适用岗位', en: 'Scope roles' }, synonyms: ['适用岗位', 'Roles', 'Scope roles'] },
    { name: 'scheme_before', type: 'string', required: false, label: { zh: '原方案', en: 'Scheme before' }, synonyms: ['原方案', '变更前方案', 'Scheme before'] },
    { name: 'scheme_after', type: 'string', required: false, label: { zh: '新方案', en: 'Scheme after' }, synonyms: ['新方案', '变更后方案', 'Scheme after'] },
  ],
  flat: [
    { ...employeeId(), references: undefined },
    { name: 'name', type: 'string', required: false, label: { zh: '姓名', en: 'Name' }, synonyms: ['姓名', '员工姓名', '名字', 'Name', 'Employee name', 'Full name'] },
    { name: 'department', type: 'string', required: true, label: { zh: '部门', en: 'Department' }, synonyms: ['部门', '所属部门', '部门名称', '所在部门', '科室', 'Department', 'Dept', 'Team'] },
    roleField(true),
    { ...periodId('period'), references: undefined },
    // A score, a grade or both (checked in the importer): with a score alone the grade follows
    // from the bands and is marked as derived; with a grade alone the grade analyses work.
    score(false),
    grade,
    // The employee's attributes (fairness by gender, age and tenure) and the manager who rated
    // them (rater leniency) can ride along in the same sheet.
    { name: 'gender', type: 'string', required: false, label: { zh: '性别', en: 'Gender' }, synonyms: ['性别', 'Gender', 'Sex'] },
    { name: 'birth_year', type: 'int', required: false, min: 1900, max: 2100, label: { zh: '出生年份', en: 'Birth year' }, synonyms: ['出生年份', '出生年', 'Birth year', 'Year of birth'] },
    { name: 'age', type: 'int', required: false, min: 14, max: 100, label: { zh: '年龄', en: 'Age' }, synonyms: ['年龄', 'Age'] },
    { name: 'hire_date', type: 'date', required: false, label: { zh: '入职日期', en: 'Hire date' }, synonyms: ['入职日期', '入职时间', '到岗日期', 'Hire date', 'Date of hire', 'Start date', 'Joined', 'DateofHire'] },
    { name: 'level', type: 'string', required: false, label: { zh: '职级', en: 'Level' }, synonyms: ['职级', '级别', 'Level', 'Job level', 'Grade level'] },
    { name: 'manager_id', type: 'string', required: false, label: { zh: '上级工号', en: 'Manager ID' }, synonyms: ['直接上级工号', '上级工号', '评分人工号', 'Manager ID', 'ManagerID', 'Supervisor ID', 'Reviewer ID'] },
    { name: 'manager_name', type: 'string', required: false, label: { zh: '上级姓名', en: 'Manager name' }, synonyms: ['直接上级', '上级', '上级姓名', '直属上级', '评分人', 'Manager', 'Manager name', 'ManagerName', 'Supervisor', 'Reviewer'] },
  ],
};

export function fieldsOf(target: ImportTarget): FieldDef[] {
  return IMPORT_FIELDS[target];
}

/** Fields whose combination must be unique per table (the duplicate policy applies to these). */
export function keyFieldsOf(target: ImportTarget): string[] {
  return IMPORT_FIELDS[target].filter((f) => f.key).map((f) => f.name);
}
