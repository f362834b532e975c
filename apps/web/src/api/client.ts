import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';
import type { AppRouter, RouterInputs, RouterOutputs } from '@perflens/api';
import { currentLang } from '@/lang';

export type { RouterInputs, RouterOutputs };

/**
 * No transformer: the server speaks plain JSON so the same API serves curl and Python users.
 * The UI language travels in a header so server-built messages (import errors) match the UI.
 */
export const trpc = createTRPCClient<AppRouter>({
  links: [
    httpBatchLink({
      url: '/trpc',
      headers: () => ({ 'x-perflens-lang': currentLang() }),
    }),
  ],
});

/** A readable message for any failure the UI shows (tRPC error, fetch failure, plain Error). */
export function errorMessage(err: unknown): string {
  if (err instanceof TRPCClientError) {
    // zod validation failures come back as a JSON array of issues; show the first one plainly.
    try {
      const issues = JSON.parse(err.message) as Array<{ path?: unknown[]; message?: string }>;
      if (Array.isArray(issues) && issues[0]?.message)
        return issues.map((i) => `${(i.path ?? []).join('.')}: ${i.message}`).join('; ');
    } catch {
      /* not JSON: fall through */
    }
    return err.message;
  }
  if (err instanceof Error) return err.message;
  return String(err);
}
