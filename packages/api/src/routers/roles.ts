import { z } from 'zod';
import { TRPCError } from '@trpc/server';
import { roleCodeSchema } from '@perflens/core';
import { mergeRoles, renameRole, RoleChangeError, RoleNotFoundError, setRoleScheme } from '@perflens/warehouse';
import { router } from '../trpc.ts';
import { procedure } from '../access.ts';

const name = z.string().trim().min(1).max(100);

/** A role error as the caller's answer: 404 for an unknown role, 400 for a change that cannot be made. */
function asTrpc(err: unknown, lang: 'zh' | 'en'): never {
  if (err instanceof RoleNotFoundError) throw new TRPCError({ code: 'NOT_FOUND', message: lang === 'en' ? err.en : err.zh, cause: err });
  if (err instanceof RoleChangeError) throw new TRPCError({ code: 'BAD_REQUEST', message: lang === 'en' ? err.en : err.zh, cause: err });
  throw err;
}

/** Roles are data: rename a job title, merge titles into one role, point a role at a scheme. */
export const rolesRouter = router({
  rename: procedure('data.roles')
    .input(z.strictObject({ code: roleCodeSchema, nameZh: name, nameEn: name }))
    .mutation(({ ctx, input }) => renameRole(ctx.wh, input).catch((e: unknown) => asTrpc(e, ctx.lang))),
  merge: procedure('data.roles')
    .input(z.strictObject({ from: z.array(roleCodeSchema).min(1).max(200), into: roleCodeSchema }))
    .mutation(({ ctx, input }) => mergeRoles(ctx.wh, input).catch((e: unknown) => asTrpc(e, ctx.lang))),
  setScheme: procedure('data.roles')
    .input(z.strictObject({ code: roleCodeSchema, schemeId: z.string().min(1).max(100).nullable() }))
    .mutation(({ ctx, input }) => setRoleScheme(ctx.wh, input).catch((e: unknown) => asTrpc(e, ctx.lang))),
});
