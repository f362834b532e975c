export { listRoleRows, type RoleRow } from './roles-list.ts';
export { renameRole } from './role-rename.ts';
export { mergeRoles } from './role-merge.ts';
export { setRoleScheme } from './role-set-scheme.ts';
export { RoleNotFoundError, RoleChangeError } from './role-errors.ts';
