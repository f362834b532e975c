import { expect, type BrowserContext, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The accounts of a browser-test run. The server starts on a fresh database with one `admin`
 * whose first password is PERFLENS_ADMIN_PASSWORD (playwright.config.ts); global-setup.ts
 * changes it to ADMIN_PASSWORD, creates one user per role with the passwords below, and saves
 * an admin session that every test starts with (`use.storageState`).
 */
export type Role = 'admin' | 'hr' | 'executive' | 'analyst' | 'manager' | 'viewer';
export const ROLES: Role[] = ['admin', 'hr', 'executive', 'analyst', 'manager', 'viewer'];

export const ADMIN_INITIAL_PASSWORD = 'e2e-Initial-Admin-1';

/** Login name, display name and stable password per role (no password contains its login). */
export const USERS: Record<Role, { login: string; name: string; password: string }> = {
  admin: { login: 'admin', name: 'Administrator', password: 'Quiet-Harbor-4821' },
  hr: { login: 'e2e.hr', name: 'E2E 人事 HR', password: 'Amber-Falcon-3307' },
  executive: { login: 'e2e.exec', name: 'E2E 高管 Exec', password: 'Copper-Meadow-9154' },
  analyst: { login: 'e2e.analyst', name: 'E2E 分析师 Analyst', password: 'Violet-Summit-6620' },
  manager: { login: 'e2e.manager', name: 'E2E 经理 Manager', password: 'Silver-Canyon-1748' },
  viewer: { login: 'e2e.viewer', name: 'E2E 访客 Viewer', password: 'Cedar-Lantern-5093' },
};

export const AUTH_DIR = join(import.meta.dirname, '..', '.auth');
export const ADMIN_STATE = join(AUTH_DIR, 'admin.json');
/** What global setup chose (the manager's and viewer's org unit) for the tests to read. */
export const FIXTURE_FILE = join(AUTH_DIR, 'fixture.json');

export interface AuthFixture {
  /** The org unit (with children) the manager and viewer are scoped to. */
  scopeUnit: { id: string; name: string };
  /** Every unit of that subtree, the root included. */
  scopeSubtree: string[];
}

export function authFixture(): AuthFixture {
  return JSON.parse(readFileSync(FIXTURE_FILE, 'utf8')) as AuthFixture;
}

export interface OrgUnitRow {
  id: string;
  name: string;
  parentId: string | null;
  depth?: number;
}

/** The ids of `root` and every unit below it. */
export function subtreeOf(units: OrgUnitRow[], root: string): string[] {
  const out = [root];
  for (let i = 0; i < out.length; i++) for (const u of units) if (u.parentId === out[i]) out.push(u.id);
  return out;
}

/**
 * Signs a page's (or context's) browser in as `role` through the API: the session cookie the
 * server sets lands in the context's cookie jar, replacing the admin session of storageState.
 * Navigate afterwards.
 */
export async function signInAs(target: Page | BrowserContext, role: Role): Promise<void> {
  const ctx = 'context' in target && typeof target.context === 'function' ? (target as Page).context() : (target as BrowserContext);
  await ctx.clearCookies();
  const { login, password } = USERS[role];
  const res = await ctx.request.post('/trpc/auth.signIn', { data: { login, password } });
  expect(res.ok(), `sign in as ${role} → ${res.status()} ${await res.text()}`).toBeTruthy();
  const cookies = await ctx.cookies();
  expect(cookies.some((c) => c.name === 'perflens_session'), 'the session cookie is set').toBeTruthy();
}

/** Signs the browser out (drops the cookie): the next page asks to sign in. */
export async function signOutAll(target: Page | BrowserContext): Promise<void> {
  const ctx = 'context' in target && typeof target.context === 'function' ? (target as Page).context() : (target as BrowserContext);
  await ctx.clearCookies();
}
