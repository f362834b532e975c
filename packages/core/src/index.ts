export * from './domain.ts';
export * from './filters.ts';
