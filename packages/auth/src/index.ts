export * from './passwords.ts';
export * from './secrets.ts';
export * from './throttle.ts';
export * from './service.ts';
export * from './masking.ts';
export * from './suppression.ts';
