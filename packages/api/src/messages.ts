import { z } from 'zod';

/**
 * zod's built-in messages ("Too small: expected number to be >=5") in Chinese and English, the
 * way the rest of the API's messages are written. A message a schema sets itself still wins.
 * zod's configuration is global: every schema parsed in this process (API inputs, the
 * warehouse's own checks, the server's environment) reports this way once the API is loaded.
 */
const zh = z.locales.zhCN().localeError;
const en = z.locales.en().localeError;
const text = (m: ReturnType<typeof zh>): string | undefined => (typeof m === 'string' ? m : m?.message);

z.config({
  customError: (issue) => {
    const a = text(zh(issue));
    const b = text(en(issue));
    return a && b ? `${a} / ${b}` : (a ?? b);
  },
});
