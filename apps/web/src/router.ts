import { shallowReactive, watch } from 'vue';
import { createRouter, createWebHistory, type RouteLocationRaw, type RouteRecordRaw, type Router } from 'vue-router';
import type { Permission } from '@perflens/core/auth/permissions';
import { currentUser, loadMe, permissionsOf, safeNext, sessionLost, setUnauthorizedHandler } from './auth/session';
import { i18n } from './i18n';
import { ElMessage } from './lib/feedback';

/**
 * Navigation is data: a section with a `component` is live; one without is listed in the header
 * as disabled ("coming next") and gets no route, so adding a page is one entry here.
 */
export interface NavSection {
  name: string;
  path: string;
  /** i18n key of the label. */
  label: string;
  component?: RouteRecordRaw['component'];
  /** Needed to open the page: without it the entry is not shown and the route sends the user elsewhere. */
  permission?: Permission;
  /** Listed in the user menu (components/UserMenu.vue) instead of the header. */
  menu?: 'user';
}

declare module 'vue-router' {
  interface RouteMeta {
    /** Reachable without signing in (the sign-in page). */
    public?: boolean;
    permission?: Permission;
  }
}

/** Every section, whoever is signed in; the routes are built from this list. */
export const SECTIONS: NavSection[] = [
  { name: 'overview', path: '/', label: 'nav.overview', permission: 'read.aggregate', component: () => import('./pages/OverviewPage.vue') },
  { name: 'calibration', path: '/calibration', label: 'nav.calibration', permission: 'calibration.read', component: () => import('./pages/calibration/CalibrationPage.vue') },
  { name: 'policy', path: '/policy', label: 'nav.policy', permission: 'policy.read', component: () => import('./pages/policy/PolicyPage.vue') },
  { name: 'simulation', path: '/simulation', label: 'nav.simulation', permission: 'simulation.run', component: () => import('./pages/simulation/SimulationPage.vue') },
  { name: 'data', path: '/data', label: 'nav.data', permission: 'data.import', component: () => import('./pages/DataPage.vue') },
  { name: 'admin-users', path: '/admin/users', label: 'admin.users.title', permission: 'admin.users', menu: 'user', component: () => import('./pages/admin/AdminUsersPage.vue') },
  { name: 'admin-audit', path: '/admin/audit', label: 'admin.audit.title', permission: 'admin.audit', menu: 'user', component: () => import('./pages/admin/AuditPage.vue') },
];

const permitted = (s: NavSection, perms: readonly Permission[]): boolean => !s.permission || perms.includes(s.permission);

/**
 * The header's entries for the signed-in user: a reactive list that follows sign-in and sign-out,
 * so App.vue's `v-for="s in NAV"` shows only the pages the user's role may open (none while
 * nobody is signed in).
 */
export const NAV = shallowReactive<NavSection[]>([]);
/** The user menu's page links (administration), likewise filtered. */
export const USER_MENU = shallowReactive<NavSection[]>([]);
watch(
  currentUser,
  (user) => {
    const perms = permissionsOf(user);
    NAV.splice(0, NAV.length, ...SECTIONS.filter((s) => !s.menu && user && permitted(s, perms)));
    USER_MENU.splice(0, USER_MENU.length, ...SECTIONS.filter((s) => s.menu === 'user' && user && permitted(s, perms)));
  },
  { immediate: true },
);

export const routes: RouteRecordRaw[] = [
  ...SECTIONS.filter((s) => s.component).map((s) => ({ name: s.name, path: s.path, component: s.component!, meta: { permission: s.permission } })),
  { name: 'sign-in', path: '/sign-in', component: () => import('./pages/auth/SignInPage.vue'), meta: { public: true } },
  { name: 'account', path: '/account', component: () => import('./pages/account/AccountPage.vue'), meta: { permission: 'self' } },
  { name: 'account-password', path: '/account/password', component: () => import('./pages/auth/ChangePasswordPage.vue') },
  { path: '/:rest(.*)*', redirect: '/' },
];

/** Where a signed-in user lands when a page is not theirs to open: the first section they may. */
function homeFor(perms: readonly Permission[]): RouteLocationRaw {
  const first = SECTIONS.find((s) => s.component && !s.menu && permitted(s, perms));
  return first ? { path: first.path } : { name: 'account' };
}

/**
 * Every navigation knows who is signed in (auth.me, asked once at start and after sign-in/out):
 * nobody → the sign-in page, remembering where they were going; a required password change →
 * that page first; a page the role may not open → their first page.
 */
export function installGuard(router: Router): void {
  const toSignIn = (fullPath: string): RouteLocationRaw => ({ name: 'sign-in', query: fullPath === '/' ? {} : { next: fullPath } });
  router.beforeEach(async (to) => {
    let user;
    try {
      user = await loadMe();
    } catch {
      // Server unreachable: the sign-in page says so when it is tried; nothing else can load.
      return to.meta.public ? true : toSignIn(to.fullPath);
    }
    if (to.meta.public) return user ? (user.mustChangePassword ? { name: 'account-password' } : safeNext(to.query.next)) : true;
    if (!user) return toSignIn(to.fullPath);
    if (user.mustChangePassword && to.name !== 'account-password')
      return { name: 'account-password', query: to.fullPath === '/' ? {} : { next: to.fullPath } };
    const perms = permissionsOf(user);
    if (to.meta.permission && !perms.includes(to.meta.permission)) return homeFor(perms);
    return true;
  });

  // A session that ends mid-use (idle timeout, signed out elsewhere, account disabled): the next
  // request answers 401 and the user is sent to sign in, then back to where they were.
  let redirecting = false;
  setUnauthorizedHandler(() => {
    const here = router.currentRoute.value;
    // Before the first navigation the guard decides; on the sign-in page there is nothing to do.
    if (redirecting || !here.matched.length || here.meta.public) return;
    redirecting = true;
    sessionLost();
    ElMessage.warning({ message: i18n.global.t('auth.sessionExpired'), grouping: true });
    void router.replace({ name: 'sign-in', query: { next: here.fullPath } }).finally(() => {
      redirecting = false;
    });
  });
}

/**
 * Starts downloading the code of the page a cold load opens, before the first navigation: the
 * router would only ask for it once the guard has its auth.me answer and the app has mounted, a
 * few hundred milliseconds of waiting on a loaded 2-core machine (issue 18, "speed as felt").
 * Every route component here is a lazy loader; the router calls the same one later and gets the
 * module already loading or loaded. A failure surfaces through the router's own attempt.
 */
export function preloadRoute(router: Router, fullPath: string): void {
  for (const record of router.resolve(fullPath).matched) {
    const load = record.components?.default;
    if (typeof load === 'function') (load as () => Promise<unknown>)().catch(() => undefined);
  }
}

export function createAppRouter() {
  const router = createRouter({ history: createWebHistory(), routes });
  installGuard(router);
  return router;
}
