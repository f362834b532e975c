export * from './errors.ts';
export * from './domain.ts';
export * from './filters.ts';
export * from './stats/index.ts';
export * from './scheme/index.ts';
export * from './import/index.ts';
export * from './calibration/index.ts';
export * from './policy/index.ts';
