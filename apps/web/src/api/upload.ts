import { currentLang } from '@/lang';

export interface UploadResult {
  uploadId: string;
  fileName: string;
  size: number;
}

/** The raw file goes in the body (no multipart) so big files stream straight to disk on the server. */
export async function uploadFile(file: File): Promise<UploadResult> {
  const res = await fetch(`/api/upload?name=${encodeURIComponent(file.name)}`, {
    method: 'POST',
    // x-perflens-upload: the server refuses an upload without it. A page on another site cannot
    // add it without the server's leave (a CORS preflight it never grants), so uploads are same-origin.
    headers: { 'content-type': 'application/octet-stream', 'x-perflens-lang': currentLang(), 'x-perflens-upload': '1' },
    body: file,
  });
  const body = (await res.json().catch(() => ({}))) as Partial<UploadResult> & { error?: string };
  if (!res.ok || !body.uploadId) throw new Error(body.error ?? `HTTP ${res.status}`);
  return body as UploadResult;
}

export function reportUrl(reportId: string): string {
  return `/api/import-report/${encodeURIComponent(reportId)}.csv`;
}
