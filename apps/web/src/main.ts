import { createApp } from 'vue';
import { createPinia } from 'pinia';
import { VueQueryPlugin, QueryClient } from '@tanstack/vue-query';
import 'element-plus/theme-chalk/base.css';
import App from './App.vue';
import { i18n } from './i18n';
import { createAppRouter } from './router';
import { prefetchOverview } from './composables/overviewQueries';
import './styles.css';

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

if (window.location.pathname === '/') prefetchOverview(queryClient, Object.fromEntries(new URLSearchParams(window.location.search)));

createApp(App).use(createPinia()).use(createAppRouter()).use(i18n).use(VueQueryPlugin, { queryClient }).mount('#app');
