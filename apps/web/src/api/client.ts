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

/**
 * A session can end while the dashboard is open (idle timeout, sign-out in another tab, an admin
 * disabling the account). Every answer is watched for UNAUTHORIZED (401): the handler the app
 * registers (auth/session.ts) then sends the user to the sign-in page. The sign-in and password
 * procedures answer 401 for a wrong password, which is theirs to show, not a lost session.
 */
const OWN_401 = new Set(['auth.signIn', 'auth.changePassword', 'auth.signOut']);
let onUnauthorized: ((path: string) => void) | null = null;

/** Registers what to do when the server says the caller is not (or no longer) signed in. */
export function setUnauthorizedHandler(handler: ((path: string) => void) | null): void {
  onUnauthorized = handler;
}

/** Procedure names of a tRPC URL: `/trpc/a.b,c.d?batch=1` → ['a.b', 'c.d']. */
export function proceduresOf(url: string): string[] {
  const path = new URL(url, 'http://x').pathname.replace(/^.*\/trpc\//, '');
  return decodeURIComponent(path).split(',').filter(Boolean);
}

const UNAUTHORIZED_CODE = -32001;
type ErrorItem = { error?: { code?: number; data?: { code?: string } } };
const isUnauthorized = (item: unknown): boolean => {
  const e = (item as ErrorItem | null)?.error;
  return !!e && (e.code === UNAUTHORIZED_CODE || e.data?.code === 'UNAUTHORIZED');
};

/** The procedures a response refused as UNAUTHORIZED (a batch answers 207 when its parts differ). */
export async function unauthorizedIn(url: string, res: Response): Promise<string[]> {
  if (res.status !== 401 && res.status !== 207) return [];
  const names = proceduresOf(url);
  if (res.status === 401) return names;
  try {
    const body: unknown = await res.clone().json();
    const items = Array.isArray(body) ? body : [body];
    return names.filter((_, i) => isUnauthorized(items[i]));
  } catch {
    return [];
  }
}

const watchedFetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
  const res = await fetch(input, init);
  if (onUnauthorized) {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const refused = (await unauthorizedIn(url, res)).filter((p) => !OWN_401.has(p));
    if (refused.length) onUnauthorized(refused[0]!);
  }
  return res;
};

export const trpc = createTRPCClient<AppRouter>({
  links: [
    splitLink({
      condition: (op) => isHeavy(op.path),
      true: httpLink({ url: '/trpc', headers, fetch: watchedFetch }),
      false: httpBatchLink({ url: '/trpc', headers, maxItems: 10, fetch: watchedFetch }),
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
