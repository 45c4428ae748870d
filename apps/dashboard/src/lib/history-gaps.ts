import type { MutablePoint } from './chart-window.js';

/**
 * The spacing above which two consecutive points of a long chart are an outage, not a quiet
 * spell: four times the median spacing of the points, never under two steps. A device that
 * reports every 20 minutes draws one line through 2-minute steps; an outage of hours in a
 * steady stream breaks it. With fewer than three points there is no spacing to judge: no break.
 */
export function gapThreshold(xs: readonly number[], step: number): number {
  if (xs.length < 3) return Infinity;
  const spacings: number[] = [];
  for (let i = 1; i < xs.length; i++) spacings.push(xs[i]! - xs[i - 1]!);
  spacings.sort((a, b) => a - b);
  return Math.max(2 * step, 4 * spacings[spacings.length >> 1]!);
}

/** Is `p` a break (chart.js draws no line through a point whose y is NaN with `spanGaps: false`)? */
export const isBreak = (p: MutablePoint): boolean => Number.isNaN(p.y);

/**
 * `points` (ascending by x) with one break `{x, y: NaN}` halfway between each two consecutive
 * points more than `threshold` apart, so the line stops there instead of inventing data across
 * the gap. Every point is kept, in order, unchanged; a break already in `points` is kept and
 * none is added beside it.
 */
export function withBreaks(points: readonly MutablePoint[], threshold: number): MutablePoint[] {
  const out: MutablePoint[] = [];
  let prev: MutablePoint | undefined;
  for (const p of points) {
    if (prev && !isBreak(prev) && !isBreak(p) && p.x - prev.x > threshold) {
      out.push({ x: (prev.x + p.x) / 2, y: NaN });
    }
    out.push(p);
    prev = p;
  }
  return out;
}
