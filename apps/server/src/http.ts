import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import { appRouter, type Context } from '@perflens/api';
import { isHeavyProcedure } from '@perflens/api/trpc';
import { cliActor, runAs, type Actor, type Warehouse } from '@perflens/warehouse';
import { can, type Permission } from '@perflens/core';
import { AuthService } from '@perflens/auth';
import { httpOptionsFromEnv, type HttpOptions } from './config.ts';
import { log } from './log.ts';
import { isLocalOperator } from './local-operator.ts';
import { WEB_DIST } from './paths.ts';

/** What a plain route is handed besides the request. */
export interface RouteContext {
  wh: Warehouse;
  lang: 'zh' | 'en';
  options: HttpOptions;
  /** The signed-in caller (checked against the route's permission before it runs), or null for a route without one. */
  actor: Actor | null;
}

/** A plain HTTP route beside tRPC (file upload and downloads, which are not JSON). */
export interface Route {
  /** A GET route answers HEAD too. */
  method: 'GET' | 'POST';
  /** Exact path or a prefix ending in '/'. */
  path: string;
  /**
   * What the caller needs, as for tRPC procedures: checked before `handle` runs (401 without a
   * session or token, 403 without the permission). `none` = the route checks its caller itself
   * (the CLI's loopback routes, which present the server-info token).
   */
  permission: Permission | 'none';
  handle(req: IncomingMessage, res: ServerResponse, ctx: RouteContext): Promise<void>;
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

/**
 * The dashboard is a Vite build: one module script and stylesheets from /assets, no inline script
 * and no eval (templates and locale messages are precompiled). Inline styles are needed: ECharts
 * writes style attributes into its tooltips and Element Plus positions popovers with them. Images
 * include data: (the favicon) and blob: (chart snapshots). Nothing may frame the dashboard.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ');

/** Sent with every response, JSON and errors included. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

/** Methods this server knows; anything else (TRACE, PUT, DELETE …) is a 405. */
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'OPTIONS']);

/**
 * The Host names a request may carry: `name:port` entries match exactly, a bare `name` matches any
 * port. A DNS-rebinding page reaches this server under the attacker's own name, so refusing every
 * name not listed keeps such a page from reading anything (or running anything) here.
 */
export class AllowedHosts {
  private readonly exact = new Set<string>();
  private readonly anyPort = new Set<string>();

  constructor(entries: string[]) {
    for (const e of entries) {
      const { name, port } = splitHost(e.toLowerCase());
      if (port === null) this.anyPort.add(name);
      else this.exact.add(`${name}:${port}`);
    }
  }

  /**
   * The defaults for the address the server is bound to: that address, localhost, 127.0.0.1 and
   * [::1], each with the port. Bound to every interface (0.0.0.0, ::), the server is meant to be
   * reached by this machine's addresses and name, so those are added.
   */
  static defaultsFor(addr: AddressInfo): AllowedHosts {
    const names = new Set(['localhost', '127.0.0.1', '[::1]', bracket(addr.address)]);
    if (addr.address === '0.0.0.0' || addr.address === '::') {
      for (const list of Object.values(networkInterfaces())) for (const i of list ?? []) names.add(bracket(i.address));
      names.add(hostname().toLowerCase());
    }
    return new AllowedHosts([...names].map((n) => `${n}:${addr.port}`));
  }

  /** `Host` header or an Origin's host; a missing port is HTTP's 80. */
  allows(host: string | undefined): boolean {
    if (!host) return false;
    const { name, port } = splitHost(host.trim().toLowerCase());
    return this.anyPort.has(name) || this.exact.has(`${name}:${port ?? '80'}`);
  }
}

function bracket(address: string): string {
  return address.includes(':') && !address.startsWith('[') ? `[${address}]` : address.toLowerCase();
}

function splitHost(host: string): { name: string; port: string | null } {
  const m = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(host);
  if (!m) return { name: host, port: null };
  return { name: m[1]!, port: m[2] ? String(Number(m[2])) : null };
}

