/**
 * Procedures whose cost grows with the whole company (a forced ranking over every group,
 * re-scoring every assessment, XLSX exports, the policy statistics). The HTTP server caps how many
 * one batch may carry (a batch of 40 rankings once answered 8 MB in 6 s and held every other
 * request up), and the dashboard sends each of them in a request of its own. Pure, so the web
 * bundle and the server share the one list.
 */
export const HEAVY_PROCEDURES: ReadonlySet<string> = new Set([
  'ranking.forced',
  'scenario.compare',
  'scenario.exportXlsx',
  'policy.effect',
  'policy.brief',
  'policy.exportXlsx',
  'calibration.session.export',
  'calibration.session.create',
  'report.create',
]);

export function isHeavyProcedure(path: string): boolean {
  return HEAVY_PROCEDURES.has(path) || path.startsWith('simulation.');
}
