import type { Directive } from 'vue';

/**
 * `v-page-size-label="text"` on an el-pagination with `sizes`: names its page-size select, which
 * Element Plus renders without a label or a prop to give it one (axe: "form elements must have
 * labels"). Set again after every update, since the select may be re-rendered.
 */
function apply(el: HTMLElement, text: string): void {
  el.querySelector('.el-pagination__sizes input')?.setAttribute('aria-label', text);
}

export const vPageSizeLabel: Directive<HTMLElement, string> = {
  mounted: (el, binding) => apply(el, binding.value),
  updated: (el, binding) => apply(el, binding.value),
};
