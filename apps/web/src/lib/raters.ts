/**
 * |z| is how many standard errors a rater's mean sits from the company's: beyond 2 is worth a
 * look, beyond 3 is very unlikely to be chance.
 */
export function zLevel(z: number): 'high' | 'mid' | 'none' {
  const a = Math.abs(z);
  return a >= 3 ? 'high' : a >= 2 ? 'mid' : 'none';
}
