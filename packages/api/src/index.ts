import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from './router.ts';

export { appRouter } from './router.ts';
export type { AppRouter } from './router.ts';
export { createCallerFactory } from './trpc.ts';
export type { Context } from './trpc.ts';
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
