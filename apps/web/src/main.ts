/**
 * Entry point, kept free of Vue and the UI libraries: on a cold start it sends the overview's
 * requests and starts fetching the overview's code while the framework (app.ts and its imports)
 * is still downloading and compiling. Every other page starts the app directly.
 */
import { startOverviewPrefetch, type EarlyQuery } from './composables/overviewQueries';
import { prefetchMe } from './auth/early';

// Who is signed in travels in the same batch as the overview's requests.
prefetchMe();
let early: EarlyQuery[] = [];
if (window.location.pathname === '/') {
  early = startOverviewPrefetch(Object.fromEntries(new URLSearchParams(window.location.search)));
  // The router imports the same module later; this only starts the download sooner.
  import('./pages/OverviewPage.vue').catch(() => undefined); // a failure surfaces through the router
}
void import('./app').then(({ mountApp }) => mountApp(early));
