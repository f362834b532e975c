/**
 * `pnpm bench`: runs every registered benchmark in turn (each prints its own figures).
 * Add yours with one line; `pnpm bench <name>` runs just that one.
 */
const BENCHES: Record<string, () => Promise<{ run(): Promise<void> }>> = {
  distribution: () => import('./distribution.ts'),
  calibration: () => import('./calibration.ts'),
  policy: () => import('./policy.ts'),
  simulation: () => import('./simulation.ts'),
  import: () => import('../packages/warehouse/bench/import.ts'),
  load: () => import('./load.ts'),
  report: () => import('./report.ts'),
  scale: () => import('./scale.ts'),
};

const only = process.argv.slice(2);
for (const [name, load] of Object.entries(BENCHES)) {
  if (only.length && !only.includes(name)) continue;
  console.log(`\n== ${name} ==`);
  await (await load()).run();
}
