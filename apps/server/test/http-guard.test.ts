import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDemo } from '@perflens/demo';
import { uploadFile, Warehouse } from '@perflens/warehouse';
import { httpOptionsFromEnv, loadConfig, type HttpOptions } from '../src/config.ts';
import { createAppServer, SECURITY_HEADERS, type Route } from '../src/http.ts';
import { routes } from '../src/routes/index.ts';
import { loadFixture } from '../../../packages/warehouse/test/queries.fixture.ts';
import { tokenFor } from './signed-in.ts';

let dir: string;
let wh: Warehouse;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perflens-guard-'));
  wh = await Warehouse.open({ path: join(dir, 'guard.duckdb') });
  await loadFixture(wh);
});
afterAll(async () => {
  await wh.closeWhenIdle();
  rmSync(dir, { recursive: true, force: true });
});

const defaults = httpOptionsFromEnv({});
/** The admin token of each test server, by port (raw() sends it). */
const tokens = new Map<number, string>();

/** A server over `db` with `options` on a free port of 127.0.0.1, closed after `fn`. */
async function withServer(
  fn: (s: { port: number; base: string }) => Promise<void>,
  { db = wh, options = {}, serverRoutes = routes, web = join(dir, 'no-web') }: { db?: Warehouse; options?: Partial<HttpOptions>; serverRoutes?: Route[]; web?: string } = {},
): Promise<void> {
  const srv: Server = createAppServer(db, serverRoutes, web, { ...defaults, ...options });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as AddressInfo).port;
  // The guards under test come before or beside access control: requests are a signed-in admin's.
  tokens.set(port, await tokenFor(db));
  try {
    await fn({ port, base: `http://127.0.0.1:${port}` });
  } finally {
    srv.closeAllConnections();
    await new Promise((r) => srv.close(r));
    // An import's background refresh outlives its request: let it finish before the test (or
    // afterAll) closes the database under it.
    await db.settled();
  }
}

interface Raw {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  json: () => any;
}

/** One request exactly as written (fetch would not let a test choose Host or send TRACE). */
function raw(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: string | Buffer | Buffer[]): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const auth: Record<string, string> = tokens.has(port) ? { authorization: `Bearer ${tokens.get(port)}` } : {};
    const req = request({ host: '127.0.0.1', port, method, path, headers: { host: `127.0.0.1:${port}`, ...auth, ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c)).on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, json: () => JSON.parse(text) }),
      );
    });
    req.on('error', reject);
    if (Array.isArray(body)) {
      // Chunked, without a length: the server only learns the size as it arrives.
      for (const chunk of body) req.write(chunk);
      req.end();
    } else req.end(body);
  });
}

const json = { 'content-type': 'application/json' };
const policyCount = async (db = wh) => (await db.query<{ n: number }>('SELECT count(*)::INTEGER AS n FROM policies'))[0]!.n;

describe('security headers', () => {
  it('every response carries them: data, errors, refusals, the dashboard shell', async () => {
    await withServer(async ({ port }) => {
      const responses = [
        await raw(port, 'GET', '/healthz'),
        await raw(port, 'GET', '/trpc/meta.orgUnits'),
        await raw(port, 'GET', '/trpc/employees.list?input=' + encodeURIComponent('{"pageSize":1000}')),
        await raw(port, 'GET', '/trpc/nope.nothing'),
        await raw(port, 'GET', '/overview'), // the SPA shell (503: not built in this test)
        await raw(port, 'GET', '/api/nothing'),
        await raw(port, 'TRACE', '/'),
        await raw(port, 'GET', '/healthz', { host: 'evil.example' }),
        await raw(port, 'POST', '/trpc/policy.create', { ...json, origin: 'http://evil.example' }, '{}'),
      ];
      expect(responses.map((r) => r.status)).toEqual([200, 200, 400, 404, 503, 404, 405, 421, 403]);
      for (const r of responses) for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect([r.status, name, r.headers[name]]).toEqual([r.status, name, value]);
      expect(SECURITY_HEADERS['content-security-policy']).toMatch(/script-src 'self';.*frame-ancestors 'none'; base-uri 'none'; object-src 'none'/);
    });
  });
});

