import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

/**
 * The running server advertises itself next to the database file, so CLI commands that write
 * (import, demo) go through it instead of fighting over DuckDB's single-writer lock.
 */
export interface ServerInfo {
  pid: number;
  url: string;
  startedAt: string;
  /**
   * Secret for the administrative routes (POST /api/backup, /api/publish): only a process that can
   * read this file (the same user) may ask the server to write files, never a web page that merely
   * reaches the loopback port.
   */
  token?: string;
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
  // Owner-only: the file carries the admin token.
  writeFileSync(infoPath(dbPath), JSON.stringify(info, null, 2), { mode: 0o600 });
  chmodSync(infoPath(dbPath), 0o600); // a stale file from a crashed server keeps its old mode otherwise
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
