import { isAbsolute } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Warehouse } from '@perflens/warehouse';
import { backupTo, BackupError } from '@perflens/warehouse/backup';
import type { Config } from '../config.ts';
import { sendJson, VERSION, type Route } from '../http.ts';
import { log } from '../log.ts';
import { publishFrom } from '../commands/publish.ts';
import { LOOPBACK, tokenMatches } from '../local-operator.ts';

const MAX_BODY = 16 * 1024;

async function readBody(req: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error('too large');
    chunks.push(chunk as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/** BackupError codes as HTTP statuses (the message is ours, in both languages, and names no SQL). */
const STATUS: Record<BackupError['code'], number> = {
  exists: 409,
  'not-empty': 409,
  locked: 409,
  schema: 409,
  missing: 404,
  invalid: 400,
  corrupt: 500,
  checksum: 500,
};

/**
 * POST /api/backup and /api/publish, `{"dir": "/absolute/folder"}`: what `perflens backup` and
 * `perflens publish` send to the running server, which holds the database's write lock. They write
 * files where they are told, so they answer only on the loopback interface and only to a caller
 * presenting the token from the server-info file (readable by the server's user alone): a web page
 * that reaches the port through the user's browser has neither. One runs at a time.
 */
export function adminRoutes(opts: { token: string; cfg: Config }): Route[] {
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  };

  const route = (path: string, work: (wh: Warehouse, dir: string) => Promise<unknown>): Route => ({
    method: 'POST',
    path,
    // The CLI on this machine, proven by the server-info token (checked in handle).
    permission: 'none',
    async handle(req: IncomingMessage, res: ServerResponse, { wh }) {
      if (!LOOPBACK.has(req.socket.remoteAddress ?? ''))
        return sendJson(res, 403, { error: 'Only accepted from this machine. / 仅接受来自本机的请求。' });
      if (!tokenMatches(req.headers['x-perflens-token'], opts.token))
        return sendJson(res, 403, { error: 'Missing or wrong token: use the perflens CLI on this machine. / 令牌缺失或错误：请在本机使用 perflens 命令行。' });
      let body: unknown;
      try {
        body = await readBody(req);
      } catch {
        return sendJson(res, 400, { error: 'Send {"dir": "<absolute folder>"} as JSON. / 请以 JSON 发送 {"dir": "<绝对路径>"}。' });
      }
      const dir = (body as { dir?: unknown } | null)?.dir;
      if (typeof dir !== 'string' || !isAbsolute(dir) || dir.length > 4096)
        return sendJson(res, 400, { error: 'Send {"dir": "<absolute folder>"} as JSON. / 请以 JSON 发送 {"dir": "<绝对路径>"}。' });
      // Headers go out now and a line every 5 s after: a long backup is not mistaken for a dead one.
      res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store' });
      res.write(JSON.stringify({ started: new Date().toISOString(), version: VERSION }) + '\n');
      const beat = setInterval(() => res.write(JSON.stringify({ working: true }) + '\n'), 5000);
      try {
        const result = await serial(() => work(wh, dir));
        res.end(JSON.stringify({ ok: true, result }) + '\n');
      } catch (err) {
        if (err instanceof BackupError) {
          res.end(JSON.stringify({ ok: false, status: STATUS[err.code], error: err.message }) + '\n');
        } else {
          log.error('admin route failed', { path, err: String(err), cause: String((err as Error)?.cause ?? '') });
          res.end(JSON.stringify({ ok: false, status: 500, error: 'The server could not finish: see its log. / 服务器未能完成操作，详见服务器日志。' }) + '\n');
        }
      } finally {
        clearInterval(beat);
      }
    },
  });

  return [
    route('/api/backup', (wh, dir) => backupTo(wh, dir, { perflensVersion: VERSION })),
    route('/api/publish', (wh, dir) => publishFrom(wh, dir, opts.cfg)),
  ];
}
