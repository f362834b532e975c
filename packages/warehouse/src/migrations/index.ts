import * as m001 from './001_canonical.ts';

/** Ordered, append-only list. Never edit a shipped migration: add the next number. */
export const MIGRATIONS: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  { version: 1, name: m001.name, sql: m001.sql },
];
