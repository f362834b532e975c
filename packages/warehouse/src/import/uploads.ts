import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Warehouse } from '../db.ts';

/**
 * Uploaded files live beside the database (same disk, so a 500 MB upload is not copied across
 * file systems) under a random id; the original name is kept in a small sidecar.
 */
export function uploadDir(wh: Warehouse): string {
  const dir = wh.path === ':memory:' ? join(tmpdir(), 'perflens-uploads') : join(dirname(wh.path), 'uploads');
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function newUploadId(): string {
  return randomBytes(16).toString('hex');
}

export function uploadFile(wh: Warehouse, uploadId: string): string {
  if (!/^[a-f0-9]{32}$/.test(uploadId)) throw new Error(`Invalid upload id / 无效的上传编号: ${uploadId}`);
  return join(uploadDir(wh), uploadId);
}

export function writeUploadMeta(wh: Warehouse, uploadId: string, meta: { fileName: string; size: number }): void {
  writeFileSync(`${uploadFile(wh, uploadId)}.json`, JSON.stringify(meta));
}

/** An upload is kept a day: long enough to fix a mapping and re-run, not long enough to fill the disk. */
export const UPLOAD_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/**
 * Deletes uploads (and their sidecars) last written more than `maxAgeMs` ago; called on every
 * new upload. Only names this module hands out are touched. Returns how many files went.
 */
export function pruneUploads(wh: Warehouse, maxAgeMs = UPLOAD_MAX_AGE_MS, now = Date.now()): number {
  const dir = uploadDir(wh);
  let removed = 0;
  for (const name of readdirSync(dir)) {
    if (!/^[a-f0-9]{32}(\.json)?$/.test(name)) continue;
    const path = join(dir, name);
    try {
      if (now - statSync(path).mtimeMs > maxAgeMs) {
        rmSync(path, { force: true });
        removed++;
      }
    } catch {
      /* removed meanwhile by another prune: nothing to do */
    }
  }
  return removed;
}

/**
 * Bytes the uploads (and their sidecars) take in the folder, for the server's total quota. Only
 * names this module hands out count; `exclude` leaves out uploads still arriving (counted by the
 * caller as they stream, since on disk they are only as large as what came so far).
 */
export function uploadsBytes(wh: Warehouse, exclude: ReadonlySet<string> = new Set()): number {
  const dir = uploadDir(wh);
  let total = 0;
  for (const name of readdirSync(dir)) {
    const m = /^([a-f0-9]{32})(\.json)?$/.exec(name);
    if (!m || exclude.has(m[1]!)) continue;
    try {
      total += statSync(join(dir, name)).size;
    } catch {
      /* removed meanwhile by a prune */
    }
  }
  return total;
}

/** The upload's file path and original name; a bilingual error when it is gone. */
export function resolveUpload(wh: Warehouse, uploadId: string): { path: string; fileName: string } {
  const path = uploadFile(wh, uploadId);
  if (!existsSync(path) || !existsSync(`${path}.json`))
    throw new Error(`Upload ${uploadId} not found: upload the file again. / 找不到上传的文件 ${uploadId}，请重新上传。`);
  const meta = JSON.parse(readFileSync(`${path}.json`, 'utf8')) as { fileName: string };
  return { path, fileName: meta.fileName };
}

/**
 * Error reports for download, kept in memory: the last 50 are enough for a person fixing a file.
 * Their total size is bounded too, so a run of hostile uploads (each report up to a thousand
 * errors) cannot grow the server: the oldest go first, the newest is always kept.
 */
const reports = new Map<string, string>();
const MAX_REPORT_CHARS = 32 << 20;
let reportChars = 0;
export function storeReport(csv: string): string {
  const id = randomBytes(12).toString('hex');
  reports.set(id, csv);
  reportChars += csv.length;
  while (reports.size > 50 || (reports.size > 1 && reportChars > MAX_REPORT_CHARS)) {
    const oldest = reports.keys().next().value!;
    reportChars -= reports.get(oldest)!.length;
    reports.delete(oldest);
  }
  return id;
}
export function getReport(id: string): string | undefined {
  return reports.get(id);
}
