import { createI18n } from 'vue-i18n';
import zhCN from './locales/zh-CN.json';
import en from './locales/en.json';
import { currentLang, rememberLang, type Lang } from './lang';

const LOCALE: Record<Lang, string> = { zh: 'zh-CN', en: 'en' };

export type MessageSchema = typeof zhCN;

export const i18n = createI18n<[MessageSchema], 'zh-CN' | 'en', false>({
  legacy: false,
  locale: LOCALE[currentLang()],
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN, en },
  missingWarn: false,
  fallbackWarn: false,
});

export function setLang(lang: Lang): void {
  i18n.global.locale.value = LOCALE[lang] as 'zh-CN' | 'en';
  rememberLang(lang);
  document.documentElement.lang = LOCALE[lang];
}