export function languageOf(req: IncomingMessage): 'zh' | 'en' {
  const header = String(req.headers['x-perflens-lang'] ?? req.headers['accept-language'] ?? 'zh');
  return header.toLowerCase().startsWith('en') ? 'en' : 'zh';
}

/** The session cookie: never readable by scripts, never sent by another site's page. */
export const SESSION_COOKIE = 'perflens_session';

function sessionCookie(token: string | null, maxAgeMs: number): string {
  return token
    ? `${SESSION_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${Math.floor(maxAgeMs / 1000)}`
    : `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`;
}

function cookieValue(header: string | undefined, name: string): string | null {
  if (!header || header.length > 8192) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || null;
  }
  return null;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

/**
 * An error in tRPC's own shape (`{error: {message, code, data: {code, httpStatus}}}`), for requests
 * to /trpc refused before tRPC sees them: the dashboard's client shows the message as it shows any
 * procedure error (one object answers every procedure of a batch), and curl users read it as JSON.
 */
const REFUSAL_STATUS = { BAD_REQUEST: 400, FORBIDDEN: 403, NOT_FOUND: 404, METHOD_NOT_SUPPORTED: 405, UNSUPPORTED_MEDIA_TYPE: 415 } as const;
function sendTrpcError(res: ServerResponse, code: keyof typeof REFUSAL_STATUS, message: string, headers: Record<string, string> = {}): void {
  const httpStatus = REFUSAL_STATUS[code];
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  sendJson(res, httpStatus, { error: { message, code: TRPC_ERROR_CODES_BY_KEY[code], data: { code, httpStatus } } });
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

/** The procedure paths a /trpc request names, as tRPC reads them (a batch lists them comma-separated). */
function trpcPaths(url: URL): string[] {
  const trim = (p: string) => p.replace(/^\//, '').replace(/\/$/, '');
  let path = trim(trim(url.pathname).slice('trpc'.length));
  try {
    path = decodeURIComponent(path);
  } catch {
    /* tRPC answers a bad escape itself */
  }
  return url.searchParams.get('batch') === '1' ? path.split(',') : [path];
}

/** The media type of a Content-Type header, without parameters. */
function mediaType(req: IncomingMessage): string {
  return String(req.headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase();
}

const REFUSED_HOST =
  'This server does not answer to the host name in this request. An administrator can add it to PERFLENS_ALLOWED_HOSTS. / ' +
  '此服务器不接受该请求中的主机名；管理员可将其加入 PERFLENS_ALLOWED_HOSTS。\n';
const REFUSED_ORIGIN =
  'Requests from another site are refused: open the dashboard on this server itself. / 拒绝来自其他网站的请求：请直接在本服务器上打开仪表盘。';

export function createAppServer(
  wh: Warehouse,
  routes: Route[] = [],
  webDist = WEB_DIST,
  options: HttpOptions = httpOptionsFromEnv(),
  auth: AuthService = new AuthService(wh),
): Server {
  /** The caller of a request: a session cookie or a personal API token (Authorization: Bearer). */
  async function callerOf(req: IncomingMessage): Promise<{ actor: (Actor & { mustChangePassword?: boolean }) | null; ip: string | null; sessionToken: string | null }> {
    const ip = req.socket.remoteAddress ?? null;
    if (isLocalOperator(req, options.operatorToken)) return { actor: { ...cliActor(), ip }, ip, sessionToken: null };
    const sessionToken = cookieValue(req.headers.cookie, SESSION_COOKIE);
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? null;
    // An explicit token wins: a script that sends one means that identity, whatever the browser holds.
    const actor = bearer ? await auth.fromBearer(bearer, ip) : sessionToken ? await auth.fromSession(sessionToken, ip) : null;
    return { actor, ip, sessionToken };
  }

  const trpc = createHTTPHandler({
    router: appRouter,
    basePath: '/trpc/',
    // Plain clients (curl, Python) may POST a JSON body to any procedure, queries included.
    allowMethodOverride: true,
    // The largest legitimate body is a displayed table sent for XLSX export (table.exportXlsx:
    // 20,000 rows); anything larger is refused while it streams in, before it is parsed.
    maxBodySize: 16 * 1024 * 1024,
    createContext: async ({ req, res }): Promise<Context> => {
      const caller = await callerOf(req);
      return {
        wh,
        lang: languageOf(req),
        limits: { requestMs: options.requestTimeoutMs, longMs: options.importTimeoutMs },
        http: {
          auth,
          actor: caller.actor,
          ip: caller.ip,
          sessionToken: caller.sessionToken,
          setSession: (token) => res.appendHeader('set-cookie', sessionCookie(token, auth.options.absoluteMs)),
        },
      };
    },
    onError: ({ path, error }) => {
      if (error.code === 'INTERNAL_SERVER_ERROR') log.error('trpc error', { path, err: String(error.cause ?? error) });
      else if (error.code === 'SERVICE_UNAVAILABLE') log.warn('procedure stopped at its time limit', { path });
    },
  });

  // Known once the server listens (the port may be 0 until then); configured names replace the defaults.
  let hosts: AllowedHosts | null = options.allowedHosts ? new AllowedHosts(options.allowedHosts) : null;

  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (err) {
      // One bad request must never take the server down: a synchronous throw is that request's 500.
      log.error('request error', { url: req.url, err: String(err) });
      if (!res.headersSent) sendJson(res, 500, { error: 'Internal error. / 服务器内部错误。' });
      else res.end();
    }
  });
  server.on('listening', () => {
    const addr = server.address();
    if (!options.allowedHosts && addr && typeof addr === 'object') hosts = AllowedHosts.defaultsFor(addr);
  });
  return server;

  /** The methods a path answers, for 405 and OPTIONS; null = nothing there (404). */
  function allowedMethods(pathname: string): string[] | null {
    if (pathname === '/healthz') return ['GET', 'HEAD'];
    if (pathname.startsWith('/trpc/')) return ['GET', 'HEAD', 'POST'];
    const matching = routes.filter((r) => (r.path.endsWith('/') ? pathname.startsWith(r.path) : pathname === r.path));
    if (matching.length > 0) return [...new Set(matching.flatMap((r) => (r.method === 'GET' ? ['GET', 'HEAD'] : [r.method])))];
    if (pathname.startsWith('/api/')) return null;
    return ['GET', 'HEAD'];
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const started = performance.now();
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);

    // First of all, before anything is read or run: a DNS-rebinding page must not even learn
    // whether the server is up.
    if (!hosts?.allows(req.headers.host)) {
      res.writeHead(421, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(REFUSED_HOST);
      return;
    }
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
    const isTrpc = url.pathname.startsWith('/trpc/');
    const refuse = (status: 403 | 404 | 405 | 415, message: string, headers: Record<string, string> = {}) => {
      if (isTrpc) sendTrpcError(res, status === 403 ? 'FORBIDDEN' : status === 404 ? 'NOT_FOUND' : status === 405 ? 'METHOD_NOT_SUPPORTED' : 'UNSUPPORTED_MEDIA_TYPE', message, headers);
      else {
        for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
        sendJson(res, status, { error: message });
      }
    };

    // Same origin only. A browser names the page's origin on every cross-origin request and on
    // every POST; it must be one of ours. Sec-Fetch-Site also marks a cross-site <img>/<script>
    // GET, which sends no Origin: the API does no work for another site's page.
    const origin = req.headers.origin;
    if (origin !== undefined) {
      let originHost: string | null = null;
      try {
        const o = new URL(origin);
        if (o.protocol === 'http:' || o.protocol === 'https:') originHost = o.host;
      } catch {
        /* "null" (a sandboxed frame, a file:// page) or garbage: not ours */
      }
      if (!originHost || !hosts.allows(originHost)) return refuse(403, REFUSED_ORIGIN);
    }
    const site = req.headers['sec-fetch-site'];
    if ((site === 'cross-site' || site === 'same-site') && (isTrpc || url.pathname.startsWith('/api/') || url.pathname === '/healthz'))
      return refuse(403, REFUSED_ORIGIN);

    const method = req.method ?? 'GET';
    const allow = allowedMethods(url.pathname);
    if (method === 'OPTIONS') {
      // No CORS allowances: a preflight from another origin gets none, so the browser stops there.
      res.writeHead(allow ? 204 : 404, allow ? { allow: [...allow, 'OPTIONS'].join(', ') } : {});
      res.end();
      return;
    }
    if (!allow) return refuse(404, 'Not found. / 未找到。');
    if (!KNOWN_METHODS.has(method) || !allow.includes(method))
      return refuse(405, `This method is not allowed here; use ${allow.join(', ')}. / 此地址不接受该请求方法，请使用 ${allow.join('、')}。`, {
        allow: [...allow, 'OPTIONS'].join(', '),
      });

    if (url.pathname === '/healthz') {
      wh.withSignal(AbortSignal.timeout(options.requestTimeoutMs), () => wh.schemaVersion())
        .then((schema) => sendJson(res, 200, { status: 'ok', version: VERSION, schema }))
        .catch((err) => {
          log.error('health check failed', { err: String(err) });
          sendJson(res, 503, { status: 'error', version: VERSION, error: 'The database does not answer. / 数据库无响应。' });
        });
      return;
    }
    if (isTrpc) {
      // A browser form can POST text/plain, urlencoded or multipart bodies to another site without
      // asking first; JSON needs a CORS preflight, which this server never grants.
      if (method === 'POST' && mediaType(req) !== 'application/json')
        return refuse(415, 'POST to /trpc needs the header content-type: application/json. / 向 /trpc 发送 POST 请求须带请求头 content-type: application/json。');
      // Limits per request, checked before any procedure runs: one request must not multiply the work.
      const paths = trpcPaths(url);
      if (paths.length > options.maxBatch)
        return sendTrpcError(
          res,
          'BAD_REQUEST',
          `一次批量请求最多包含 ${options.maxBatch} 个过程，本次有 ${paths.length} 个；请分批发送 / a batch may carry at most ${options.maxBatch} procedures, this one has ${paths.length}; send them in smaller batches`,
        );
      const heavy = paths.filter(isHeavyProcedure);
      if (heavy.length > options.maxHeavy)
        return sendTrpcError(
          res,
          'BAD_REQUEST',
          `一次批量请求最多包含 ${options.maxHeavy} 个重型计算，本次有 ${heavy.length} 个（${[...new Set(heavy)].join('、')}）；请分开发送 / ` +
            `a batch may carry at most ${options.maxHeavy} heavy procedures, this one has ${heavy.length} (${[...new Set(heavy)].join(', ')}); send them separately`,
        );
      trpc(req, res);
      return;
    }
    const route = routes.find(
      (r) => (r.method === method || (r.method === 'GET' && method === 'HEAD')) && (r.path.endsWith('/') ? url.pathname.startsWith(r.path) : url.pathname === r.path),
    );
    if (route) {
      const lang = languageOf(req);
      // The caller, checked against the route's permission; null once a refusal has been sent.
      const gate = async (): Promise<{ actor: Actor | null } | null> => {
        if (route.permission === 'none') return { actor: null };
        const { actor } = await callerOf(req);
        if (!actor) sendJson(res, 401, { error: lang === 'en' ? 'Please sign in.' : '请先登录。' });
        else if (actor.mustChangePassword || !can(actor.role, route.permission))
          sendJson(res, 403, { error: lang === 'en' ? 'Your role may not do this.' : '你的角色无权执行此操作。' });
        else return { actor };
        return null;
      };
      gate()
        .then((g) => g && runAs(g.actor ?? cliActor(), () => route.handle(req, res, { wh, lang, options, actor: g.actor })))
        .catch((err) => {
        // The cause goes to the log; the caller gets no library message or path.
        log.error('route error', { path: url.pathname, err: String(err) });
        if (!res.headersSent) sendJson(res, 500, { error: 'Internal error. / 服务器内部错误。' });
        else res.end();
      });
      return;
    }
    serveStatic(url, res, webDist);
  }
}
