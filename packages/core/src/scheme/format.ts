/**
 * Half-up rounding to `digits` decimals, away from zero for negatives. Done on the decimal
 * string (exponent shift) rather than x * 10^d, because 1.005 * 100 is 100.49999999999999 in
 * binary and would round down.
 */
export function roundHalfUp(x: number, digits = 2): number {
  if (!Number.isFinite(x)) return x;
  const sign = x < 0 ? -1 : 1;
  // Fast path: only values within 1e-6 of a half step need the exact decimal treatment.
  const m = 10 ** digits;
  const y = Math.abs(x) * m;
  const frac = y - Math.floor(y);
  if (Math.abs(frac - 0.5) > 1e-6) return (sign * Math.round(y)) / m;
  const shifted = Math.round(Number(`${Math.abs(x)}e${digits}`));
  return sign * Number(`${shifted}e-${digits}`);
}

/** Money is rounded to cents half-up (1.005 → 1.01, 2.5 fen → 3 fen); never banker's rounding. */
export function roundMoney(x: number): number {
  return roundHalfUp(x, 2);
}

/** Up to 2 decimals, no trailing zeros; '%' units hold fractions and print as percentages. */
export function formatNumber(v: number, unit?: string): string {
  if (unit === '%') return `${trim(roundHalfUp(v * 100, 2))}%`;
  return `${trim(roundHalfUp(v, 2))}${unit ?? ''}`;
}

function trim(v: number): string {
  return Object.is(v, -0) ? '0' : String(v);
}
