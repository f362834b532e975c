/** The calibration capability's named queries (one per file), re-exported for the package index. */
export * from './ranking-forced.ts';
export * from './calibration-session-common.ts';
export * from './calibration-session-create.ts';
export * from './calibration-session-list.ts';
export * from './calibration-session-get.ts';
export * from './calibration-session-adjust.ts';
export * from './calibration-session-finalise.ts';
export * from './calibration-session-export.ts';
export * from './calibration-departments.ts';
export * from './calibration-fairness.ts';
export * from './calibration-raters.ts';
