/**
 * The password rules as the server checks them (packages/auth/src/passwords.ts checkPassword),
 * repeated here so the change-password form can say what is missing before sending. The server
 * stays the judge: its refusal is shown as it words it.
 */
export const MIN_PASSWORD_LENGTH = 10;
export const MIN_DISTINCT_CHARACTERS = 4;

export type PasswordRule = 'length' | 'login' | 'variety' | 'differs' | 'confirm';

/** The rules `next` breaks (empty when it passes), as keys of `auth.password.rules.*`. */
export function brokenRules(next: string, opts: { login?: string; current?: string; confirm?: string }): PasswordRule[] {
  const broken: PasswordRule[] = [];
  if ([...next].length < MIN_PASSWORD_LENGTH) broken.push('length');
  if (opts.login && next.toLowerCase().includes(opts.login.toLowerCase())) broken.push('login');
  if (new Set(next).size < MIN_DISTINCT_CHARACTERS) broken.push('variety');
  if (opts.current !== undefined && opts.current !== '' && next === opts.current) broken.push('differs');
  if (opts.confirm !== undefined && next !== opts.confirm) broken.push('confirm');
  return broken;
}
