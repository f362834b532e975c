import type { Route } from '../http.ts';
import { importReportRoute, uploadRoute } from './upload.ts';

/** Plain HTTP routes beside tRPC. */
export const routes: Route[] = [uploadRoute, importReportRoute];
