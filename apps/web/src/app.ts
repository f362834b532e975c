import { createApp } from 'vue';
import { createPinia } from 'pinia';
import { VueQueryPlugin, QueryClient } from '@tanstack/vue-query';
import 'element-plus/theme-chalk/base.css';
import App from './App.vue';
import { i18n } from './i18n';
import { createAppRouter, preloadRoute } from './router';
import { seedQueries, type EarlyQuery } from './composables/overviewQueries';
import { onUserChange } from './auth/session';
import './styles.css';

/** Creates and mounts the dashboard; `early` are the requests main.ts already sent. */
export function mountApp(early: EarlyQuery[]): void {
  const queryClient = new QueryClient({
    defaultOptions: {
      queries: {
        // Data only changes on import, which invalidates explicitly; avoid refetch storms on focus.
        staleTime: 5 * 60_000,
        refetchOnWindowFocus: false,
        retry: 1,
      },
    },
  });
  seedQueries(queryClient, early);
  // Another user (or nobody) now: nothing the previous one was allowed to see stays cached.
  onUserChange(() => queryClient.clear());
  const router = createAppRouter();
  // The opened page's code downloads while the guard waits for auth.me (overview: already started by main.ts).
  preloadRoute(router, window.location.pathname + window.location.search);
  createApp(App).use(createPinia()).use(router).use(i18n).use(VueQueryPlugin, { queryClient }).mount('#app');
}
