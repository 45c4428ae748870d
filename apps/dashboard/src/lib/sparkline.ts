import type { RingBuffer } from './ring-buffer.js';

/**
 * An SVG path (`M…L…`) of the points of `ring` with x in [from, to], scaled into
 * `width` × `height` with a pixel of padding. At most two points per pixel column (its lowest
 * and highest), so a sparkline costs its width whatever the data rate. A flat series is drawn
 * mid-height. Empty string when nothing is in range.
 */
export function sparklinePath(
  ring: RingBuffer,
  from: number,
  to: number,
  width: number,
  height: number,
): string {
  const start = ring.lowerBound(from);
  const end = ring.lowerBound(to + 1e-9);
  if (end <= start || !(to > from)) return '';
  let min = Infinity;
  let max = -Infinity;
  for (let i = start; i < end; i++) {
    const y = ring.yAt(i);
    if (y < min) min = y;
    if (y > max) max = y;
  }
  const pad = 1;
  const h = height - 2 * pad;
  const sx = (width - 2 * pad) / (to - from);
  const sy = max > min ? h / (max - min) : 0;
  const py = (y: number) => (sy === 0 ? height / 2 : pad + h - (y - min) * sy).toFixed(1);
  let d = '';
  let column = -1;
  let lo = 0;
  let hi = 0;
  const flush = () => {
    if (column < 0) return;
    const x = (pad + column).toFixed(0);
    d += `${d ? 'L' : 'M'}${x},${py(lo)}`;
    if (hi !== lo) d += `L${x},${py(hi)}`;
  };
  for (let i = start; i < end; i++) {
    const c = Math.round((ring.xAt(i) - from) * sx);
    const y = ring.yAt(i);
    if (c !== column) {
      flush();
      column = c;
      lo = hi = y;
    } else {
      if (y < lo) lo = y;
      if (y > hi) hi = y;
    }
  }
  flush();
  return d;
}
