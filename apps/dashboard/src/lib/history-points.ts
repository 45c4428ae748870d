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
 * Shapes a stitched series for chart.js in [min, max]: each step at its middle (mean on the
 * line, min and max as the band), then the live readings as they came. A step missing between
 * two others, or a reported gap at the join, breaks the line (NaN), so no data is invented.
 */
export function shapeReadings(s: SeriesView, min: number, max: number): ReadingShape {
  const out: ReadingShape = { upper: [], lower: [], line: [], buckets: 0, live: 0, readings: 0 };
  const half = s.step / 2;
  let prevT: number | undefined;
  for (const b of s.buckets) {
    if (b.t + s.step < min || b.t > max) continue;
    const x = b.t + half;
    if (prevT !== undefined && b.t - prevT > s.step) {
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
    out.readings++;
  }
  return out;
}
