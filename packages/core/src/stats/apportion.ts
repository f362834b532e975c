/**
 * Largest-remainder (Hamilton) apportionment of `total` seats to categories by share.
 *
 * Rules, all deterministic:
 * - shares are normalised by their sum (so 10/20/40/20/10 and 0.1/0.2/… are the same);
 * - every category first gets floor(total × share), with a 1e-9 tolerance so that binary
 *   round-off (0.29 × 100 = 28.999999999999996) does not lose a seat;
 * - the seats left go one each to the largest remainders; equal remainders (within 1e-9) are
 *   ordered by larger share, then by position in the input (best grade first by convention).
 * The result always sums exactly to `total`.
 */
export function largestRemainder(total: number, shares: readonly number[]): number[] {
  if (!Number.isInteger(total) || total < 0) throw new RangeError(`total must be a non-negative integer, got ${total}`);
  if (shares.length === 0) throw new RangeError('at least one share is required');
  if (shares.some((s) => !(s >= 0) || !Number.isFinite(s))) throw new RangeError('shares must be finite and non-negative');
  const sum = shares.reduce((a, b) => a + b, 0);
  if (sum <= 0) throw new RangeError('shares must not all be zero');
  const TOL = 1e-9;
  const quotas = shares.map((s) => (total * s) / sum);
  const seats = quotas.map((q) => Math.floor(q + TOL));
  let left = total - seats.reduce((a, b) => a + b, 0);
  const order = quotas
    .map((q, i) => ({ i, rem: Math.max(0, q - seats[i]!), share: shares[i]! }))
    .sort((a, b) => (Math.abs(b.rem - a.rem) > TOL ? b.rem - a.rem : b.share !== a.share ? b.share - a.share : a.i - b.i));
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) seats[order[k]!.i]! += 1;
  return seats;
}
