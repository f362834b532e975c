import { trpc, type RouterInputs, type RouterOutputs } from '@/api/client';

/** The calibration procedures the page uses; types come straight from the routers. */
export type RankingInput = RouterInputs['ranking']['forced'];
export type Ranking = RouterOutputs['ranking']['forced'];
export type RankingGroup = Ranking['groups'][number];
export type RankedPerson = Ranking['people']['rows'][number];
export type RatersInput = RouterInputs['calibration']['raters'];
export type Raters = RouterOutputs['calibration']['raters'];
export type RaterRow = Raters['raters'][number];
export type DepartmentsInput = RouterInputs['calibration']['departments'];
export type Departments = RouterOutputs['calibration']['departments'];
export type FairnessInput = RouterInputs['calibration']['fairness'];
export type Fairness = RouterOutputs['calibration']['fairness'];
export type ImpactRow = Fairness['gender'][number];
export type SessionSummary = RouterOutputs['calibration']['session']['list'][number];
export type SessionGetInput = RouterInputs['calibration']['session']['get'];
export type SessionDetail = RouterOutputs['calibration']['session']['get'];
export type SessionItem = SessionDetail['people']['rows'][number];
export type AuditEntry = SessionDetail['audit'][number];
export type QuotaCounter = SessionDetail['counters'][number];
export type Outcome = RouterOutputs['policy']['outcomes'][number];

export const calibrationApi = {
  forced: (input: RankingInput, signal?: AbortSignal): Promise<Ranking> => trpc.ranking.forced.query(input, { signal }),
  raters: (input: RatersInput): Promise<Raters> => trpc.calibration.raters.query(input),
  departments: (input: DepartmentsInput): Promise<Departments> => trpc.calibration.departments.query(input),
  fairness: (input: FairnessInput): Promise<Fairness> => trpc.calibration.fairness.query(input),
  sessions: (): Promise<SessionSummary[]> => trpc.calibration.session.list.query(),
  session: (input: SessionGetInput): Promise<SessionDetail> => trpc.calibration.session.get.query(input),
  create: (input: RouterInputs['calibration']['session']['create']) => trpc.calibration.session.create.mutate(input),
  adjust: (input: RouterInputs['calibration']['session']['adjust']) => trpc.calibration.session.adjust.mutate(input),
  finalise: (input: RouterInputs['calibration']['session']['finalise']) => trpc.calibration.session.finalise.mutate(input),
  exportXlsx: (id: string) => trpc.calibration.session.export.mutate({ id }),
  /** KPI codes for the secondary tie-break key come from the outcome catalogue (kind `kpi`). */
  outcomes: (): Promise<Outcome[]> => trpc.policy.outcomes.query(),
};