describe('methods', () => {
  it('TRACE and other unknown methods answer 405 with Allow; OPTIONS answers 204 without CORS allowances', async () => {
    await withServer(async ({ port }) => {
      const trace = await raw(port, 'TRACE', '/trpc/meta.orgUnits');
      expect([trace.status, trace.headers.allow]).toEqual([405, 'GET, HEAD, POST, OPTIONS']);
      expect(trace.json().error.data).toMatchObject({ code: 'METHOD_NOT_SUPPORTED', httpStatus: 405 });
      expect((await raw(port, 'TRACE', '/')).headers.allow).toBe('GET, HEAD, OPTIONS');
      for (const m of ['PUT', 'DELETE', 'PATCH']) expect((await raw(port, m, '/api/upload')).status).toBe(405);
      expect((await raw(port, 'PUT', '/api/upload')).headers.allow).toBe('POST, OPTIONS');
      expect((await raw(port, 'POST', '/healthz')).status).toBe(405);
      expect((await raw(port, 'POST', '/index.html')).status).toBe(405);
      const options = await raw(port, 'OPTIONS', '/trpc/policy.create', { origin: `http://127.0.0.1:${port}`, 'access-control-request-method': 'POST' });
      expect([options.status, options.headers.allow]).toEqual([204, 'GET, HEAD, POST, OPTIONS']);
      expect(Object.keys(options.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
      // A preflight from another site is refused outright.
      expect((await raw(port, 'OPTIONS', '/trpc/policy.create', { origin: 'http://evil.example' })).status).toBe(403);
      expect((await raw(port, 'GET', '/healthz')).status).toBe(200);
    });
  });
});

describe('Host check (DNS rebinding)', () => {
  it('by default answers to the bound address, localhost, 127.0.0.1 and [::1] with the port, and nothing else', async () => {
    await withServer(async ({ port }) => {
      for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`]) expect([host, (await raw(port, 'GET', '/healthz', { host })).status]).toEqual([host, 200]);
      for (const host of ['evil.example', `evil.example:${port}`, `127.0.0.1:${port + 1}`, 'localhost', `localhost.evil.example:${port}`]) {
        for (const path of ['/healthz', '/trpc/meta.overview', '/', '/api/upload']) {
          const r = await raw(port, 'GET', path, { host });
          expect([host, path, r.status]).toEqual([host, path, 421]);
          // Plain text that says nothing about the server but what to configure.
          expect(r.headers['content-type']).toBe('text/plain; charset=utf-8');
          expect(r.body).toContain('PERFLENS_ALLOWED_HOSTS');
          expect(r.body).not.toMatch(/version|schema|status/);
        }
      }
      // The rebinding page cannot write either.
      const before = await policyCount();
      expect((await raw(port, 'POST', '/trpc/policy.create', { ...json, host: `evil.example:${port}` }, JSON.stringify({ name: 'x', effectiveFrom: '2024-02-01' }))).status).toBe(421);
      expect(await policyCount()).toBe(before);
    });
  });

  it('PERFLENS_ALLOWED_HOSTS replaces the defaults; a name without a port matches any port', async () => {
    expect(loadConfig({ PERFLENS_ALLOWED_HOSTS: ' PerfLens.Example.com , 10.0.0.5:8320,[::1]:8320' }).PERFLENS_ALLOWED_HOSTS).toEqual(['perflens.example.com', '10.0.0.5:8320', '[::1]:8320']);
    expect(() => loadConfig({ PERFLENS_ALLOWED_HOSTS: 'http://perflens.example.com/' })).toThrow(/PERFLENS_ALLOWED_HOSTS/);
    await withServer(
      async ({ port }) => {
        expect((await raw(port, 'GET', '/healthz', { host: 'perflens.example.com' })).status).toBe(200);
        expect((await raw(port, 'GET', '/healthz', { host: 'perflens.example.com:443' })).status).toBe(200);
        // The Host a proxy in front passes on, whatever port this server itself listens on.
        expect((await raw(port, 'GET', '/healthz', { host: 'lan.example:8320' })).status).toBe(200);
        expect((await raw(port, 'GET', '/healthz', { host: 'lan.example:1' })).status).toBe(421);
        expect((await raw(port, 'GET', '/healthz', { host: `127.0.0.1:${port}` })).status).toBe(421); // no longer listed
      },
      { options: { allowedHosts: ['perflens.example.com', 'lan.example:8320'] } },
    );
  });
});

describe('cross-site requests', () => {
  const policy = JSON.stringify({ name: '跨站', effectiveFrom: '2024-02-01' });

  it('a mutation from another origin is refused before it runs; from our own origin it runs', async () => {
    await withServer(async ({ port }) => {
      const before = await policyCount();
      for (const origin of ['http://evil.example', `http://evil.example:${port}`, 'null', `https://127.0.0.1.evil.example:${port}`]) {
        const r = await raw(port, 'POST', '/trpc/policy.create', { ...json, origin }, policy);
        expect([origin, r.status]).toEqual([origin, 403]);
        expect(r.json().error).toMatchObject({ data: { code: 'FORBIDDEN', httpStatus: 403 }, message: expect.stringMatching(/another site.*其他网站/s) });
      }
      // A cross-site <img>/<form> GET sends no Origin, but the browser marks it.
      expect((await raw(port, 'GET', '/trpc/meta.overview', { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
      expect(await policyCount()).toBe(before);
      const ok = await raw(port, 'POST', '/trpc/policy.create', { ...json, origin: `http://localhost:${port}`, 'sec-fetch-site': 'same-origin' }, policy);
      expect(ok.status).toBe(200);
      expect(await policyCount()).toBe(before + 1);
    });
  });

  it('POST to /trpc without a JSON content type is refused (415) and runs nothing', async () => {
    await withServer(async ({ port }) => {
      const before = await policyCount();
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/octet-stream', undefined]) {
        const r = await raw(port, 'POST', '/trpc/policy.create', type ? { 'content-type': type } : {}, policy);
        expect([type, r.status]).toEqual([type, 415]);
        expect(r.json().error.message).toContain('content-type: application/json');
      }
      expect(await policyCount()).toBe(before);
      // With parameters the media type is still JSON.
      expect((await raw(port, 'POST', '/trpc/distribution.grades', { 'content-type': 'Application/JSON; charset=utf-8' }, '{}')).status).toBe(200);
    });
  });

  it('an upload from another origin, or without x-perflens-upload, is refused', async () => {
    await withServer(async ({ port }) => {
      const cross = await raw(port, 'POST', '/api/upload?name=a.csv', { 'x-perflens-upload': '1', origin: 'http://evil.example' }, 'id,name\n');
      expect([cross.status, cross.json().error]).toEqual([403, expect.stringContaining('其他网站')]);
      const bare = await raw(port, 'POST', '/api/upload?name=a.csv', { 'content-type': 'text/plain' }, 'id,name\n');
      expect([bare.status, bare.json().error]).toEqual([403, expect.stringMatching(/x-perflens-upload: 1.*x-perflens-upload: 1/s)]);
      const ok = await raw(port, 'POST', '/api/upload?name=a.csv', { 'x-perflens-upload': '1', origin: `http://127.0.0.1:${port}` }, 'id,name\n');
      expect([ok.status, ok.json().size]).toEqual([200, 8]);
    });
  });
});

describe('upload quota', () => {
  it('an upload that would take the folder over the quota is refused 413; day-old uploads are pruned first', async () => {
    const db = await Warehouse.open({ path: join(dir, 'quota', 'q.duckdb') });
    try {
      await withServer(
        async ({ port }) => {
          const up = (body: string | Buffer[]) => raw(port, 'POST', '/api/upload?name=q.csv', { 'x-perflens-upload': '1' }, body);
          const first = await up('x'.repeat(600));
          expect(first.status).toBe(200);
          // 600 bytes + its sidecar are kept: another 600 do not fit in 1000.
          const refused = await up('y'.repeat(600));
          expect(refused.status).toBe(413);
          expect(refused.json().error).toMatch(/quota.*上传空间不足/s);
          expect(refused.json().error).not.toContain(dir);
          // Sent in chunks without a length: refused once what arrived passes the quota, nothing left behind.
          const chunked = await up([Buffer.alloc(200, 'a'), Buffer.alloc(200, 'b'), Buffer.alloc(200, 'c')]);
          expect(chunked.status).toBe(413);
          expect((await up('z'.repeat(200))).status).toBe(200);
          // The first upload turns a day old: the next upload prunes it, and then fits.
          const twoDaysAgo = new Date(Date.now() - 2 * 24 * 3600 * 1000);
          const id = first.json().uploadId as string;
          for (const f of [uploadFile(db, id), `${uploadFile(db, id)}.json`]) utimesSync(f, twoDaysAgo, twoDaysAgo);
          expect((await up('w'.repeat(600))).status).toBe(200);
        },
        { db, options: { uploadQuotaBytes: 1000 } },
      );
    } finally {
      db.close();
    }
  });

  it('concurrent uploads cannot together overfill the folder', async () => {
    const db = await Warehouse.open({ path: join(dir, 'quota2', 'q.duckdb') });
    try {
      await withServer(
        async ({ port }) => {
          const results = await Promise.all(
            Array.from({ length: 5 }, (_, i) => raw(port, 'POST', '/api/upload?name=c.csv', { 'x-perflens-upload': '1' }, [Buffer.alloc(150, 'a'), Buffer.alloc(150, String(i))])),
          );
          const stored = results.filter((r) => r.status === 200).length;
          expect(results.every((r) => r.status === 200 || r.status === 413)).toBe(true);
          expect(stored * 300).toBeLessThanOrEqual(1000);
          expect(stored).toBeGreaterThanOrEqual(1);
        },
        { db, options: { uploadQuotaBytes: 1000 } },
      );
    } finally {
      db.close();
    }
  });

  it('PERFLENS_UPLOAD_QUOTA reads sizes; the default is 2 GB', () => {
    expect(httpOptionsFromEnv({}).uploadQuotaBytes).toBe(2 * 1024 ** 3);
    expect(httpOptionsFromEnv({ PERFLENS_UPLOAD_QUOTA: '500MB' }).uploadQuotaBytes).toBe(500 * 1024 ** 2);
    expect(httpOptionsFromEnv({ PERFLENS_UPLOAD_QUOTA: '1048576' }).uploadQuotaBytes).toBe(1048576);
    expect(() => httpOptionsFromEnv({ PERFLENS_UPLOAD_QUOTA: 'lots' })).toThrow(/PERFLENS_UPLOAD_QUOTA/);
  });
});

describe('batch limits', () => {
  const batch = (paths: string[], inputs: Record<number, unknown> = {}) =>
    `/trpc/${paths.join(',')}?batch=1&input=${encodeURIComponent(JSON.stringify(inputs))}`;

  it('more procedures than PERFLENS_MAX_BATCH (default 10) in one batch: 400 before any of them runs', async () => {
    expect(httpOptionsFromEnv({})).toMatchObject({ maxBatch: 10, maxHeavy: 3, requestTimeoutMs: 30_000, importTimeoutMs: 1_800_000, allowedHosts: null });
    await withServer(async ({ port }) => {
      const ten = await raw(port, 'GET', batch(Array(10).fill('meta.periods')));
      expect(ten.status).toBe(200);
      expect(ten.json()).toHaveLength(10);
      const eleven = await raw(port, 'GET', batch(Array(11).fill('meta.periods')));
      expect(eleven.status).toBe(400);
      expect(eleven.json().error).toMatchObject({ data: { code: 'BAD_REQUEST', httpStatus: 400 } });
      expect(eleven.json().error.message).toMatch(/最多包含 10 个过程，本次有 11 个.*at most 10 procedures, this one has 11/);
      // Mutations in an oversized batch: none of them ran.
      const before = await policyCount();
      const inputs = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [i, { name: `批量${i}`, effectiveFrom: '2024-02-01' }]));
      const writes = await raw(port, 'POST', batch(Array(11).fill('policy.create')), json, JSON.stringify(inputs));
      expect(writes.status).toBe(400);
      expect(await policyCount()).toBe(before);
      // A percent-encoded comma is still a comma to tRPC, so it counts as one.
      expect((await raw(port, 'GET', `/trpc/${Array(11).fill('meta.periods').join('%2C')}?batch=1`)).status).toBe(400);
    });
    await withServer(async ({ port }) => expect((await raw(port, 'GET', batch(['meta.periods', 'meta.periods', 'meta.periods']))).status).toBe(400), { options: { maxBatch: 2 } });
  });

  it('more heavy procedures than the heavy limit (default 3) in one batch: 400 naming them, before any runs', async () => {
    const ranking = { from: '2024-01', minGroupSize: 2 };
    await withServer(async ({ port }) => {
      const three = await raw(port, 'GET', batch(['ranking.forced', 'ranking.forced', 'ranking.forced', 'meta.periods'], { 0: ranking, 1: ranking, 2: ranking }));
      expect(three.status).toBe(200);
      expect(three.json().map((r: any) => Boolean(r.result))).toEqual([true, true, true, true]);
      const four = await raw(port, 'GET', batch(['ranking.forced', 'simulation.run', 'ranking.forced', 'ranking.forced'], { 0: ranking, 2: ranking, 3: ranking }));
      expect(four.status).toBe(400);
      expect(four.json().error.message).toMatch(/最多包含 3 个重型计算，本次有 4 个（ranking\.forced、simulation\.run）.*at most 3 heavy procedures, this one has 4 \(ranking\.forced, simulation\.run\)/);
      // Heavy mutations count too (calibration.session.create writes a session).
      const sessions = async () => (await wh.query<{ n: number }>('SELECT count(*)::INTEGER AS n FROM calibrations'))[0]!.n;
      const before = await sessions();
      const create = { name: 's', actor: 'hr', ranking };
      const writes = await raw(port, 'POST', batch(Array(4).fill('calibration.session.create')), json, JSON.stringify({ 0: create, 1: create, 2: create, 3: create }));
      expect(writes.status).toBe(400);
      expect(await sessions()).toBe(before);
    });
    await withServer(async ({ port }) => expect((await raw(port, 'GET', batch(['ranking.forced', 'ranking.forced'], { 0: ranking, 1: ranking }))).status).toBe(400), { options: { maxHeavy: 1 } });
  });
});

describe('time limit', () => {
  let demo: Warehouse;
  beforeAll(async () => {
    // One pooled connection: if a stopped request kept it busy, the next request would wait.
    demo = await Warehouse.open({ path: join(dir, 'demo', 'demo.duckdb'), poolSize: 1 });
    await loadDemo(demo, { employees: 200 });
  }, 120_000);
  afterAll(() => demo.closeWhenIdle());

  it('a procedure past the limit answers 503 with a bilingual message, and the pool answers right after on the same connection', async () => {
    const connection = async () => (await demo.query<{ id: string }>('SELECT current_connection_id()::BIGINT AS id'))[0]!.id;
    const before = await connection();
    await withServer(
      async ({ port }) => {
        const t0 = performance.now();
        const r = await raw(port, 'GET', `/trpc/simulation.run?input=${encodeURIComponent(JSON.stringify({ baseSchemeId: 'cs_ecommerce-v1' }))}`);
        expect(performance.now() - t0).toBeLessThan(5000);
        expect(r.status).toBe(503);
        expect(r.json().error).toMatchObject({ data: { code: 'SERVICE_UNAVAILABLE', httpStatus: 503 } });
        expect(r.json().error.message).toMatch(/超过 2 毫秒的处理时限，已停止.*took longer than the 2 ms limit and was stopped/);
        expect(r.body).not.toMatch(/INTERRUPT|SELECT|duckdb/i);
      },
      { db: demo, options: { requestTimeoutMs: 2 } },
    );
    const t1 = performance.now();
    expect(await demo.query('SELECT 1 AS x')).toEqual([{ x: 1 }]);
    expect(performance.now() - t1).toBeLessThan(1000);
    expect(await connection()).toBe(before);
    // And under the default limit the same procedure simply answers.
    await withServer(
      async ({ port }) => {
        const r = await raw(port, 'GET', `/trpc/simulation.run?input=${encodeURIComponent(JSON.stringify({ baseSchemeId: 'cs_ecommerce-v1' }))}`);
        expect(r.status).toBe(200);
      },
      { db: demo },
    );
  });

  it('imports run under their own, longer limit', async () => {
    await withServer(
      async ({ port }) => {
        const up = await raw(port, 'POST', '/api/upload?name=units.csv', { 'x-perflens-upload': '1' }, '部门编号,部门名称\nX1,导入测试部\n');
        const { uploadId } = up.json();
        const slow = await raw(port, 'GET', '/trpc/meta.overview');
        expect(slow.status).toBe(503);
        const run = await raw(port, 'POST', '/trpc/import.run', json, JSON.stringify({ uploadId, table: 'org_units', mapping: { id: '部门编号', name: '部门名称' }, constants: {}, onDuplicate: 'reject' }));
        expect([run.status, run.json().result?.data?.ok]).toEqual([200, true]);
      },
      { db: demo, options: { requestTimeoutMs: 1 } },
    );
  });
});
