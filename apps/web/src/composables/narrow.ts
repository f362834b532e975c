import { ref, type Ref } from 'vue';

/** The phone breakpoint of styles.css: at or below it, charts draw their compact layout. */
export const NARROW_QUERY = '(max-width: 640px)';

let shared: Ref<boolean> | null = null;

/** True while the window is phone-narrow; follows rotation and resizing. One listener for the app. */
export function useNarrow(): Ref<boolean> {
  if (shared) return shared;
  const mq = typeof window !== 'undefined' && typeof window.matchMedia === 'function' ? window.matchMedia(NARROW_QUERY) : null;
  const narrow = ref(mq?.matches ?? false);
  mq?.addEventListener('change', (e) => (narrow.value = e.matches));
  shared = narrow;
  return narrow;
}
