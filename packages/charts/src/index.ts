export * from './palette.ts';
export * from './format.ts';
export * from './grades.ts';
export * from './policy.ts';
