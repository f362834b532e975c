import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * The local operator: the `perflens` CLI on the machine running the server. It proves itself with
 * the token in the server-info file next to the database (readable by the server's user alone)
 * and may only call from the loopback interface. It holds the database file anyway, so it acts
 * as the administrator (imports through the running server, backups, publishing).
 */
export const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
export const OPERATOR_HEADER = 'x-perflens-token';

export function tokenMatches(given: unknown, token: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function isLocalOperator(req: IncomingMessage, token: string | undefined): boolean {
  return !!token && LOOPBACK.has(req.socket.remoteAddress ?? '') && tokenMatches(req.headers[OPERATOR_HEADER], token);
}
