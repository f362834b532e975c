import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as fontkit from 'fontkit';

/**
 * Noto Sans SC (as "Noto Sans Hans", OFL) ships as OpenType files in an npm package, so the
 * report needs neither a browser nor system fonts: the PDF embeds the subset of glyphs it uses,
 * Chinese and Latin alike, and its text stays selectable and searchable.
 */
// The package's exports name only its entry (dist/index.cjs); the fonts sit beside dist/.
const dir = join(dirname(createRequire(import.meta.url).resolve('@embedpdf/fonts-sc')), '..', 'fonts');

export const FONT_FAMILY = 'Noto Sans SC';
export const FONT_REGULAR = join(dir, 'NotoSansHans-Regular.otf');
export const FONT_BOLD = join(dir, 'NotoSansHans-Bold.otf');

let face: fontkit.Font | null = null;
const seen = new Map<string, string>();

/**
 * Text as the embedded font can draw it. The font covers Chinese, Latin and common symbols but
 * not every mark of the statistics notes (ȳ, ⁻¹, û): a character without a glyph is decomposed
 * (ȳ → y + combining macron) and what is still missing becomes its plain form (⁻ → ^-), so the
 * PDF never shows an empty box where a reader expects a letter.
 */
export function printable(text: string): string {
  face ??= fontkit.openSync(FONT_REGULAR) as fontkit.Font;
  let out = '';
  for (const ch of text) {
    let r = seen.get(ch);
    if (r === undefined) {
      r = face.hasGlyphForCodePoint(ch.codePointAt(0)!) ? ch : fallback(ch, face);
      seen.set(ch, r);
    }
    out += r;
  }
  return out;
}

const PLAIN: Record<string, string> = { '⁻': '^-', '⁺': '^+', '⁰': '^0', '¹': '^1', '²': '^2', '³': '^3', '√': 'sqrt', '∑': 'Σ', '≈': '~', '⚠': '!' };

function fallback(ch: string, f: fontkit.Font): string {
  if (PLAIN[ch] !== undefined) return PLAIN[ch]!;
  const parts = [...ch.normalize('NFD')].filter((c) => f.hasGlyphForCodePoint(c.codePointAt(0)!));
  return parts.length ? parts.join('') : '?';
}
