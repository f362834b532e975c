export * from './linalg.ts';
export * from './twfe.ts';
export * from './rank-counts.ts';
export * from './estimators.ts';
export * from './schema.ts';
export * from './analyse.ts';
export * from './overlap.ts';
export * from './polarity.ts';
