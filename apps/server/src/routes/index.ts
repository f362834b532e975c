import type { Route } from '../http.ts';

/** Plain HTTP routes beside tRPC. */
export const routes: Route[] = [];
