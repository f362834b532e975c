import type { Ref } from 'vue';
import { errorMessage } from '@/api/client';
import { downloadBase64 } from '@/lib/download';
import { ElMessage } from '@/lib/feedback';

/** What every export procedure answers (tRPC carries JSON, so the file comes as base64). */
export interface ExportedFile {
  fileName: string;
  mimeType: string;
  base64: string;
}

/**
 * Runs an export and saves its file, with `busy` on meanwhile: a success toast naming the file,
 * or the server's message (already in the user's language) as an error toast. True when saved.
 * Only for components: it loads the toast styles.
 */
export async function saveExport(busy: Ref<boolean>, make: () => Promise<ExportedFile>, done: (fileName: string) => string): Promise<boolean> {
  busy.value = true;
  try {
    const out = await make();
    downloadBase64(out.fileName, out.base64, out.mimeType);
    ElMessage.success(done(out.fileName));
    return true;
  } catch (err) {
    ElMessage.error(errorMessage(err));
    return false;
  } finally {
    busy.value = false;
  }
}
