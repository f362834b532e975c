import { createWriteStream, rmSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { z } from 'zod';
import { getReport, newUploadId, pruneUploads, uploadDir, uploadFile, writeUploadMeta, type Warehouse } from '@perflens/warehouse';
import { uploadsBytes } from '@perflens/warehouse/import/uploads';
import { sendJson, type Route } from '../http.ts';

const MAX_BYTES = 512 * 1024 * 1024;
const nameSchema = z.string().trim().min(1).max(255);

/**
 * The header an upload must carry. A page on another site can send a cross-site POST with a
 * raw body without asking (a "simple" request), but not with a custom header: the browser asks the
 * server first (CORS preflight), which this server never grants. The dashboard and `perflens
 * import` send it.
 */
export const UPLOAD_HEADER = 'x-perflens-upload';

const mb = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;

/**
 * Bytes of the uploads in one folder that are still arriving. On disk such a file is only as large
 * as what came so far, so the quota counts each at its declared length (or what arrived, whichever
 * is larger), and concurrent uploads cannot each see the folder empty and together overfill it.
 */
interface Ledger {
  /** Bytes of uploads completed in this process so far (only grows). */
  landed: number;
  streaming: Map<string, number>;
}
const ledgers = new Map<string, Ledger>();

function quotaTracker(wh: Warehouse, uploadId: string, declared: number) {
  const dir = uploadDir(wh);
  let ledger = ledgers.get(dir);
  if (!ledger) ledgers.set(dir, (ledger = { landed: 0, streaming: new Map() }));
  const l = ledger;
  // Files already there, without those still arriving (counted from the ledger instead).
  const stored = uploadsBytes(wh, new Set(l.streaming.keys()));
  const landedBefore = l.landed;
  l.streaming.set(uploadId, declared);
  return {
    /** Bytes in use or promised by others: what is stored, landed since, and still streaming. */
    usedByOthers(): number {
      let streaming = 0;
      for (const [id, n] of l.streaming) if (id !== uploadId) streaming += n;
      return stored + (l.landed - landedBefore) + streaming;
    },
    grow(size: number): void {
      l.streaming.set(uploadId, Math.max(declared, size));
    },
    done(landedBytes: number | null): void {
      l.streaming.delete(uploadId);
      if (landedBytes !== null) l.landed += landedBytes;
    },
  };
}

/** POST /api/upload?name=<file name> with the raw file as body → { uploadId, fileName, size }. */
export const uploadRoute: Route = {
  method: 'POST',
  path: '/api/upload',
  permission: 'data.import',
  async handle(req, res, { wh, options }) {
    if (req.headers[UPLOAD_HEADER] !== '1')
      return sendJson(res, 403, { error: `Uploads must carry the header ${UPLOAD_HEADER}: 1 (the dashboard and \`perflens import\` send it). / 上传请求须带请求头 ${UPLOAD_HEADER}: 1（仪表盘和 perflens import 会自动发送）。` });
    const url = new URL(req.url ?? '/', 'http://x');
    const name = nameSchema.safeParse(url.searchParams.get('name') ?? '');
    if (!name.success) return sendJson(res, 400, { error: 'Give the file name as ?name=<file name>, at most 255 characters. / 请用 ?name= 给出文件名，最长 255 个字符。' });
    const declared = Number(req.headers['content-length'] ?? 0) || 0;
    const tooLarge = () => sendJson(res, 413, { error: `File larger than ${MAX_BYTES / 1048576} MB. / 文件超过 ${MAX_BYTES / 1048576} MB。` });
    const quota = options.uploadQuotaBytes;
    const full = (used: number) =>
      sendJson(res, 413, {
        error:
          `Not enough upload space: ${mb(used)} MB of the ${mb(quota)} MB quota is in use. Uploads are removed a day after they arrive; try again later or ask the administrator to raise the quota. / ` +
          `上传空间不足：已用 ${mb(used)} MB，上限 ${mb(quota)} MB。上传的文件一天后自动删除，请稍后再试或请管理员提高上限。`,
      });
    if (declared > MAX_BYTES) return tooLarge();
    // Day-old uploads go first, so the quota counts only what is still kept.
    pruneUploads(wh);
    const uploadId = newUploadId();
    const tracker = quotaTracker(wh, uploadId, declared);
    if (tracker.usedByOthers() + declared > quota) {
      tracker.done(null);
      return full(tracker.usedByOthers());
    }
    const path = uploadFile(wh, uploadId);
    let size = 0;
    let overQuota = false;
    // Streamed to disk with a running limit: chunked uploads carry no length to check up front.
    const limit = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        size += chunk.length;
        tracker.grow(size);
        overQuota = size <= MAX_BYTES && tracker.usedByOthers() + size > quota;
        cb(size > MAX_BYTES || overQuota ? new Error('too large') : null, chunk);
      },
    });
    try {
      await pipeline(req, limit, createWriteStream(path));
    } catch (err) {
      rmSync(path, { force: true });
      tracker.done(null);
      if (size > MAX_BYTES) return tooLarge();
      if (overQuota) return full(tracker.usedByOthers());
      throw err;
    }
    writeUploadMeta(wh, uploadId, { fileName: name.data, size });
    tracker.done(size);
    sendJson(res, 200, { uploadId, fileName: name.data, size });
  },
};

/** GET /api/import-report/<reportId>.csv: the error list of a rejected import, for Excel. */
export const importReportRoute: Route = {
  method: 'GET',
  path: '/api/import-report/',
  permission: 'data.import',
  async handle(req, res) {
    const url = new URL(req.url ?? '/', 'http://x');
    const m = /^\/api\/import-report\/([a-f0-9]{24})\.csv$/.exec(url.pathname);
    const csv = m ? getReport(m[1]!) : undefined;
    if (!csv) return sendJson(res, 404, { error: 'Report not found (only the last 50 are kept). / 找不到错误报告（仅保留最近 50 份）。' });
    res.writeHead(200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="import-errors-${m![1]}.csv"`,
    });
    res.end(csv);
  },
};
