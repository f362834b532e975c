/**
 * Entry point, kept free of Vue and the UI libraries: on a cold start it sends the opened page's
 * first requests (and, for the overview, starts fetching its code) while the framework (app.ts and
 * its imports) is still downloading and compiling; composables/prefetch.ts says what each page
 * needs. app.ts starts every other page's code before the first navigation (router.ts preloadRoute).
 */
import { startPagePrefetch } from './composables/prefetch';
import { prefetchMe } from './auth/early';

// Who is signed in travels in the same batch as the page's requests.
prefetchMe();
const early = startPagePrefetch(window.location.pathname, Object.fromEntries(new URLSearchParams(window.location.search)));
void import('./app').then(({ mountApp }) => mountApp(early));
