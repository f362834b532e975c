export * from './quotas.ts';
export * from './rank.ts';
export * from './groups.ts';
export * from './normalise.ts';
export * from './fairness.ts';
