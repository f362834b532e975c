import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

/**
 * The running server advertises itself next to the database file, so CLI commands that write
 * (import, demo) go through it instead of fighting over DuckDB's single-writer lock.
 */
export interface ServerInfo {
  pid: number;
  url: string;
  startedAt: string;
}

const infoPath = (dbPath: string) => `${dbPath}.server.json`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function writeServerInfo(dbPath: string, info: ServerInfo): void {
  writeFileSync(infoPath(dbPath), JSON.stringify(info, null, 2));
}

export function clearServerInfo(dbPath: string): void {
  rmSync(infoPath(dbPath), { force: true });
}

/** The server running on this database, if any (stale files from a crashed server are ignored). */
export function readServerInfo(dbPath: string): ServerInfo | null {
  const p = infoPath(dbPath);
  if (!existsSync(p)) return null;
  try {
    const info = JSON.parse(readFileSync(p, 'utf8')) as ServerInfo;
    return alive(info.pid) ? info : null;
  } catch {
    return null;
  }
}
