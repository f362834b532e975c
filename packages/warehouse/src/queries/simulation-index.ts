export * from './simulation-layout.ts';
export * from './simulation-run.ts';
export * from './simulation-employee.ts';
export * from './scheme-store.ts';
export * from './scenario-store.ts';
export * from './simulation-base.ts';
export * from './scenario-export.ts';
