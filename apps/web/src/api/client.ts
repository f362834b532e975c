import { createTRPCClient, httpBatchLink, httpLink, splitLink, TRPCClientError } from '@trpc/client';
import type { AppRouter, RouterInputs, RouterOutputs } from '@perflens/api';
import { currentLang } from '@/lang';
import { isHeavyProcedure } from '@perflens/core/heavy-procedures';

export type { RouterInputs, RouterOutputs };

/**
 * No transformer: the server speaks plain JSON so the same API serves curl and Python users.
 * The UI language travels in a header so server-built messages (import errors) match the UI.
 */
const headers = () => ({ 'x-perflens-lang': currentLang() });

/**
 * The server refuses a batch of more than 10 procedures (PERFLENS_MAX_BATCH) or more than 3 heavy
 * ones, so batches stay within both: heavy procedures go alone, one request each (they also no
 * longer hold up the light queries batched beside them, since a batch answers when its slowest
 * part is done). The list is core's, shared with the server's batch limit.
 */
const isHeavy = isHeavyProcedure;

export const trpc = createTRPCClient<AppRouter>({
  links: [
    splitLink({
      condition: (op) => isHeavy(op.path),
      true: httpLink({ url: '/trpc', headers }),
      false: httpBatchLink({ url: '/trpc', headers, maxItems: 10 }),
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
