/**
 * Small-group suppression for aggregate-only roles (viewer): a count of fewer than `min` people
 * says too much about each of them (a unit of three with one grade E). Any object in an answer
 * that carries a group size (`n`, `total` or `count`) between 1 and min − 1 keeps its identifying
 * labels and loses every figure, including the size itself, and is marked `suppressed: true`, so
 * charts, tables and exports built from the answer show "fewer than min" instead of numbers.
 *
 * This is primary cell suppression; a total beside suppressed cells can still bound them
 * (complementary suppression is not attempted), which is why viewers only get aggregates whose
 * totals are themselves groups of at least `min`.
 */
const SIZE_KEYS = ['n', 'total', 'count'] as const;
const LABEL_KEYS = new Set(['key', 'label', 'name', 'orgUnitId', 'id', 'grade', 'role', 'period', 'from', 'to', 'cycle', 'lo', 'hi']);

export function suppressSmallGroups<T>(value: T, min: number): T {
  if (min <= 1) return value;
  return walk(value, min) as T;
}

function walk(x: unknown, min: number): unknown {
  if (Array.isArray(x)) return x.map((e) => walk(e, min));
  if (x === null || typeof x !== 'object') return x;
  const o = x as Record<string, unknown>;
  const size = SIZE_KEYS.map((k) => o[k]).find((v): v is number => typeof v === 'number');
  if (size !== undefined && size > 0 && size < min) {
    const kept: Record<string, unknown> = { suppressed: true };
    for (const [k, v] of Object.entries(o)) kept[k] = LABEL_KEYS.has(k) && (typeof v === 'string' || (typeof v === 'number' && k !== 'n')) ? v : null;
    return kept;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k] = walk(v, min);
  return out;
}
