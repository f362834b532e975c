import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uploadFile, Warehouse } from '@perflens/warehouse';
import { createAppServer } from '../src/http.ts';
import { loadFixture } from '../../../packages/warehouse/test/queries.fixture.ts';
import { signInFetches } from './signed-in.ts';

let dir: string;
let wh: Warehouse;
let server: Server;
let base: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perflens-http-'));
  wh = await Warehouse.open({ path: join(dir, 'http.duckdb') });
  await loadFixture(wh);
  server = createAppServer(wh, [], join(dir, 'no-web'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  await signInFetches(wh, base);
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await wh.closeWhenIdle();
  rmSync(dir, { recursive: true, force: true });
});

/** Exactly what `curl "$base/trpc/<proc>?input=<urlencoded json>"` sends. */
async function get(proc: string, input?: unknown) {
  const qs = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  const res = await fetch(`${base}/trpc/${proc}${qs}`);
  return { status: res.status, body: (await res.json()) as any };
}

describe('HTTP API as plain JSON', () => {
  it('answers /healthz', async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok' });
  });

  it('a malformed URL escape is a 400 for that request and the server keeps answering', async () => {
    // fetch() would normalise the path, so the raw request line goes out as written.
    const { request } = await import('node:http');
    const { port } = new URL(base);
    const raw = (path: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    expect(await raw('/%E0%A4%A')).toBe(400);
    expect(await raw('/assets/%ZZ')).toBe(400);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('a path starting with // is a path, not a host', async () => {
    // http://host// is what a base URL with a trailing slash plus '/' gives; it used to be a 400.
    const web = join(dir, 'web-slashes');
    mkdirSync(join(web, 'assets'), { recursive: true });
    writeFileSync(join(web, 'index.html'), '<!doctype html><title>shell</title>');
    writeFileSync(join(web, 'assets', 'a.js'), 'export const a = 1;');
    const srv = createAppServer(wh, [], web);
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const { request } = await import('node:http');
    const port = (srv.address() as { port: number }).port;
    const get = (path: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path }, (res) => {
          let body = '';
          res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end();
      });
    try {
      expect(await get('//')).toEqual({ status: 200, body: '<!doctype html><title>shell</title>' });
      expect(await get('//assets/a.js')).toEqual({ status: 200, body: 'export const a = 1;' });
      // '//[' once threw inside the request handler and ended the process; it is a client route now.
      expect(await get('//[')).toEqual({ status: 200, body: '<!doctype html><title>shell</title>' });
      expect((await get('/healthz')).status).toBe(200);
    } finally {
      await new Promise((r) => srv.close(r));
    }
  });

  it('a dashboard file that fails while it is read costs that request only', async () => {
    // /proc/self/mem opens but every read fails (EIO): the same as a file removed or damaged
    // under a running server, e.g. while the dashboard is rebuilt.
    const web = join(dir, 'web-broken');
    mkdirSync(join(web, 'assets'), { recursive: true });
    symlinkSync('/proc/self/mem', join(web, 'assets', 'app.js'));
    const srv = createAppServer(wh, [], web);
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(srv.address() as { port: number }).port}`;
    try {
      const outcome = await fetch(`${url}/assets/app.js`).then((r) => r.text()).then(() => 'answered', () => 'aborted');
      expect(['answered', 'aborted']).toContain(outcome);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
    } finally {
      await new Promise((r) => srv.close(r));
    }
  });

  it('GET distribution.grades with a URL-encoded JSON input', async () => {
    const { status, body } = await get('distribution.grades', { groupBy: 'period', orgUnitId: 'SALES' });
    expect(status).toBe(200);
    // SALES subtree by month: January 16 graded rows (S-N 5, S-S 5, direct 5 … minus none), February 10 + 1 ungraded.
    expect(body.result.data.ungraded).toBe(1);
    expect(body.result.data.groups.map((g: any) => [g.key, g.total, g.counts.E])).toEqual([
      ['2024-01', 15, 1],
      ['2024-02', 10, 10],
    ]);
  });

  it('GET without input uses the defaults; meta lists are plain arrays', async () => {
    expect((await get('distribution.grades')).body.result.data.groups[0].total).toBe(35);
    expect((await get('meta.orgUnits')).body.result.data[0]).toEqual({ id: 'HQ', name: '总公司', parentId: null, kind: 'company', depth: 0 });
    expect((await get('meta.periods')).body.result.data[1]).toEqual({ id: '2024-Q1', kind: 'quarter', startDate: '2024-01-01', endDate: '2024-03-31' });
  });

  it('employees.list returns bonus as an exact decimal string', async () => {
    const { body } = await get('employees.list', { search: 'E16', sort: { field: 'period', order: 'asc' } });
    const rows = body.result.data.rows;
    expect(rows.map((r: any) => r.periodId)).toEqual(['2024-01', '2024-03']);
    expect(typeof rows[0].bonus).toBe('string');
    expect(rows[0].bonus).toMatch(/^\d+\.\d{2}$/);
  });

  it('POST with a plain JSON body answers like GET, for queries too', async () => {
    const input = { orgUnitId: 'SALES', from: '2024-02', to: '2024-02', bins: 5, min: 0, max: 10 };
    const res = await fetch(`${base}/trpc/distribution.scores`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(input),
    });
    expect(res.status).toBe(200);
    const posted = ((await res.json()) as any).result.data;
    expect(posted.bins.map((b: any) => b.count)).toEqual([1, 2, 2, 2, 3]);
    expect(posted).toEqual((await get('distribution.scores', input)).body.result.data);
  });

  it('distribution.scores and raters over GET', async () => {
    const s = await get('distribution.scores', { orgUnitId: 'SALES', from: '2024-02', to: '2024-02', bins: 5, min: 0, max: 10 });
    expect(s.body.result.data.bins.map((b: any) => b.count)).toEqual([1, 2, 2, 2, 3]);
    expect(s.body.result.data.stats.p90).toBeCloseTo(9.1, 12);
    const r = await get('distribution.raters', { relations: ['supervisor'], minN: 4 });
    expect(r.body.result.data.raters.map((x: any) => [x.raterId, x.n, x.lowN])).toEqual([
      ['E05', 4, false],
      ['E10', 4, false],
    ]);
  });

  it('answers 400 with a readable zod message for bad input', async () => {
    const { status, body } = await get('employees.list', { pageSize: 1000, sort: { field: 'salary', order: 'asc' } });
    expect(status).toBe(400);
    expect(body.error.data.code).toBe('BAD_REQUEST');
    expect(body.error.message).toContain('pageSize');
    expect(body.error.message).toMatch(/sort[\s\S]*field|field[\s\S]*sort/);
    expect(body.error.message).toMatch(/200/);
    const bad = await get('distribution.scores', { min: 9, max: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('min must be less than max / 直方图下限 min 必须小于上限 max');
    // The code and message are for the caller; the server's stack trace is not.
    expect(bad.body.error.data).toMatchObject({ code: 'BAD_REQUEST', httpStatus: 400 });
    expect(bad.body.error.data.stack).toBeUndefined();
  });
});

/** The header every upload carries (the dashboard and the CLI send it). */
const UPLOAD = { 'x-perflens-upload': '1' };

/** A server with the upload routes over its own database file, closed after `fn`. */
async function withUploadServer(file: string, fn: (url: string, db: Warehouse) => Promise<void>): Promise<void> {
  const { routes } = await import('../src/routes/index.ts');
  const db = await Warehouse.open({ path: join(dir, file) });
  const srv = createAppServer(db, routes, join(dir, 'no-web'));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  try {
    const url = `http://127.0.0.1:${(srv.address() as { port: number }).port}`;
    await signInFetches(db, url);
    await fn(url, db);
  } finally {
    await new Promise((r) => srv.close(r));
    await db.closeWhenIdle();
  }
}

describe('uploading a broken file over HTTP', () => {
  it('preview names the line of a quote that never closes, in the caller language; the import refuses it and writes nothing', async () => {
    await withUploadServer('upload.duckdb', async (url, db) => {
      const text = '部门编号,部门名称\nd1,"销售一部\nd2,销售二部\n';
      const up = await fetch(`${url}/api/upload?name=${encodeURIComponent('部门.csv')}`, { method: 'POST', body: text, headers: UPLOAD });
      const { uploadId } = (await up.json()) as { uploadId: string };
      const preview = async (lang: string) => {
        const res = await fetch(`${url}/trpc/import.preview?input=${encodeURIComponent(JSON.stringify({ uploadId, table: 'org_units' }))}`, { headers: { 'x-perflens-lang': lang } });
        return { status: res.status, message: ((await res.json()) as any).error.message as string };
      };
      expect(await preview('en')).toEqual({ status: 400, message: expect.stringMatching(/^部门\.csv: Row 2: a value opens with a double quote that is never closed/) });
      expect((await preview('zh')).message).toMatch(/^部门\.csv：第 2 行：以英文双引号开始的内容一直没有结束/);
      const run = await fetch(`${url}/trpc/import.run`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ uploadId, table: 'org_units', mapping: { id: '部门编号', name: '部门名称' }, constants: {}, onDuplicate: 'reject' }),
      });
      const result = ((await run.json()) as any).result.data;
      expect(result).toMatchObject({ ok: false, errorCount: 1, errors: [{ row: 2, code: 'format' }] });
      expect(await db.query(`SELECT count(*)::INTEGER AS n FROM org_units`)).toEqual([{ n: 0 }]);
      expect(await db.query(`SELECT count(*)::INTEGER AS n FROM import_batches`)).toEqual([{ n: 0 }]);
    });
  });
});

