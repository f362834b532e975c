import { defineConfig } from '@playwright/test';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { launchOptions } from './launch.ts';
import { ADMIN_INITIAL_PASSWORD, ADMIN_STATE } from './tests/auth.ts';

// Chosen once in the runner process; workers inherit the env, so all agree on port and file.
process.env.E2E_PORT ??= String(20000 + Math.floor(Math.random() * 20000));
process.env.E2E_DB ??= join(tmpdir(), `perflens-e2e-${process.pid}-${Date.now()}.duckdb`);
const port = Number(process.env.E2E_PORT);
const repo = resolve(import.meta.dirname, '..');

export default defineConfig({
  testDir: './tests',
  fullyParallel: false,
  workers: 1,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  // Signs the first admin in, creates one user per role and saves the admin session (tests/auth.ts).
  globalSetup: './global-setup.ts',
  globalTeardown: './teardown.ts',
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    // Every test starts signed in as the admin; tests/auth.ts signInAs switches to another role.
    storageState: ADMIN_STATE,
    viewport: { width: 1440, height: 900 },
    launchOptions,
    trace: 'retain-on-failure',
  },
  webServer: {
    // The real product on a fresh database: `serve` loads the demo company into an empty file.
    command: `test -f apps/web/dist/index.html || pnpm --filter @perflens/web build; pnpm perflens serve`,
    cwd: repo,
    env: { PERFLENS_DB: process.env.E2E_DB, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', PERFLENS_ADMIN_PASSWORD: ADMIN_INITIAL_PASSWORD },
    url: `http://127.0.0.1:${port}/healthz`,
    timeout: 180_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
  },
});
