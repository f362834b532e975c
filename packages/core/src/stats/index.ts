export * from './special.ts';
export * from './distributions.ts';
export * from './descriptive.ts';
export * from './apportion.ts';
export * from './tests.ts';
export * from './regression.ts';
export * from './bins.ts';
export * from './value-counts.ts';
