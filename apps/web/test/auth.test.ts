import { afterEach, describe, expect, it, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROLE_LABELS_AUTH, USER_ROLES } from '@perflens/core/auth/permissions';
import { proceduresOf, setUnauthorizedHandler, trpc, unauthorizedIn } from '../src/api/client';
import { brokenRules } from '../src/auth/password';
import { safeNext } from '../src/auth/session';
import { inUiLanguage } from '../src/auth/messages';

const json = (body: unknown, status: number) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const unauthorized = (path: string) => ({ error: { message: '请先登录 / Please sign in', code: -32001, data: { code: 'UNAUTHORIZED', httpStatus: 401, path } } });

afterEach(() => {
  vi.unstubAllGlobals();
  setUnauthorizedHandler(null);
});

describe('the UNAUTHORIZED watch of the tRPC client', () => {
  it('reads the procedures of single and batched URLs', () => {
    expect(proceduresOf('/trpc/meta.overview')).toEqual(['meta.overview']);
    expect(proceduresOf('/trpc/auth.me,distribution.grades?batch=1&input=%7B%7D')).toEqual(['auth.me', 'distribution.grades']);
  });

  it('finds the refused parts of a mixed (207) batch and every part of a 401', async () => {
    const url = '/trpc/auth.me,meta.overview?batch=1';
    expect(await unauthorizedIn(url, json([{ result: { data: null } }, unauthorized('meta.overview')], 207))).toEqual(['meta.overview']);
    expect(await unauthorizedIn('/trpc/a,b?batch=1', json([unauthorized('a'), unauthorized('b')], 401))).toEqual(['a', 'b']);
    expect(await unauthorizedIn(url, json([{ result: { data: null } }, { result: { data: 1 } }], 200))).toEqual([]);
  });

  it('calls the handler on a lost session, not on a wrong password', async () => {
    const seen: string[] = [];
    setUnauthorizedHandler((p) => seen.push(p));
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string) => {
        const procs = proceduresOf(url);
        return json(url.includes('batch=1') ? procs.map(unauthorized) : unauthorized(procs[0]!), 401);
      }),
    );
    await expect(trpc.meta.overview.query()).rejects.toThrow();
    expect(seen).toEqual(['meta.overview']);
    const c = trpc as unknown as { auth: { signIn: { mutate(i: unknown): Promise<unknown> } } };
    await expect(c.auth.signIn.mutate({ login: 'a', password: 'b' })).rejects.toThrow();
    expect(seen).toEqual(['meta.overview']);
  });
});

describe('sign-in helpers', () => {
  it('only follows `next` to paths on this site', () => {
    expect(safeNext('/policy?x=1')).toBe('/policy?x=1');
    expect(safeNext(['/data'])).toBe('/data');
    for (const bad of ['//evil.example', 'https://evil.example', '/\\evil.example', undefined, 3]) expect(safeNext(bad)).toBe('/');
  });

  it('mirrors the server password rules', () => {
    expect(brokenRules('short', {})).toContain('length');
    expect(brokenRules('aaaaaaaaaaaa', {})).toEqual(['variety']);
    expect(brokenRules('xx-alice-2024!', { login: 'Alice' })).toEqual(['login']);
    expect(brokenRules('Correct-Horse-9', { current: 'Correct-Horse-9', confirm: 'other' })).toEqual(['differs', 'confirm']);
    expect(brokenRules('Correct-Horse-9', { current: 'x', confirm: 'Correct-Horse-9' })).toEqual([]);
  });

  it('shows the UI-language half of a bilingual server message', () => {
    expect(inUiLanguage('登录名或密码不正确 / Wrong login name or password')).toBe('登录名或密码不正确');
    expect(inUiLanguage('plain message / with slash')).toBe('plain message / with slash');
  });
});

describe('user role labels', () => {
  it('match the labels of core permissions', () => {
    const zh = JSON.parse(readFileSync(join(__dirname, '../src/locales/zh-CN.json'), 'utf8'));
    const en = JSON.parse(readFileSync(join(__dirname, '../src/locales/en.json'), 'utf8'));
    for (const r of USER_ROLES) {
      expect(zh.auth.roles[r]).toBe(ROLE_LABELS_AUTH[r].zh);
      expect(en.auth.roles[r]).toBe(ROLE_LABELS_AUTH[r].en);
    }
  });
});
