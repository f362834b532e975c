import { rmSync } from 'node:fs';

/** The temp database is the run's only leftover. */
export default function teardown(): void {
  const db = process.env.E2E_DB;
  if (!db) return;
  for (const suffix of ['', '.wal', '.server.json']) rmSync(db + suffix, { force: true });
}