describe('upload housekeeping', () => {
  it('a new upload removes uploads older than a day, and keeps recent ones usable', async () => {
    await withUploadServer('prune.duckdb', async (url, db) => {
      const upload = async (body: string) => ((await (await fetch(`${url}/api/upload?name=a.csv`, { method: 'POST', body, headers: UPLOAD })).json()) as { uploadId: string }).uploadId;
      const tooLong = await fetch(`${url}/api/upload?name=${encodeURIComponent('长'.repeat(256))}`, { method: 'POST', body: 'x', headers: UPLOAD });
      expect([tooLong.status, ((await tooLong.json()) as { error: string }).error]).toEqual([400, expect.stringContaining('at most 255 characters')]);
      const old = await upload('id,name\nd1,一部\n');
      const recent = await upload('id,name\nd2,二部\n');
      const twoDaysAgo = new Date(Date.now() - 2 * 24 * 3600 * 1000);
      for (const f of [uploadFile(db, old), `${uploadFile(db, old)}.json`]) utimesSync(f, twoDaysAgo, twoDaysAgo);
      // Not ours: a file with another name in the folder is left alone whatever its age.
      const stranger = join(uploadFile(db, old), '..', 'notes.txt');
      writeFileSync(stranger, 'x');
      utimesSync(stranger, twoDaysAgo, twoDaysAgo);
      await upload('id,name\nd3,三部\n');
      expect([existsSync(uploadFile(db, old)), existsSync(`${uploadFile(db, old)}.json`)]).toEqual([false, false]);
      expect([existsSync(uploadFile(db, recent)), existsSync(`${uploadFile(db, recent)}.json`), existsSync(stranger)]).toEqual([true, true, true]);
      const preview = await fetch(`${url}/trpc/import.preview?input=${encodeURIComponent(JSON.stringify({ uploadId: old, table: 'org_units' }))}`);
      expect(((await preview.json()) as any).error.message).toMatch(/upload the file again/);
    });
  });
});
