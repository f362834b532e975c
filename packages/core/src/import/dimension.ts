/**
 * Dimension values (department, role, name) become grouping keys, so two spellings a person reads as
 * the same ('ＡＢＣ　部' typed with a Chinese IME, 'ABC 部' typed without) must become one key.
 */

// Invisible characters that copy-paste from web pages and Excel leave behind; NFKC keeps them and
// \s does not match them, so without this 'Sales\u200B' and 'Sales' would be two departments.
const INVISIBLE = /[\u200B-\u200D\u2060\uFEFF]/g;

/** Department/role/name text as a key: NFKC, trimmed, whitespace runs → one space; case kept. Null when empty. */
export function normaliseDimension(raw: string | null | undefined): string | null {
  if (raw == null) return null;
  const s = raw.normalize('NFKC').replace(INVISIBLE, '').replace(/\s+/g, ' ').trim();
  return s === '' ? null : s;
}

/** Comparison key for matching names/aliases: normaliseDimension + lower-case ('' for empty). */
export function dimensionKey(raw: string): string {
  return (normaliseDimension(raw) ?? '').toLowerCase();
}

const MAX_ROLE_CODE = 48;

// FNV-1a (32-bit): tiny, dependency-free and stable across runs and platforms, which is all a
// fallback code needs; it is not used for anything security-related.
function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/**
 * A role code derived from an imported job title: lower-case, runs of anything but Unicode letters
 * and digits → '_', trimmed of '_', at most 48 characters ('Research & Development Mgr.' →
 * 'research_development_mgr', '研发工程师' stays as is). A title with no letters or digits gets
 * 'role_' + a hash of its text, so the same title always yields the same code.
 */
export function roleCodeFromTitle(title: string): string {
  const base = title.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '_');
  // Cut by code points, not UTF-16 units, so a rare CJK character (outside the BMP) is never halved.
  const code = Array.from(base.replace(/^_+|_+$/g, '')).slice(0, MAX_ROLE_CODE).join('').replace(/_+$/, '');
  return code || `role_${fnv1a(title.normalize('NFKC').trim())}`;
}
