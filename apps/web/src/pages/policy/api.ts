import { trpc, type RouterInputs, type RouterOutputs } from '@/api/client';

/** The policy procedures the page uses; types come straight from the router. */
export type Policy = RouterOutputs['policy']['list'][number];
export type Outcome = RouterOutputs['policy']['outcomes'][number];
export type Effect = RouterOutputs['policy']['effect'];
export type EffectInput = RouterInputs['policy']['effect'];
export type PolicyInput = RouterInputs['policy']['create'];
export type Brief = RouterOutputs['policy']['brief'];
export type BriefInput = RouterInputs['policy']['brief'];

export const policyApi = {
  list: (): Promise<Policy[]> => trpc.policy.list.query(),
  outcomes: (): Promise<Outcome[]> => trpc.policy.outcomes.query(),
  effect: (input: EffectInput): Promise<Effect> => trpc.policy.effect.query(input),
  create: (input: PolicyInput) => trpc.policy.create.mutate(input),
  update: (input: RouterInputs['policy']['update']) => trpc.policy.update.mutate(input),
  remove: (id: string) => trpc.policy.delete.mutate({ id }),
  brief: (input: BriefInput): Promise<Brief> => trpc.policy.brief.query(input),
  exportXlsx: (input: BriefInput) => trpc.policy.exportXlsx.query(input),
};
