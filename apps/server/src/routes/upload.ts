import { createWriteStream, rmSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { z } from 'zod';
import { getReport, newUploadId, pruneUploads, uploadFile, writeUploadMeta } from '@perflens/warehouse';
import { sendJson, type Route } from '../http.ts';

const MAX_BYTES = 512 * 1024 * 1024;
const nameSchema = z.string().trim().min(1).max(255);

/** POST /api/upload?name=<file name> with the raw file as body → { uploadId, fileName, size }. */
export const uploadRoute: Route = {
  method: 'POST',
  path: '/api/upload',
  async handle(req, res, { wh }) {
    const url = new URL(req.url ?? '/', 'http://x');
    const name = nameSchema.safeParse(url.searchParams.get('name') ?? '');
    if (!name.success) return sendJson(res, 400, { error: 'Give the file name as ?name=<file name>, at most 255 characters. / 请用 ?name= 给出文件名，最长 255 个字符。' });
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_BYTES) return sendJson(res, 413, { error: `File larger than ${MAX_BYTES / 1048576} MB. / 文件超过 ${MAX_BYTES / 1048576} MB。` });
    pruneUploads(wh);
    const uploadId = newUploadId();
    const path = uploadFile(wh, uploadId);
    let size = 0;
    // Streamed to disk with a running limit: chunked uploads carry no length to check up front.
    const limit = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        size += chunk.length;
        cb(size > MAX_BYTES ? new Error('too large') : null, chunk);
      },
    });
    try {
      await pipeline(req, limit, createWriteStream(path));
    } catch (err) {
      rmSync(path, { force: true });
      if (size > MAX_BYTES) return sendJson(res, 413, { error: `File larger than ${MAX_BYTES / 1048576} MB. / 文件超过 ${MAX_BYTES / 1048576} MB。` });
      throw err;
    }
    writeUploadMeta(wh, uploadId, { fileName: name.data, size });
    sendJson(res, 200, { uploadId, fileName: name.data, size });
  },
};

/** GET /api/import-report/<reportId>.csv: the error list of a rejected import, for Excel. */
export const importReportRoute: Route = {
  method: 'GET',
  path: '/api/import-report/',
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
