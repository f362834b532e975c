import { z } from 'zod';
import { TRPCError } from '@trpc/server';
import { ROLE_PERMISSIONS, type Permission, type UserRole } from '@perflens/core';
import { getUserSecret, type Actor } from '@perflens/warehouse';
import { router, type Context } from '../trpc.ts';
import { actorOf, openProcedure, procedure } from '../access.ts';
import { authFailure } from '../auth-errors.ts';

/** The signed-in user as the dashboard needs them: who, what role, what they may do. */
export interface Me {
  id: string;
  name: string;
  role: UserRole;
  /** The subtree roots of a scoped role, as configured (not expanded). */
  orgScopes: string[];
  mustChangePassword: boolean;
  permissions: Permission[];
}

async function me(ctx: Context, actor: Actor & { mustChangePassword?: boolean }): Promise<Me> {
  const user = actor.via === 'cli' || actor.via === 'system' ? null : await getUserSecret(ctx.wh, actor.userId);
  return {
    id: actor.userId,
    name: actor.name,
    role: actor.role,
    orgScopes: user?.orgScopes ?? [],
    mustChangePassword: actor.mustChangePassword ?? false,
    permissions: [...ROLE_PERMISSIONS[actor.role]],
  };
}

function httpOf(ctx: Context) {
  // Sessions are an HTTP matter; in-process callers act as the local operator and have none.
  if (!ctx.http) throw new TRPCError({ code: 'BAD_REQUEST', message: '仅通过 HTTP 登录 / sign-in is over HTTP only' });
  return ctx.http;
}

/** Passwords are bounded: argon2's work grows with the input, and no real password is longer. */
const password = z.string().min(1).max(200);

/** Sign-in, sign-out, the caller's own password and personal API tokens. */
export const authRouter = router({
  /** Who is signed in, or null: the dashboard asks before showing anything. */
  me: openProcedure.query(async ({ ctx }) => {
    const actor = actorOf(ctx);
    return actor ? me(ctx, actor) : null;
  }),

  signIn: openProcedure.input(z.strictObject({ login: z.string().trim().min(1).max(100), password })).mutation(async ({ ctx, input }) => {
    const http = httpOf(ctx);
    const r = await http.auth.signIn(input.login, input.password, http.ip).catch((e: unknown) => authFailure(e, ctx.lang));
    http.setSession(r.token);
    return { user: await me(ctx, { ...r.actor, mustChangePassword: r.mustChangePassword }) };
  }),

  signOut: openProcedure.input(z.strictObject({}).optional()).mutation(async ({ ctx }) => {
    const http = httpOf(ctx);
    if (http.sessionToken) await http.auth.signOut(http.sessionToken);
    http.setSession(null);
    return { ok: true as const };
  }),

  changePassword: procedure('self', { beforePasswordChange: true })
    .input(z.strictObject({ current: password, next: password }))
    .mutation(async ({ ctx, input }) => {
      const http = httpOf(ctx);
      const actor = http.actor!;
      await http.auth.changePassword(actor, input.current, input.next).catch((e: unknown) => authFailure(e, ctx.lang));
      return { ok: true as const };
    }),

  tokens: router({
    list: procedure('self').query(({ ctx }) => httpOf(ctx).auth.listTokens(httpOf(ctx).actor!)),
    /** The token's value is in this answer only; the server keeps its hash. */
    create: procedure('self')
      .input(z.strictObject({ name: z.string().trim().min(1).max(100) }))
      .mutation(({ ctx, input }) => httpOf(ctx).auth.createToken(httpOf(ctx).actor!, input.name)),
    revoke: procedure('self')
      .input(z.strictObject({ id: z.string().min(1).max(64) }))
      .mutation(async ({ ctx, input }) => {
        const http = httpOf(ctx);
        const revoked = await http.auth.revokeToken(http.actor!, input.id);
        if (!revoked) throw new TRPCError({ code: 'NOT_FOUND', message: '没有这个有效令牌 / no such live token of yours' });
        return { revoked };
      }),
  }),
});
