import { TRPCClientError } from '@trpc/client';
import { currentLang } from '@/lang';
import { errorMessage } from '@/api/client';
import { intlLocale } from '@/lang';

/** The server's bilingual messages are "中文 / English": the part in the UI language. */
export function inUiLanguage(message: string): string {
  const i = message.indexOf(' / ');
  if (i < 0 || !/[\u4e00-\u9fff]/.test(message.slice(0, i))) return message;
  return currentLang() === 'en' ? message.slice(i + 3) : message.slice(0, i);
}

/** A failure of an auth or admin call as the user reads it. */
export function authErrorText(err: unknown): string {
  return inUiLanguage(errorMessage(err));
}

export type FailureKind = 'invalid' | 'throttled' | 'unreachable' | 'forbidden' | 'other';

/** What went wrong with a sign-in (or another account request), and how long to wait if throttled. */
export function classify(err: unknown): { kind: FailureKind; waitSeconds?: number; message: string } {
  const message = authErrorText(err);
  if (err instanceof TRPCClientError) {
    const data = err.data as { code?: string; httpStatus?: number } | undefined;
    const code = data?.code;
    if (code === 'UNAUTHORIZED') return { kind: 'invalid', message };
    if (code === 'TOO_MANY_REQUESTS') {
      const m = /(\d+)\s*(?:s\b|秒)/.exec(errorMessage(err));
      return { kind: 'throttled', waitSeconds: m ? Number(m[1]) : undefined, message };
    }
    if (code === 'FORBIDDEN') return { kind: 'forbidden', message };
    // No tRPC answer at all (connection refused, proxy error page): the server is not reachable.
    if (!data || (data.httpStatus !== undefined && data.httpStatus >= 502 && data.httpStatus <= 504)) return { kind: 'unreachable', message };
    return { kind: 'other', message };
  }
  if (err instanceof TypeError) return { kind: 'unreachable', message };
  return { kind: 'other', message };
}

/** A timestamp from the server in the user's local time zone and language. */
export function localTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(intlLocale(), { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

/** Copies text; falls back to a hidden text area where the Clipboard API is unavailable (plain HTTP). */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    /* fall back below */
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  area.remove();
  return ok;
}

