import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';

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
}

export const NAV: NavSection[] = [
  { name: 'overview', path: '/', label: 'nav.overview', component: () => import('./pages/OverviewPage.vue') },
  { name: 'calibration', path: '/calibration', label: 'nav.calibration', component: () => import('./pages/calibration/CalibrationPage.vue') },
  { name: 'policy', path: '/policy', label: 'nav.policy', component: () => import('./pages/policy/PolicyPage.vue') },
  { name: 'simulation', path: '/simulation', label: 'nav.simulation', component: () => import('./pages/simulation/SimulationPage.vue') },
  { name: 'data', path: '/data', label: 'nav.data', component: () => import('./pages/DataPage.vue') },
];

export const routes: RouteRecordRaw[] = [
  ...NAV.filter((s) => s.component).map((s) => ({ name: s.name, path: s.path, component: s.component! })),
  { path: '/:rest(.*)*', redirect: '/' },
];

export function createAppRouter() {
  return createRouter({ history: createWebHistory(), routes });
}
