/**
 * Seeded randomness for the bootstraps. mulberry32 is a tiny 32-bit generator with a fixed,
 * documented recurrence, so the reference script (packages/core/test/fixtures/reference/) draws
 * exactly the same stream in Python and the bootstrap p-values can be compared to the last bit.
 * Not for cryptography.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Default seed of every bootstrap (results are reproducible run to run). */
export const BOOTSTRAP_SEED = 20_240_701;
/** Default number of bootstrap replications. */
export const BOOTSTRAP_REPS = 999;

export type ClusterWeightKind = 'rademacher' | 'webb';

/** Webb's (2014) six-point distribution: ±√(3/2), ±1, ±√(1/2), each with probability 1/6. */
export const WEBB_POINTS = [-Math.sqrt(1.5), -1, -Math.sqrt(0.5), Math.sqrt(0.5), 1, Math.sqrt(1.5)] as const;

/**
 * B × G bootstrap weights (row b = replication, column g = cluster), drawn row by row from one
 * mulberry32 stream: Rademacher w = −1 when u < ½ else +1; Webb w = WEBB_POINTS[⌊6u⌋].
 */
export function clusterWeights(B: number, G: number, kind: ClusterWeightKind, seed: number): Float64Array {
  const rnd = mulberry32(seed);
  const w = new Float64Array(B * G);
  for (let i = 0; i < B * G; i++) {
    const u = rnd();
    w[i] = kind === 'rademacher' ? (u < 0.5 ? -1 : 1) : WEBB_POINTS[Math.min(5, Math.floor(u * 6))]!;
  }
  return w;
}

/** Rademacher weights for the multiplier bootstrap: B × n, same stream and rule as clusterWeights. */
export function rademacherWeights(B: number, n: number, seed: number): Float64Array {
  return clusterWeights(B, n, 'rademacher', seed);
}
