/**
 * A Svelte action for the element that paints a price cell's flash (an overlay behind the
 * figure): when `key` changes (the price moved) it fades the overlay out from full opacity.
 * Opacity animations run on the compositor, so twenty flashes a second cost the page's main
 * thread one `animate()` call each, and no DOM is re-created. A new move restarts the cell's one
 * animation instead of adding another: at 20 moves/s with a 400 ms fade, new animations would
 * overlap eight deep per cell, and Chromium updates every live one on every frame (the browser
 * bench's trace: 58 live animations for 16 tickers).
 */
export function flash(
  node: HTMLElement,
  params: { key: number },
): { update(next: { key: number }): void } {
  let key = params.key;
  let fade: Animation | undefined;
  return {
    update(next) {
      if (next.key === key) return;
      key = next.key;
      if (typeof node.animate !== 'function') return;
      if (matchMedia('(prefers-reduced-motion: reduce)').matches) return;
      if (fade) {
        fade.currentTime = 0;
        fade.play();
      } else {
        fade = node.animate([{ opacity: 1 }, { opacity: 0 }], { duration: 400, easing: 'ease-out' });
      }
    },
  };
}
