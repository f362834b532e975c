/**
 * Who may do what (issue: who may see what). Every tRPC procedure declares one permission; a
 * caller whose role lacks it is refused with 403, and a procedure that declares none is refused
 * for everyone (default deny, checked by a test over the whole router).
 *
 * Roles:
 * - admin: users and settings (and everything HR may do, so a small company needs one account).
 * - hr: everything on data: import, calibrate, policies, schemes, roles.
 * - executive: reads everything and the policy and report pages; no personal pay figures.
 * - analyst: reads, simulates, saves scenarios; people are shown by code, names masked.
 * - manager: reads only their org subtrees: their people by name, their units' distributions.
 * - viewer: aggregates only; groups smaller than the configured minimum are suppressed.
 */
export const USER_ROLES = ['admin', 'hr', 'executive', 'analyst', 'manager', 'viewer'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export const PERMISSIONS = [
  /** Counts, distributions and other aggregates (small groups suppressed for viewers). */
  'read.aggregate',
  /** Rows about identifiable people: employee lists, drill-downs, rater tables. */
  'read.people',
  /** Calibration analyses and sessions (reading). */
  'calibration.read',
  'calibration.write',
  /** Policies and their effect. */
  'policy.read',
  'policy.write',
  /** Schemes, simulation and scenarios. */
  'scheme.read',
  'scheme.write',
  'simulation.run',
  'scenario.write',
  /** Imports, mappings, roles. */
  'data.import',
  'data.roles',
  /** Reports and spreadsheet exports. */
  'export',
  /** Users, tokens of others, settings, the audit trail. */
  'admin.users',
  'admin.audit',
  /** Every signed-in user: their own session, password and tokens. */
  'self',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const ALL: readonly Permission[] = PERMISSIONS;
export const ROLE_PERMISSIONS: Record<UserRole, readonly Permission[]> = {
  admin: ALL,
  hr: ALL.filter((p) => p !== 'admin.users'),
  executive: ['read.aggregate', 'read.people', 'calibration.read', 'policy.read', 'scheme.read', 'export', 'self'],
  analyst: ['read.aggregate', 'read.people', 'calibration.read', 'policy.read', 'scheme.read', 'simulation.run', 'scenario.write', 'export', 'self'],
  manager: ['read.aggregate', 'read.people', 'export', 'self'],
  viewer: ['read.aggregate', 'self'],
};

export function can(role: UserRole, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}

/** What a role sees of a person: names, personal pay (bonus, coefficient), salary. */
export interface Visibility {
  names: boolean;
  pay: boolean;
  salary: boolean;
  /** Only org subtrees the user is scoped to. */
  scoped: boolean;
  /** Groups smaller than the minimum are suppressed. */
  suppressSmallGroups: boolean;
}

export const ROLE_VISIBILITY: Record<UserRole, Visibility> = {
  admin: { names: true, pay: true, salary: true, scoped: false, suppressSmallGroups: false },
  hr: { names: true, pay: true, salary: true, scoped: false, suppressSmallGroups: false },
  // Executives judge policies on aggregates: bonus cost by unit, not one person's pay.
  executive: { names: true, pay: false, salary: false, scoped: false, suppressSmallGroups: false },
  // Analysts simulate bonus schemes, so they see bonus figures, but by employee code only.
  analyst: { names: false, pay: true, salary: false, scoped: false, suppressSmallGroups: false },
  manager: { names: true, pay: false, salary: false, scoped: true, suppressSmallGroups: false },
  viewer: { names: false, pay: false, salary: false, scoped: true, suppressSmallGroups: true },
};

export const ROLE_LABELS_AUTH: Record<UserRole, { zh: string; en: string }> = {
  admin: { zh: '系统管理员', en: 'Administrator' },
  hr: { zh: '人力资源', en: 'HR' },
  executive: { zh: '高管', en: 'Executive' },
  analyst: { zh: '分析师', en: 'Analyst' },
  manager: { zh: '部门经理', en: 'Manager' },
  viewer: { zh: '只读访客', en: 'Viewer' },
};
