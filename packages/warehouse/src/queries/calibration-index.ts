/** The calibration capability's named queries (one per file), re-exported for the package index. */
export * from './ranking-forced.ts';
