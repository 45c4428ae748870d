import type { ReadingBucket } from '@pulse/protocol';
import type { ReadingPoint } from './history-buckets.js';
import type { MutablePoint } from './chart-window.js';

/** What a long readings chart draws: the min/max band of the steps, and one line through both. */
export interface ReadingShape {
  upper: MutablePoint[];
  lower: MutablePoint[];
  line: MutablePoint[];
  /** Steps and live points in [min, max]. */
  buckets: number;
  live: number;
  /** Readings those stand for: the steps' counts plus the live points. */
  readings: number;
}

interface SeriesView {
  readonly buckets: readonly ReadingBucket[];
  readonly tail: readonly ReadingPoint[];
  readonly step: number;
  readonly gapMs: number;
}

/**
 * The spacing of steps above which the line breaks: four times the median spacing of the
 * steps in view, never under two steps. A device that reports every 20 minutes draws a line
 * through 2-minute steps; an outage of an hour in a steady stream breaks it.
 */
export function stepGap(buckets: readonly { t: number }[], step: number): number {
  if (buckets.length < 3) return Infinity;
  const spacings: number[] = [];
  for (let i = 1; i < buckets.length; i++) spacings.push(buckets[i]!.t - buckets[i - 1]!.t);
  spacings.sort((a, b) => a - b);
  return Math.max(2 * step, 4 * spacings[spacings.length >> 1]!);
}

/**
 * Shapes a stitched series for chart.js in [min, max]: each step at its middle (mean on the
 * line, min and max as the band), then the live readings as they came. Steps further apart
 * than `stepGap`, or a reported gap at the join, break the line (NaN): no data is invented
 * across an outage.
 */
export function shapeReadings(s: SeriesView, min: number, max: number): ReadingShape {
  const out: ReadingShape = { upper: [], lower: [], line: [], buckets: 0, live: 0, readings: 0 };
  const half = s.step / 2;
  const inView = s.buckets.filter((b) => b.t + s.step >= min && b.t <= max);
  const gap = stepGap(inView, s.step);
  let prevT: number | undefined;
  for (const b of inView) {
    const x = b.t + half;
    if (prevT !== undefined && b.t - prevT > gap) {
      const gap = { x: prevT + s.step, y: NaN };
      out.upper.push(gap);
      out.lower.push({ ...gap });
      out.line.push({ ...gap });
    }
    out.upper.push({ x, y: b.max });
    out.lower.push({ x, y: b.min });
    out.line.push({ x, y: b.mean });
    out.buckets++;
    out.readings += b.count;
    prevT = b.t;
  }
  let first = true;
  for (const p of s.tail) {
    if (p.t < min || p.t > max) continue;
    if (first && s.gapMs > 0 && out.line.length > 0) out.line.push({ x: p.t - 1, y: NaN });
    first = false;
    out.line.push({ x: p.t, y: p.value });
    out.live++;
    out.readings += p.agg?.count ?? 1;
  }
  return out;
}
