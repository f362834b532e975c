export * from './fields.ts';
export * from './normalise.ts';
export * from './schemas.ts';
