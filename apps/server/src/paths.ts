import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root, so relative defaults work whatever the current directory is. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const WEB_DIST = resolve(REPO_ROOT, 'apps/web/dist');
export const DEFAULT_DB = resolve(REPO_ROOT, 'data/perflens.duckdb');
/** Published snapshots (`perflens publish`, `perflens serve --read-only`). */
export const DEFAULT_SNAPSHOTS = resolve(REPO_ROOT, 'data/published');
