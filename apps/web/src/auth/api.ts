import { trpc, type RouterInputs, type RouterOutputs } from '@/api/client';

/**
 * Sign-in, the caller's account and user administration (issue 16, "who may see what"): the
 * auth and admin routers of packages/api, through the same tRPC client (batching, the
 * UNAUTHORIZED watch) as every other request. Shapes come from the router's own types.
 */
export type Me = NonNullable<RouterOutputs['auth']['me']>;
export type TokenRow = RouterOutputs['auth']['tokens']['list'][number];
export type UserRow = RouterOutputs['admin']['users']['list'][number];
export type AuditPage = RouterOutputs['admin']['audit']['list'];
export type AuditRow = AuditPage['rows'][number];
export type AuditVerify = RouterOutputs['admin']['audit']['verify'];
export type AuditFilter = RouterInputs['admin']['audit']['export'];
type NewUser = RouterInputs['admin']['users']['create'];
type UserChange = RouterInputs['admin']['users']['update'];

export const authApi = {
  me: () => trpc.auth.me.query(),
  signIn: (login: string, password: string) => trpc.auth.signIn.mutate({ login, password }),
  signOut: () => trpc.auth.signOut.mutate({}),
  changePassword: (current: string, next: string) => trpc.auth.changePassword.mutate({ current, next }),
  tokens: () => trpc.auth.tokens.list.query(),
  createToken: (name: string) => trpc.auth.tokens.create.mutate({ name }),
  revokeToken: (id: string) => trpc.auth.tokens.revoke.mutate({ id }),
};

export const adminApi = {
  users: () => trpc.admin.users.list.query(),
  createUser: (u: NewUser) => trpc.admin.users.create.mutate(u),
  updateUser: (u: UserChange) => trpc.admin.users.update.mutate(u),
  resetPassword: (id: string) => trpc.admin.users.resetPassword.mutate({ id }),
  audit: (q: AuditFilter & { page: number; pageSize: number }) => trpc.admin.audit.list.query(q),
  verifyAudit: () => trpc.admin.audit.verify.query(),
  exportAudit: (f: AuditFilter) => trpc.admin.audit.export.mutate(f),
};
