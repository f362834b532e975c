import { initTRPC } from '@trpc/server';
import type { Warehouse } from '@perflens/warehouse';
import './messages.ts';

export interface Context {
  wh: Warehouse;
  /** Preferred language of the caller (Accept-Language), for messages built server-side. */
  lang: 'zh' | 'en';
}

// No data transformer: the API must stay usable with plain JSON from curl or Python.
const t = initTRPC.context<Context>().create();

export const router = t.router;
export const publicProcedure = t.procedure;
export const createCallerFactory = t.createCallerFactory;
