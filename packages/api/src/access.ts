import { TRPCError } from '@trpc/server';
import { can, ROLE_LABELS_AUTH, ROLE_VISIBILITY, type Permission } from '@perflens/core';
import { appendAuditOn, cliActor, currentSettings, runAs, type Actor } from '@perflens/warehouse';
import { maskOutput, suppressSmallGroups } from '@perflens/auth';
import { baseProcedure, middleware, rolesMustExist, type Context } from './trpc.ts';

/**
 * Who may call what (issue: who may see what). Every procedure is built with `procedure(…)`
 * naming the permissions it needs; the permission-matrix test walks the whole router and fails
 * on a procedure built any other way, so the default is deny.
 *
 * Over HTTP the caller is the signed-in user (session cookie) or a token's owner; without either
 * the answer is 401. In-process callers (the CLI, tests calling the router directly) carry no
 * `http` and act as the local operator, who holds the database file anyway.
 *
 * The actor is put in the async context for the procedure's whole run (runAs), where the audit
 * trail reads it (never from the request) and every filtered statement reads its org scope
 * (filter-sql.ts scopeWhere). A scoped role (manager, viewer) may call only procedures declared
 * `scoped`, whose statements honour that scope; anything else is refused for them, so a new
 * procedure never leaks rows outside a scope by omission.
 *
 * The answer is then masked for the role (names, pay, salary: packages/auth masking.ts) and,
 * for aggregate-only roles, small groups are suppressed, before it leaves the server.
 */
export interface AccessOptions {
  /** Every statement behind the procedure is filtered by the caller's org scope. */
  scoped?: boolean;
  /** Callable before a required password change (own account only). */
  beforePasswordChange?: boolean;
}

export function actorOf(ctx: Context): (Actor & { mustChangePassword?: boolean }) | null {
  return ctx.http ? ctx.http.actor : cliActor();
}

export function procedure(needs: Permission | readonly Permission[], options: AccessOptions = {}) {
  const required = typeof needs === 'string' ? [needs] : [...needs];
  // Who may call comes before anything that reads the input (the role-code check), so a caller
  // without access learns nothing about the data from the kind of error.
  return baseProcedure
    .meta({ permissions: required, scoped: options.scoped ?? false })
    .use(
      middleware(async ({ ctx, next }) => {
        const actor = actorOf(ctx);
        if (!actor) throw new TRPCError({ code: 'UNAUTHORIZED', message: '请先登录 / please sign in' });
        if (actor.mustChangePassword && !options.beforePasswordChange)
          throw new TRPCError({ code: 'FORBIDDEN', message: '请先修改初始密码 / change your one-time password first' });
        const missing = required.filter((p) => !can(actor.role, p));
        const label = ROLE_LABELS_AUTH[actor.role];
        if (missing.length > 0)
          throw new TRPCError({
            code: 'FORBIDDEN',
            message: `你的角色（${label.zh}）无权执行此操作 / your role (${label.en}) may not do this (needs ${missing.join(', ')})`,
          });
        // One's own account ('self') holds no data of any unit.
        if (actor.orgScopes !== null && !options.scoped && !required.every((p) => p === 'self'))
          throw new TRPCError({
            code: 'FORBIDDEN',
            message: `此功能涉及你的管辖范围以外的数据，你的角色（${label.zh}）不可使用 / this covers data outside your part of the organisation, which your role (${label.en}) may not see`,
          });
        const result = await runAs(actor, () => next());
        if (!result.ok) return result;
        const visibility = ROLE_VISIBILITY[actor.role];
        let data = maskOutput(result.data, visibility);
        if (visibility.suppressSmallGroups) data = suppressSmallGroups(data, (await currentSettings(ctx.wh)).minGroupSize);
        return { ...result, data };
      }),
    )
    .use(rolesMustExist);
}

/** Permissions a procedure declared (read by the permission-matrix test and the README table). */
export interface ProcedureMeta {
  permissions?: Permission[];
  scoped?: boolean;
  /** Answers without signing in (sign-in itself, `auth.me`). */
  open?: boolean;
}

/** Sign-in and `auth.me`: reachable without a session, and declared so. */
export const openProcedure = baseProcedure.meta({ open: true });

/**
 * Files that leave the server (spreadsheets, reports, the audit trail) are on the audit trail:
 * who took which data out, and when.
 */
export function auditExport(ctx: Context, what: string, entityId: string | null, detail?: unknown): Promise<void> {
  return auditAction(ctx, `export.${what}`, what, entityId, detail);
}

/** An entry for a change made outside the stores that audit themselves (an import). */
export async function auditAction(ctx: Context, action: string, entity: string, entityId: string | null, detail?: unknown): Promise<void> {
  // A published snapshot cannot be written; its trail is the writer's up to the snapshot.
  if (ctx.wh.readOnly) return;
  await ctx.wh.transaction((conn) => appendAuditOn(conn, { action, entity, entityId, after: detail ?? null }));
}
