import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONVERSION_MAX_AGE_MS, prepareSource, pruneConversions } from '../src/import/read.ts';

/*
 * Converted copies of uploads (GBK text re-encoded to UTF-8, workbooks turned into CSV) are made
 * once per file version and shared by preview, the fast KPI path and the import; they must not
 * pile up in the temp folder for ever.
 */
const dir = mkdtempSync(join(tmpdir(), 'perflens-conversions-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.useRealTimers());

/** A small GBK-encoded CSV (工号,姓名 + a row), which prepareSource converts to UTF-8. */
function gbkFile(name: string): string {
  const path = join(dir, name);
  // 工号,姓名\nE1,张三\n in GBK.
  writeFileSync(path, Buffer.from('b9a4bac52cd0d5c3fb0a45312cd5c5c8fd0a', 'hex'));
  return path;
}

describe('converted files', () => {
  it('a day unused, a conversion is removed; younger ones and other files stay', () => {
    const work = join(dir, 'sweep');
    mkdirSync(work);
    const now = Date.now();
    const old = (now - CONVERSION_MAX_AGE_MS - 60_000) / 1000;
    for (const name of ['0123456789abcdef.xlsx.csv', 'fedcba9876543210.utf8.csv', 'aaaaaaaaaaaaaaaa.utf8.csv', 'notes.csv']) writeFileSync(join(work, name), 'x');
    for (const name of ['0123456789abcdef.xlsx.csv', 'fedcba9876543210.utf8.csv', 'notes.csv']) utimesSync(join(work, name), old, old);
    expect(pruneConversions(work, CONVERSION_MAX_AGE_MS, now)).toBe(2);
    expect(readdirSync(work).sort()).toEqual(['aaaaaaaaaaaaaaaa.utf8.csv', 'notes.csv']);
  });

  it('a conversion swept away is made again on the next use', async () => {
    const work = join(dir, 'again');
    const src = gbkFile('again.csv');
    const first = await prepareSource(src, { dir: work });
    expect(first.path).not.toBe(src);
    rmSync(first.path);
    const second = await prepareSource(src, { dir: work });
    expect(existsSync(second.path)).toBe(true);
  });

  it('a conversion dropped from the cache takes its file along once it is no longer in use', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const work = join(dir, 'evict');
    const paths: string[] = [];
    // 50 conversions fill the cache.
    for (let i = 0; i < 50; i++) paths.push((await prepareSource(gbkFile(`evict-${i}.csv`), { dir: work })).path);
    await prepareSource(gbkFile('evict-50.csv'), { dir: work });
    // The first was dropped, but it was used a moment ago: an import may still be reading it.
    expect(existsSync(paths[0]!)).toBe(true);
    vi.setSystemTime(Date.now() + 11 * 60 * 1000);
    // A use puts a conversion last in line.
    expect((await prepareSource(join(dir, 'evict-1.csv'), { dir: work })).path).toBe(paths[1]);
    await prepareSource(gbkFile('evict-51.csv'), { dir: work });
    // evict-2 was next in line and unused for 11 minutes: its file went with it.
    expect([existsSync(paths[0]!), existsSync(paths[1]!), existsSync(paths[2]!), existsSync(paths[3]!)]).toEqual([true, true, false, true]);
  });
});
