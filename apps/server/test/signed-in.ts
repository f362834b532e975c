import { AuthService, hashPassword } from '@perflens/auth';
import { cliActor, createUser, getUserSecret, runAs, type Warehouse } from '@perflens/warehouse';
import type { UserRole } from '@perflens/core';

/**
 * A user of the given role with a personal API token, made directly in the database (as an
 * administrator would through the admin API). Tests that exercise other things than access go
 * through the server as this user.
 */
export async function tokenFor(wh: Warehouse, role: UserRole = 'admin', orgScopes: string[] = []): Promise<string> {
  const id = `test-${role}${orgScopes.length ? `-${orgScopes.join('-')}` : ''}`.toLowerCase().replace(/[^a-z0-9._@-]/g, '-');
  const auth = new AuthService(wh);
  await runAs(cliActor(), async () => {
    if (!(await getUserSecret(wh, id)))
      await createUser(wh, { id, name: id, role, orgScopes, passwordHash: await hashPassword('Test-password-123'), mustChangePassword: false });
  });
  const actor = await auth.actorFor((await getUserSecret(wh, id))!, null, 'cli');
  return (await auth.createToken(actor, 'tests')).token;
}

const tokens = new Map<string, string>();
let installed = false;

/**
 * Every `fetch` of this test file to `url`'s origin goes out with a token of a `role` user of
 * that warehouse (unless the test sets its own Authorization header): the file's requests are a
 * signed-in user's. Returns the token.
 */
export async function signInFetches(wh: Warehouse, url: string, role: UserRole = 'admin'): Promise<string> {
  const token = await tokenFor(wh, role);
  authorizeFetches(url, token);
  return token;
}

/** As signInFetches, with a token made earlier (a snapshot server has its writer's users and tokens). */
export function authorizeFetches(url: string, token: string): void {
  tokens.set(new URL(url).origin, token);
  if (!installed) {
    installed = true;
    const real = globalThis.fetch;
    globalThis.fetch = ((input: Parameters<typeof fetch>[0], init: RequestInit = {}) => {
      const target = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
      const headers = new Headers(init.headers);
      const t = tokens.get(target.origin);
      if (t && !headers.has('authorization')) headers.set('authorization', `Bearer ${t}`);
      return real(input, { ...init, headers });
    }) as typeof fetch;
  }
}
