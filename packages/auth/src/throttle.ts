/**
 * Failed sign-ins slow an attacker down per account and per address. Within a 15-minute window,
 * the 5th failure for an account (or the 20th from one address) locks further attempts for a
 * delay that doubles with each failure beyond it, up to 15 minutes. A success clears the account.
 * Kept in memory: one server process owns the database, and a restart costing an attacker
 * nothing but a fresh window is acceptable next to the argon2 cost of each guess.
 */
export interface ThrottleOptions {
  windowMs: number;
  accountFree: number;
  addressFree: number;
  maxDelayMs: number;
}

export const DEFAULT_THROTTLE: ThrottleOptions = { windowMs: 15 * 60_000, accountFree: 4, addressFree: 19, maxDelayMs: 15 * 60_000 };

interface Entry {
  failures: number[];
  lockedUntil: number;
}

export class Throttle {
  private readonly entries = new Map<string, Entry>();
  constructor(private readonly o: ThrottleOptions = DEFAULT_THROTTLE, private readonly now: () => number = Date.now) {}

  /** Milliseconds until an attempt for this account from this address is allowed (0 = now). */
  wait(account: string, address: string | null): number {
    const t = this.now();
    const keys = [`a:${account.toLowerCase()}`, ...(address ? [`i:${address}`] : [])];
    return Math.max(0, ...keys.map((k) => (this.entries.get(k)?.lockedUntil ?? 0) - t));
  }

  failed(account: string, address: string | null): void {
    this.bump(`a:${account.toLowerCase()}`, this.o.accountFree);
    if (address) this.bump(`i:${address}`, this.o.addressFree);
  }

  succeeded(account: string): void {
    this.entries.delete(`a:${account.toLowerCase()}`);
  }

  private bump(key: string, free: number): void {
    const t = this.now();
    const e = this.entries.get(key) ?? { failures: [], lockedUntil: 0 };
    e.failures = e.failures.filter((x) => x > t - this.o.windowMs);
    e.failures.push(t);
    const over = e.failures.length - free;
    if (over > 0) e.lockedUntil = t + Math.min(this.o.maxDelayMs, 1000 * 2 ** (over - 1));
    this.entries.set(key, e);
    // Bounded memory under a spray of addresses: old entries go first.
    if (this.entries.size > 100_000) for (const k of [...this.entries.keys()].slice(0, 10_000)) this.entries.delete(k);
  }
}
