/**
 * A Svelte action for the element that paints a price cell's flash (an overlay behind the
 * figure): when `key` changes (the price moved) it fades the overlay out from full opacity.
 * Opacity animations run on the compositor, so twenty flashes a second cost the page's main
 * thread one `animate()` call each, and no DOM is re-created.
 */
export function flash(
  node: HTMLElement,
  params: { key: number },
): { update(next: { key: number }): void } {
  let key = params.key;
  return {
    update(next) {
      if (next.key === key) return;
      key = next.key;
      if (typeof node.animate !== 'function') return;
      if (matchMedia('(prefers-reduced-motion: reduce)').matches) return;
      node.animate([{ opacity: 1 }, { opacity: 0 }], { duration: 400, easing: 'ease-out' });
    },
  };
}
