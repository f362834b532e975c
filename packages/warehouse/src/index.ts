export { Warehouse, DatabaseLockedError } from './db.ts';
export type { WarehouseOptions, SqlParams } from './db.ts';
export { overview } from './queries/overview.ts';
export type { Overview } from './queries/overview.ts';
export * from './queries/distribution-index.ts';
export * from './import/index.ts';
export { refreshAnalytics, refreshAnalyticsOn, ensureAnalytics } from './analytics.ts';
export * from './queries/policy-index.ts';
export * from './queries/calibration-index.ts';
