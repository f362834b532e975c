import { trpc, type RouterInputs, type RouterOutputs } from '@/api/client';

/** The simulator procedures the page uses; types come straight from the router. */
export type SchemeSummary = RouterOutputs['scheme']['list'][number];
export type SchemeDef = RouterOutputs['scheme']['get'];
export type Validation = RouterOutputs['scheme']['validate'];
export type RunResult = RouterOutputs['simulation']['run'];
export type RunInput = RouterInputs['simulation']['run'];
export type Explained = RouterOutputs['simulation']['explain'];
export type SavedScenario = RouterOutputs['scenario']['list'][number];
export type Compared = RouterOutputs['scenario']['compare'];
export type Settings = NonNullable<RouterInputs['scenario']['save']['settings']>;

export const simulationApi = {
  schemes: (): Promise<SchemeSummary[]> => trpc.scheme.list.query(),
  scheme: (id: string): Promise<SchemeDef> => trpc.scheme.get.query({ id }),
  validate: (scheme: unknown, signal?: AbortSignal): Promise<Validation> => trpc.scheme.validate.query({ scheme }, { signal }),
  run: (input: RunInput, signal?: AbortSignal): Promise<RunResult> => trpc.simulation.run.query(input, { signal }),
  explain: (input: RouterInputs['simulation']['explain']): Promise<Explained> => trpc.simulation.explain.query(input),
  save: (input: RouterInputs['scenario']['save']) => trpc.scenario.save.mutate(input),
  scenarios: (): Promise<SavedScenario[]> => trpc.scenario.list.query(),
  compare: (ids: string[]): Promise<Compared> => trpc.scenario.compare.query({ ids }),
  exportXlsx: (ids: string[]) => trpc.scenario.exportXlsx.query({ ids }),
};

