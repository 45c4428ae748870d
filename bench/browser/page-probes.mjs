// Code evaluated in the page under test: frame timing, long tasks and chart updates drawn.
// Installed before the measurement window and read at its end.

/** Starts counting in the page; returns nothing (state lives on `window.__bench`). */
export function installProbes() {
  const state = { frames: [], longTasks: [], updates: new Map(), running: true };
  // @ts-expect-error a bench-only global
  window.__bench = state;
  let last = performance.now();
  const frame = (now) => {
    if (!state.running) return;
    state.frames.push(now - last);
    last = now;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame((now) => {
    last = now;
    requestAnimationFrame(frame);
  });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) state.longTasks.push(e.duration);
  }).observe({ type: 'longtask' });
  // Each chart writes its newest drawn value on its element: one change = one update drawn.
  const observer = new MutationObserver((records) => {
    for (const r of records) {
      const key = r.target.dataset.series;
      state.updates.set(key, (state.updates.get(key) ?? 0) + 1);
    }
  });
  for (const el of document.querySelectorAll('.chart[data-series]')) {
    observer.observe(el, { attributes: true, attributeFilter: ['data-last-y'] });
  }
}

/** Stops counting; returns the raw numbers (the runner turns them into figures). */
export function collectProbes() {
  // @ts-expect-error a bench-only global
  const state = window.__bench;
  state.running = false;
  const onScreen = [...document.querySelectorAll('.chart[data-series]')].filter((el) => {
    const r = el.getBoundingClientRect();
    return r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth;
  }).length;
  return {
    frames: state.frames,
    longTasks: state.longTasks,
    updates: Object.fromEntries(state.updates),
    charts: document.querySelectorAll('.chart[data-series]').length,
    // Charts whose canvas went to the chart worker (LiveChart marks them).
    offscreenCharts: document.querySelectorAll('.chart[data-series][data-offscreen="1"]').length,
    onScreen,
    viewport: { width: innerWidth, height: innerHeight },
  };
}
