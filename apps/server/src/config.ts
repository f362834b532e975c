import { z } from 'zod';
import { resolve } from 'node:path';
import { DEFAULT_DB } from './paths.ts';

const boolish = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no'])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8320),
  HOST: z.string().default('127.0.0.1'),
  PERFLENS_DB: z.string().min(1).default(DEFAULT_DB),
  PERFLENS_THREADS: z.coerce.number().int().min(1).max(256).default(2),
  PERFLENS_MEMORY_LIMIT: z.string().regex(/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i, 'e.g. 4GB').default('4GB'),
  PERFLENS_POOL: z.coerce.number().int().min(1).max(32).default(4),
  /** Load the demo company when the database is empty (on by default). */
  PERFLENS_DEMO: boolish.default(true),
  PERFLENS_DEMO_EMPLOYEES: z.coerce.number().int().min(10).max(1_000_000).default(1200),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
});

export type Config = z.infer<typeof envSchema>;

/** Reads and validates the environment; a bad value stops the start with a message naming it. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message} (got ${JSON.stringify(env[String(i.path[0])])})`);
    throw new Error(`Invalid configuration / 配置错误:\n${lines.join('\n')}`);
  }
  const cfg = parsed.data;
  return { ...cfg, PERFLENS_DB: cfg.PERFLENS_DB === ':memory:' ? cfg.PERFLENS_DB : resolve(cfg.PERFLENS_DB) };
}
