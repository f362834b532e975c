import { i18n } from '@/i18n';
import { ElMessage } from '@/lib/feedback';
import { copyText } from './messages';

/** Copies a secret shown once (a token, a one-time password) and says whether it worked. */
export async function copyWithFeedback(text: string): Promise<void> {
  if (await copyText(text)) ElMessage.success(i18n.global.t('account.copied'));
  else ElMessage.warning(i18n.global.t('account.copyFailed'));
}
