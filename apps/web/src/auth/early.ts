import { authApi, type Me } from './api';

/**
 * Who is signed in, asked at start-up by main.ts in the same batch as the overview's requests
 * (before Vue has loaded), and handed to the router guard's first check. Free of Vue on purpose.
 */
let early: Promise<Me | null> | null = null;

export function prefetchMe(): void {
  early = authApi.me();
  early.catch(() => undefined); // the guard asks again and reports it
}

/** The start-up answer, once; later checks ask the server themselves. */
export function takeEarlyMe(): Promise<Me | null> | null {
  const p = early;
  early = null;
  return p;
}
