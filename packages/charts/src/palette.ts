import type { Grade } from '@perflens/core/domain';

/**
 * Okabe–Ito colours, ordered from best (blue) to worst (vermillion): distinguishable under the
 * common colour-vision deficiencies and the same for a grade in every chart, on screen and in print.
 */
export const GRADE_COLORS: Record<Grade, string> = {
  A: '#0072B2',
  B: '#56B4E9',
  C: '#009E73',
  D: '#E69F00',
  E: '#D55E00',
};
export const ACCENT = '#0072B2';
export const MUTED = '#6b7280';
export const TREATED_COLOR = ACCENT;
export const CONTROL_COLOR = '#E69F00';

export const baseTextStyle = {
  fontFamily: '"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", system-ui, sans-serif',
};

/** Escapes text put into tooltip HTML (org unit or rater names come from imported files). */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Marker for a tooltip line: a coloured dot followed by the label. */
export function dot(color: string): string {
  return `<span style="display:inline-block;margin-right:6px;border-radius:50%;width:9px;height:9px;background:${color}"></span>`;
}

/** The texts a chart needs, resolved by the caller in its language. */
export type T = (key: string, named?: Record<string, unknown>) => string;
