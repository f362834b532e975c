export * from './fields.ts';
export * from './normalise.ts';
export * from './schemas.ts';
export * from './rating-scale.ts';
export * from './dates.ts';
export * from './dimension.ts';
export * from './near-match.ts';
