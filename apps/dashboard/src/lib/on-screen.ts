/**
 * Calls `onChange(true|false)` as `node` enters or leaves the viewport, so a chart scrolled
 * out of view stops drawing (its data keeps filling). Without IntersectionObserver it is
 * always on screen. Returns the disconnect.
 */
export function watchOnScreen(node: Element, onChange: (onScreen: boolean) => void): () => void {
  if (typeof IntersectionObserver === 'undefined') {
    onChange(true);
    return () => {};
  }
  const observer = new IntersectionObserver((entries) => {
    const last = entries[entries.length - 1];
    if (last) onChange(last.isIntersecting);
  });
  observer.observe(node);
  return () => observer.disconnect();
}
