/**
 * The UI language, without vue-i18n: the start-up requests need it for their header before the
 * framework code has loaded (main.ts). i18n.ts keeps the two in step through setLang.
 */
export type Lang = 'zh' | 'en';
export const LANG_STORAGE_KEY = 'perflens.lang';

function storedLang(): Lang {
  try {
    const stored = globalThis.localStorage?.getItem(LANG_STORAGE_KEY);
    if (stored === 'en' || stored === 'zh') return stored;
  } catch {
    /* storage blocked: use the default */
  }
  return 'zh';
}

let current: Lang = storedLang();

export function currentLang(): Lang {
  return current;
}

/** Records a switch (called by i18n's setLang) and remembers it for the next visit. */
export function rememberLang(lang: Lang): void {
  current = lang;
  try {
    localStorage.setItem(LANG_STORAGE_KEY, lang);
  } catch {
    /* not persisted: still switched for this session */
  }
}

/** BCP-47 tag for number formatting in the current UI language. */
export function intlLocale(): string {
  return current === 'en' ? 'en-US' : 'zh-CN';
}
