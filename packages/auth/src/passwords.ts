import argon2 from 'argon2';
import { BilingualError } from '@perflens/core';

/**
 * argon2id through the `argon2` package (the maintained native binding of the reference C
 * implementation; its npm package ships prebuilt binaries, so nothing compiles or downloads on
 * install). Parameters: OWASP's recommended minimum for argon2id (19 MiB, 2 passes, 1 lane),
 * about 30 ms here, so a sign-in stays quick and a stolen hash stays expensive to attack.
 */
const OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export class WeakPasswordError extends BilingualError {}

export const MIN_PASSWORD_LENGTH = 10;

/** A password a person can remember and an attacker cannot guess quickly: length over rules. */
export function checkPassword(password: string, login?: string): void {
  if ([...password].length < MIN_PASSWORD_LENGTH)
    throw new WeakPasswordError(`密码至少需要 ${MIN_PASSWORD_LENGTH} 个字符`, `A password needs at least ${MIN_PASSWORD_LENGTH} characters`);
  if (login && password.toLowerCase().includes(login.toLowerCase()))
    throw new WeakPasswordError('密码不能包含登录名', 'A password must not contain the login name');
  if (new Set(password).size < 4) throw new WeakPasswordError('密码过于简单（字符种类太少）', 'That password is too simple (too few different characters)');
}

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, OPTIONS);
}

/** Constant-time verification; a malformed stored hash is simply "no". */
export async function verifyPassword(hash: string | null, password: string): Promise<boolean> {
  if (!hash) return false;
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

/** A hash to verify against when the login does not exist, so timing does not reveal which logins do. */
let decoy: Promise<string> | null = null;
export function decoyHash(): Promise<string> {
  return (decoy ??= hashPassword('perflens-decoy-password'));
}
