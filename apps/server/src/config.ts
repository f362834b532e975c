import { z } from 'zod';
import { resolve } from 'node:path';
import { DEFAULT_DB, DEFAULT_SNAPSHOTS } from './paths.ts';

const boolish = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no'])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

const SIZE = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)?$/i;
const UNIT: Record<string, number> = { b: 1, kb: 2 ** 10, mb: 2 ** 20, gb: 2 ** 30, tb: 2 ** 40, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40 };
/** A size as bytes: `2GB`, `500MB`, `1048576` (KB/MB/GB count in 1024s, as the upload limits are written). */
const byteSize = z
  .string()
  .regex(SIZE, 'a size such as 2GB, 500MB or a number of bytes')
  .transform((v) => {
    const [, n, unit] = SIZE.exec(v.trim())!;
    return Math.floor(Number(n) * UNIT[(unit ?? 'b').toLowerCase()]!);
  })
  .refine((n) => n >= 1, 'at least 1 byte');

/** A name the server answers to: a host name, an IPv4 address or a bracketed IPv6 address, with an optional port. */
const HOST_ENTRY = /^(\[[0-9a-f:.]+\]|[a-z0-9_](?:[a-z0-9_.-]*[a-z0-9_])?)(:\d{1,5})?$/i;
const hostList = z
  .string()
  .transform((v) => v.split(',').map((h) => h.trim().toLowerCase()).filter((h) => h.length > 0))
  .refine((list) => list.length > 0, 'name at least one host, e.g. localhost:8320')
  .refine((list) => list.every((h) => HOST_ENTRY.test(h)), 'host names with an optional port, comma-separated, e.g. perflens.example.com,10.0.0.5:8320,[::1]:8320 (no scheme or path)');

/** The limits and checks of the HTTP server (see README, Configuration). */
const httpSchema = z.object({
  /** Procedures in one tRPC batch. */
  PERFLENS_MAX_BATCH: z.coerce.number().int().min(1).max(1000).default(10),
  /** Heavy procedures (packages/api isHeavyProcedure) in one tRPC batch. */
  PERFLENS_MAX_HEAVY: z.coerce.number().int().min(1).max(1000).default(3),
  PERFLENS_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1).default(30_000),
  /** import.run and import.preview: a file of up to 512 MB. */
  PERFLENS_IMPORT_TIMEOUT_MS: z.coerce.number().int().min(1).default(30 * 60_000),
  /** Unset: the bound address, localhost, 127.0.0.1 and [::1], each with the port. */
  PERFLENS_ALLOWED_HOSTS: hostList.optional(),
  /** All uploads kept at once (they are removed a day after they arrive). */
  PERFLENS_UPLOAD_QUOTA: byteSize.default(2 * 2 ** 30),
});

const envSchema = httpSchema.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(8320),
  HOST: z.string().default('127.0.0.1'),
  /** The first administrator's initial password on a database without users (automated installs); must be changed at first sign-in. */
  PERFLENS_ADMIN_PASSWORD: z.string().min(8).max(200).optional(),
  PERFLENS_DB: z.string().min(1).default(DEFAULT_DB),
  PERFLENS_THREADS: z.coerce.number().int().min(1).max(256).default(2),
  PERFLENS_MEMORY_LIMIT: z.string().regex(/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i, 'e.g. 4GB').default('4GB'),
  PERFLENS_POOL: z.coerce.number().int().min(1).max(32).default(4),
  /** Load the demo company when the database is empty (on by default). */
  PERFLENS_DEMO: boolish.default(true),
  PERFLENS_DEMO_EMPLOYEES: z.coerce.number().int().min(10).max(1_000_000).default(1200),
  /** Serve the snapshot PERFLENS_SNAPSHOTS/current.json points at, read-only (`serve --read-only`). */
  PERFLENS_READ_ONLY: boolish.default(false),
  /** Where `perflens publish` writes snapshots and read-only servers read them. */
  PERFLENS_SNAPSHOTS: z.string().min(1).default(DEFAULT_SNAPSHOTS),
  /** How often a read-only server looks at current.json besides watching it (file-change events can be missed). */
  PERFLENS_SNAPSHOT_POLL_MS: z.coerce.number().int().min(50).max(600_000).default(1000),
  /** Snapshots `perflens publish` keeps (the newest ones). */
  PERFLENS_KEEP_SNAPSHOTS: z.coerce.number().int().min(1).max(1000).default(3),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
});

export type Config = z.infer<typeof envSchema>;

function parseEnv<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv): z.infer<T> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message} (got ${JSON.stringify(env[String(i.path[0])])})`);
    throw new Error(`Invalid configuration / 配置错误:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

/** Reads and validates the environment; a bad value stops the start with a message naming it. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cfg = parseEnv(envSchema, env);
  return { ...cfg, PERFLENS_DB: cfg.PERFLENS_DB === ':memory:' ? cfg.PERFLENS_DB : resolve(cfg.PERFLENS_DB), PERFLENS_SNAPSHOTS: resolve(cfg.PERFLENS_SNAPSHOTS) };
}

/** What the HTTP server enforces; createAppServer takes it, tests pass small values. */
export interface HttpOptions {
  maxBatch: number;
  maxHeavy: number;
  requestTimeoutMs: number;
  importTimeoutMs: number;
  /** Lower-case `name` or `name:port` entries; null = the defaults for the address the server is bound to. */
  allowedHosts: string[] | null;
  uploadQuotaBytes: number;
  /** The server-info token: a loopback request presenting it is the local operator (local-operator.ts). */
  operatorToken?: string;
}

export function httpOptions(cfg: z.infer<typeof httpSchema>): HttpOptions {
  return {
    maxBatch: cfg.PERFLENS_MAX_BATCH,
    maxHeavy: cfg.PERFLENS_MAX_HEAVY,
    requestTimeoutMs: cfg.PERFLENS_REQUEST_TIMEOUT_MS,
    importTimeoutMs: cfg.PERFLENS_IMPORT_TIMEOUT_MS,
    allowedHosts: cfg.PERFLENS_ALLOWED_HOSTS ?? null,
    uploadQuotaBytes: cfg.PERFLENS_UPLOAD_QUOTA,
  };
}

/** The HTTP settings alone (a server built without a full Config, as the tests build theirs). */
export function httpOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): HttpOptions {
  return httpOptions(parseEnv(httpSchema, env));
}
