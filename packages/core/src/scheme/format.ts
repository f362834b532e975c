/**
 * Half-up rounding to `digits` decimals of the number as written (its shortest decimal string),
 * away from zero for negatives: 1.005 → 1.01 although 1.005 is 1.00499999999999989… in binary,
 * so Math.round(x * 100) would give 1.00.
 * Without strings: with k = ⌊|x|·10^d⌋, (k + 0.5) / 10^d is one correctly rounded division of
 * exact doubles, i.e. the double nearest the decimal half step. Parsing decimals is monotone, so
 * the shortest decimal of |x| is at or above that step exactly when |x| is at or above its
 * double (a shorter decimal than the step itself cannot land within an ulp of it). The SQL
 * compiler emits these same operations, so both sides agree to the last bit.
 */
export function roundHalfUp(x: number, digits = 2): number {
  if (!Number.isFinite(x)) return x;
  const m = 10 ** digits;
  const a = Math.abs(x);
  const k = Math.floor(a * m);
  const r = (k + (a >= (k + 0.5) / m ? 1 : 0)) / m;
  return x < 0 ? -r : r;
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
