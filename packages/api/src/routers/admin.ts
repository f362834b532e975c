import { z } from 'zod';
import { TRPCError } from '@trpc/server';
import { USER_ROLES } from '@perflens/core';
import {
  currentActor, currentSettings, listAudit, listUsers, SettingsSchema, updateSettings, updateUser, verifyAuditChain, type AuditQuery,
} from '@perflens/warehouse';
import { safeCellText } from '@perflens/warehouse/safe-cell';
import { AuthService } from '@perflens/auth';
import { router, type Context } from '../trpc.ts';
import { auditExport, procedure } from '../access.ts';
import { authFailure } from '../auth-errors.ts';

/** Login names: short, no spaces, safe in URLs and the audit trail. */
const loginSchema = z.string().trim().min(2).max(64).regex(/^[A-Za-z0-9._@-]+$/);
const orgScopes = z.array(z.string().min(1).max(64)).max(200);
const role = z.enum(USER_ROLES);

/** The HTTP server's AuthService (one per server, with its throttle), or one for in-process callers. */
const authOf = (ctx: Context) => ctx.http?.auth ?? new AuthService(ctx.wh);

const auditFilter = z.strictObject({
  actor: z.string().trim().min(1).max(100).optional(),
  action: z.string().trim().min(1).max(100).optional(),
  from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
});

/** Scoped roles need a scope: a manager of nothing sees nothing, which is never what is meant. */
function checkScopes(r: string, scopes: string[]): void {
  if ((r === 'manager' || r === 'viewer') && scopes.length === 0)
    throw new TRPCError({ code: 'BAD_REQUEST', message: '部门经理和只读访客需要至少一个组织范围 / managers and viewers need at least one org unit in scope' });
}

const CSV_COLUMNS = ['id', 'occurredAt', 'actor', 'ip', 'action', 'entity', 'entityId', 'before', 'after', 'reason'] as const;
const csvField = (v: unknown): string => {
  const text = v === null || v === undefined ? '' : typeof v === 'string' ? v : typeof v === 'number' ? String(v) : JSON.stringify(v);
  const safe = safeCellText(text);
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

/** Users and the audit trail: administrators only (the audit trail also HR, who own the data). */
export const adminRouter = router({
  users: router({
    list: procedure('admin.users').query(({ ctx }) => listUsers(ctx.wh)),
    /** A new user and their one-time password, shown once to hand over. */
    create: procedure('admin.users')
      .input(z.strictObject({ id: loginSchema, name: z.string().trim().min(1).max(100), role, orgScopes: orgScopes.default([]) }))
      .mutation(async ({ ctx, input }) => {
        checkScopes(input.role, input.orgScopes);
        return authOf(ctx).createUser(currentActor()!, input).catch((e: unknown) => authFailure(e, ctx.lang));
      }),
    update: procedure('admin.users')
      .input(z.strictObject({ id: loginSchema, name: z.string().trim().min(1).max(100).optional(), role: role.optional(), orgScopes: orgScopes.optional(), disabled: z.boolean().optional() }))
      .mutation(async ({ ctx, input }) => {
        const { id, ...change } = input;
        // An administrator cannot lock themselves out: someone must be left to fix mistakes.
        if (id === currentActor()!.userId && (change.disabled || (change.role && change.role !== 'admin')))
          throw new TRPCError({ code: 'BAD_REQUEST', message: '不能停用自己或取消自己的管理员角色 / you cannot disable yourself or drop your own admin role' });
        const before = (await listUsers(ctx.wh)).find((u) => u.id === id);
        if (!before) throw new TRPCError({ code: 'NOT_FOUND', message: `没有用户“${id}” / no user "${id}"` });
        checkScopes(change.role ?? before.role, change.orgScopes ?? before.orgScopes);
        return (await updateUser(ctx.wh, id, change))!;
      }),
    resetPassword: procedure('admin.users')
      .input(z.strictObject({ id: loginSchema }))
      .mutation(({ ctx, input }) => authOf(ctx).resetPassword(currentActor()!, input.id).catch((e: unknown) => authFailure(e, ctx.lang))),
  }),

  audit: router({
    list: procedure('admin.audit')
      .input(auditFilter.extend({ page: z.number().int().min(1).max(100_000).default(1), pageSize: z.number().int().min(1).max(500).default(50) }))
      .query(({ ctx, input }) => listAudit(ctx.wh, input as AuditQuery)),
    /** Recomputes the hash chain: an edited, removed or reordered entry is named. */
    verify: procedure('admin.audit').query(({ ctx }) => verifyAuditChain(ctx.wh)),
    /** The filtered trail as CSV (formula-safe cells), base64; the export itself is audited. */
    export: procedure(['admin.audit', 'export'])
      .input(auditFilter)
      .mutation(async ({ ctx, input }) => {
        const { rows } = await listAudit(ctx.wh, { ...input, page: 1, pageSize: 100_000 });
        const csv = [CSV_COLUMNS.join(','), ...rows.map((r) => CSV_COLUMNS.map((c) => csvField(r[c])).join(','))].join('\r\n');
        await auditExport(ctx, 'audit', null, { filter: input, rows: rows.length });
        return { fileName: `perflens-audit-${new Date().toISOString().slice(0, 10)}.csv`, base64: Buffer.from(`\uFEFF${csv}`, 'utf8').toString('base64') };
      }),
  }),

  settings: router({
    get: procedure('admin.users').query(({ ctx }) => currentSettings(ctx.wh)),
    set: procedure('admin.users').input(SettingsSchema.partial()).mutation(({ ctx, input }) => updateSettings(ctx.wh, input)),
  }),
});
