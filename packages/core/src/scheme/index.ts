export * from './types.ts';
export * from './validate.ts';
export * from './format.ts';
export * from './raters.ts';
export * from './evaluate.ts';
export * from './seeds.ts';
export * from './compile-sql.ts';
export * from './streaks.ts';
