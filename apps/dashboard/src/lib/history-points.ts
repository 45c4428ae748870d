import type { ReadingBucket } from '@pulse/protocol';
import type { ReadingPoint } from './history-buckets.js';
import type { MutablePoint } from './chart-window.js';
import { gapThreshold, isBreak, withBreaks } from './history-gaps.js';

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
  /** Breaks in the line: outages (and a reported gap at the join) drawn as no line. */
  breaks: number;
}

interface SeriesView {
  readonly buckets: readonly ReadingBucket[];
  readonly tail: readonly ReadingPoint[];
  readonly step: number;
  readonly gapMs: number;
}

/** The larger of two thresholds, or the one that is finite (Infinity: too few points to judge). */
function joinThreshold(a: number, b: number): number {
  return Number.isFinite(a) && Number.isFinite(b) ? Math.max(a, b) : Math.min(a, b);
}

/**
 * Shapes a stitched series for chart.js in [min, max]: each step at its middle (mean on the
 * line, min and max as the band), then the live readings as they came. Where consecutive steps
 * (or live readings) are further apart than `gapThreshold` — an outage, not a sparse device —
 * the line and the band break (a NaN point): no data is invented across it. The join breaks
 * when history and live are that far apart, or when the stitch reported a gap there.
 */
export function shapeReadings(s: SeriesView, min: number, max: number): ReadingShape {
  const out: ReadingShape = {
    upper: [],
    lower: [],
    line: [],
    buckets: 0,
    live: 0,
    readings: 0,
    breaks: 0,
  };
  const half = s.step / 2;
  const steps: ReadingBucket[] = s.buckets.filter((b) => b.t + s.step >= min && b.t <= max);
  const live: ReadingPoint[] = s.tail.filter((p) => p.t >= min && p.t <= max);
  const stepLimit = gapThreshold(
    steps.map((b) => b.t),
    s.step,
  );
  const liveLimit = gapThreshold(
    live.map((p) => p.t),
    s.step,
  );
  const stepLine = steps.map((b) => ({ x: b.t + half, y: b.mean }));
  const liveLine = live.map((p) => ({ x: p.t, y: p.value }));
  out.upper = withBreaks(
    steps.map((b) => ({ x: b.t + half, y: b.max })),
    stepLimit,
  );
  out.lower = withBreaks(
    steps.map((b) => ({ x: b.t + half, y: b.min })),
    stepLimit,
  );
  out.line = withBreaks(stepLine, stepLimit);
  const lastStep = stepLine[stepLine.length - 1];
  const firstLive = liveLine[0];
  if (lastStep && firstLive) {
    const apart = firstLive.x - lastStep.x > joinThreshold(stepLimit, liveLimit);
    if (s.gapMs > 0 || apart) out.line.push({ x: Math.max(lastStep.x, firstLive.x - 1), y: NaN });
  }
  out.line.push(...withBreaks(liveLine, liveLimit));
  out.buckets = steps.length;
  out.live = live.length;
  for (const b of steps) out.readings += b.count;
  for (const p of live) out.readings += p.agg?.count ?? 1;
  for (const p of out.line) if (isBreak(p)) out.breaks++;
  return out;
}
