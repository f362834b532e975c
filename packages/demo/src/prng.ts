/**
 * Deterministic randomness. Every (seed, purpose, employee, month) gets its own stream from a
 * hash, so rows do not depend on generation order: the month-major simulation, a future
 * parallel loader and the file writer all produce the same values.
 */

/** mulberry32 (core's, which the bootstraps use too): tiny, fast, good enough for synthetic data. */
export { mulberry32 } from '@perflens/core';

/** 32-bit mix of small integers (murmur3 finaliser per step). */
export function hash32(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    h ^= p >>> 0;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/**
 * A class rather than closures: one stream is created per employee-month (7M at the benchmark
 * size), and per-instance closures cost allocations (and, under tsx, a name-defining call each).
 */
export class Rng {
  private a: number;
  constructor(seed: number) {
    this.a = seed >>> 0;
  }
  /** mulberry32 step, inlined. */
  next(): number {
    this.a = (this.a + 0x6d2b79f5) >>> 0;
    let t = this.a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Box–Muller; 1 − u avoids log(0). */
  normal(): number {
    return Math.sqrt(-2 * Math.log(1 - this.next())) * Math.cos(2 * Math.PI * this.next());
  }
  int(lo: number, hiInclusive: number): number {
    return lo + Math.floor(this.next() * (hiInclusive - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

export function rng(seed: number): Rng {
  return new Rng(seed);
}

export function streamFor(seed: number, purpose: number, a = 0, b = 0): Rng {
  return rng(hash32(seed, purpose, a, b));
}
