import { TRPCError } from '@trpc/server';
import { AuthError } from '@perflens/auth';

const STATUS: Record<AuthError['kind'], TRPCError['code']> = {
  invalid: 'UNAUTHORIZED',
  throttled: 'TOO_MANY_REQUESTS',
  must_change: 'FORBIDDEN',
  weak: 'BAD_REQUEST',
  not_found: 'NOT_FOUND',
  conflict: 'CONFLICT',
};

/** An account problem as the caller's answer, in their language; anything else is rethrown. */
export function authFailure(err: unknown, lang: 'zh' | 'en'): never {
  if (err instanceof AuthError) throw new TRPCError({ code: STATUS[err.kind], message: lang === 'en' ? err.en : err.zh, cause: err });
  throw err;
}
