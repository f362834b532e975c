import { createI18n } from 'vue-i18n';
import zhCN from './locales/zh-CN.json';
import en from './locales/en.json';

export type Lang = 'zh' | 'en';
export const LANG_STORAGE_KEY = 'perflens.lang';
const LOCALE: Record<Lang, string> = { zh: 'zh-CN', en: 'en' };

function initialLang(): Lang {
  try {
    const stored = globalThis.localStorage?.getItem(LANG_STORAGE_KEY);
    if (stored === 'en' || stored === 'zh') return stored;
  } catch {
    /* storage blocked: use the default */
  }
  return 'zh';
}

export type MessageSchema = typeof zhCN;

export const i18n = createI18n<[MessageSchema], 'zh-CN' | 'en', false>({
  legacy: false,
  locale: LOCALE[initialLang()],
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN, en },
  missingWarn: false,
  fallbackWarn: false,
});

export function currentLang(): Lang {
  return i18n.global.locale.value === 'en' ? 'en' : 'zh';
}

export function setLang(lang: Lang): void {
  i18n.global.locale.value = LOCALE[lang] as 'zh-CN' | 'en';
  try {
    localStorage.setItem(LANG_STORAGE_KEY, lang);
  } catch {
    /* not persisted: still switched for this session */
  }
  document.documentElement.lang = LOCALE[lang];
}

/** BCP-47 tag for Intl formatting of the current UI language. */
export function intlLocale(): string {
  return currentLang() === 'en' ? 'en-US' : 'zh-CN';
}
