import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMemoryHistory, createRouter } from 'vue-router';
import { ROLE_PERMISSIONS, type UserRole } from '@perflens/core/auth/permissions';

/**
 * The router guard against a stubbed server: who is signed in decides where a navigation ends.
 * Each test loads fresh modules (the signed-in user is module state).
 */
// Element Plus' message styles are CSS files Node cannot import; the guard only calls warning().
vi.mock('../src/lib/feedback', () => ({ ElMessage: { warning: vi.fn(), success: vi.fn(), error: vi.fn() }, ElMessageBox: {} }));

type MeStub = { id: string; name: string; role: UserRole; orgScopes: string[]; mustChangePassword: boolean; permissions: string[] } | null;

function stubServer(me: () => MeStub, refuse = new Set<string>()) {
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string) => {
      const u = new URL(String(url), 'http://perflens.test');
      const procs = decodeURIComponent(u.pathname.replace('/trpc/', '')).split(',');
      const items = procs.map((p) =>
        refuse.has(p) ? { error: { message: 'x / x', code: -32001, data: { code: 'UNAUTHORIZED', httpStatus: 401, path: p } } } : { result: { data: p === 'auth.me' ? me() : {} } },
      );
      const body = u.searchParams.has('batch') ? items : items[0];
      const status = items.every((i) => 'error' in i) ? 401 : items.some((i) => 'error' in i) ? 207 : 200;
      return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
    }),
  );
}

const user = (role: UserRole, mustChangePassword = false): MeStub => ({ id: `u-${role}`, name: role, role, orgScopes: [], mustChangePassword, permissions: [...ROLE_PERMISSIONS[role]] });

async function freshRouter() {
  vi.resetModules();
  const mod = await import('../src/router');
  // The pages themselves are not under test (and import Element Plus styles): empty stand-ins.
  const stub = { render: () => null };
  const routes = mod.routes.map((r) => ('component' in r && r.component ? { ...r, component: stub } : r)) as typeof mod.routes;
  const router = createRouter({ history: createMemoryHistory(), routes });
  mod.installGuard(router);
  return { router, NAV: mod.NAV, USER_MENU: mod.USER_MENU };
}

beforeEach(() => vi.resetModules());
afterEach(() => vi.unstubAllGlobals());

describe('router guard', () => {
  it('sends a signed-out visitor to sign in, remembering the page', async () => {
    stubServer(() => null);
    const { router, NAV } = await freshRouter();
    await router.push('/policy?x=1');
    expect(router.currentRoute.value.name).toBe('sign-in');
    expect(router.currentRoute.value.query.next).toBe('/policy?x=1');
    expect(NAV).toHaveLength(0);
    await router.push('/');
    expect(router.currentRoute.value.fullPath).toBe('/sign-in');
  });

  it('holds a user who must change the password on that page', async () => {
    stubServer(() => user('analyst', true));
    const { router } = await freshRouter();
    await router.push('/simulation');
    expect(router.currentRoute.value.name).toBe('account-password');
    expect(router.currentRoute.value.query.next).toBe('/simulation');
    await router.push('/sign-in');
    expect(router.currentRoute.value.name).toBe('account-password');
  });

  it('shows and opens only the pages of the role', async () => {
    stubServer(() => user('executive'));
    const { router, NAV, USER_MENU } = await freshRouter();
    await router.push('/data');
    expect(router.currentRoute.value.fullPath).toBe('/');
    expect(NAV.map((s) => s.name)).toEqual(['overview', 'calibration', 'policy']);
    expect(USER_MENU).toHaveLength(0);
    await router.push('/admin/audit');
    expect(router.currentRoute.value.fullPath).toBe('/');
    await router.push('/account');
    expect(router.currentRoute.value.fullPath).toBe('/account');
    // A signed-in user does not see the sign-in page.
    await router.push('/sign-in?next=/policy');
    expect(router.currentRoute.value.fullPath).toBe('/policy');
  });

  it('lets HR read the audit trail but not manage users', async () => {
    stubServer(() => user('hr'));
    const { router, USER_MENU } = await freshRouter();
    await router.push('/admin/audit');
    expect(router.currentRoute.value.name).toBe('admin-audit');
    await router.push('/admin/users');
    expect(router.currentRoute.value.fullPath).toBe('/');
    expect(USER_MENU.map((s) => s.name)).toEqual(['admin-audit']);
  });

  it('sends the user to sign in when a request answers 401 mid-use', async () => {
    let signedIn = true;
    stubServer(() => (signedIn ? user('admin') : null), new Set(['meta.overview']));
    const { router } = await freshRouter();
    await router.push('/calibration');
    expect(router.currentRoute.value.name).toBe('calibration');
    signedIn = false;
    const { trpc } = await import('../src/api/client');
    await expect(trpc.meta.overview.query()).rejects.toThrow();
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('sign-in'));
    expect(router.currentRoute.value.query.next).toBe('/calibration');
  });
});
