import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { appRouter, type Context } from '@perflens/api';
import type { Warehouse } from '@perflens/warehouse';
import { log } from './log.ts';
import { WEB_DIST } from './paths.ts';

/** A plain HTTP route beside tRPC (file upload and downloads, which are not JSON). */
export interface Route {
  method: 'GET' | 'POST';
  /** Exact path or a prefix ending in '/'. */
  path: string;
  handle(req: IncomingMessage, res: ServerResponse, ctx: { wh: Warehouse; lang: 'zh' | 'en' }): Promise<void>;
}

export const VERSION = '0.1.0';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.csv': 'text/csv; charset=utf-8',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

export function languageOf(req: IncomingMessage): 'zh' | 'en' {
  const header = String(req.headers['x-perflens-lang'] ?? req.headers['accept-language'] ?? 'zh');
  return header.toLowerCase().startsWith('en') ? 'en' : 'zh';
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

/**
 * The request target as a URL. A target in origin form is a path even when it starts with '//':
 * resolved against a base, '//' would read as a host ('//' itself is then an invalid URL, and
 * '//assets/a.js' the file /a.js on host 'assets').
 */
function requestUrl(req: IncomingMessage): URL {
  const target = req.url ?? '/';
  return target.startsWith('/') ? new URL(`http://x${target}`) : new URL(target, 'http://x');
}

function serveStatic(url: URL, res: ServerResponse, webDist: string): void {
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    // A malformed escape (%E0%A4%A) is the client's error, not a file name.
    sendJson(res, 400, { error: 'Malformed URL path. / 请求路径格式错误。' });
    return;
  }
  const rel = normalize(path).replace(/^([/\\])+/, '');
  let file = join(webDist, rel);
  if (!file.startsWith(webDist + sep) && file !== webDist) {
    res.writeHead(403).end();
    return;
  }
  if (!existsSync(file) || statSync(file).isDirectory()) {
    // Client-side routes fall back to the SPA shell; missing assets are real 404s.
    if (rel.startsWith('assets/')) {
      res.writeHead(404).end();
      return;
    }
    file = join(webDist, 'index.html');
  }
  if (!existsSync(file)) {
    res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('The dashboard is not built yet: run `pnpm --filter @perflens/web build`. / 仪表盘尚未构建。');
    return;
  }
  const immutable = rel.startsWith('assets/');
  res.writeHead(200, {
    'content-type': MIME[extname(file)] ?? 'application/octet-stream',
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  createReadStream(file)
    .on('error', (err) => {
      // Removed or unreadable under a running server (a dashboard rebuild, a disk error): this
      // response is cut short; an unhandled stream error would end the process.
      log.warn('static file error', { file: rel, err: String(err) });
      res.destroy();
    })
    .pipe(res);
}

export function createAppServer(wh: Warehouse, routes: Route[] = [], webDist = WEB_DIST): Server {
  const trpc = createHTTPHandler({
    router: appRouter,
    basePath: '/trpc/',
    // Plain clients (curl, Python) may POST a JSON body to any procedure, queries included.
    allowMethodOverride: true,
    createContext: ({ req }): Context => ({ wh, lang: languageOf(req) }),
    onError: ({ path, error }) => {
      if (error.code === 'INTERNAL_SERVER_ERROR') log.error('trpc error', { path, err: String(error.cause ?? error) });
    },
  });

  return createServer((req, res) => {
    try {
      handle(req, res);
    } catch (err) {
      // One bad request must never take the server down: a synchronous throw is that request's 500.
      log.error('request error', { url: req.url, err: String(err) });
      if (!res.headersSent) sendJson(res, 500, { error: 'Internal error. / 服务器内部错误。' });
      else res.end();
    }
  });

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const started = performance.now();
    let url: URL;
    try {
      url = requestUrl(req);
    } catch {
      sendJson(res, 400, { error: 'Malformed URL. / 请求地址格式错误。' });
      return;
    }
    res.on('finish', () =>
      log.debug('request', { method: req.method, path: url.pathname, status: res.statusCode, ms: +(performance.now() - started).toFixed(1) }),
    );
    if (url.pathname === '/healthz') {
      wh.schemaVersion()
        .then((schema) => sendJson(res, 200, { status: 'ok', version: VERSION, schema }))
        .catch((err) => sendJson(res, 503, { status: 'error', version: VERSION, error: String(err) }));
      return;
    }
    if (url.pathname.startsWith('/trpc/')) {
      trpc(req, res);
      return;
    }
    const route = routes.find(
      (r) => r.method === req.method && (r.path.endsWith('/') ? url.pathname.startsWith(r.path) : url.pathname === r.path),
    );
    if (route) {
      route.handle(req, res, { wh, lang: languageOf(req) }).catch((err) => {
        log.error('route error', { path: url.pathname, err: String(err) });
        if (!res.headersSent) sendJson(res, 500, { error: String((err as Error).message ?? err) });
        else res.end();
      });
      return;
    }
    if (req.method === 'GET' || req.method === 'HEAD') {
      serveStatic(url, res, webDist);
      return;
    }
    sendJson(res, 404, { error: 'not found' });
  }
}
