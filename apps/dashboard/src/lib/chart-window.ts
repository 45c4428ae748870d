import type { RingBuffer } from './ring-buffer.js';

/** A chart.js point we may rewrite in place (chart.js reads it with `parsing: false`). */
export interface MutablePoint {
  x: number;
  y: number;
}

/**
 * The points a line chart draws for one window, built into a reused array of reused point
 * objects: a chart redrawn twenty times a second allocates nothing once warm. Beyond
 * `maxPoints` in view the window is decimated min–max per bucket (each bucket keeps its lowest
 * and highest point, in time order), so spikes survive and a 15-minute window costs what the
 * canvas can show, not what arrived. A spacing wider than `gapMs` gets a NaN point between,
 * which chart.js draws as a break: the chart never invents data across an outage.
 */
export class ChartWindow {
  /** What chart.js draws: exactly the points of the last `fill`. */
  readonly points: MutablePoint[] = [];
  /** Every point object ever made, reused by later fills. */
  readonly #pool: MutablePoint[] = [];
  #used = 0;
  #gaps = 0;

  /** Number of points (gap markers included) after the last `fill`. */
  get length(): number {
    return this.#used;
  }

  /** Breaks (NaN markers) in the last `fill`: spans with no data wider than the gap. */
  get gaps(): number {
    return this.#gaps;
  }

  /** Fills `points` from `ring` for x in [min, max]; returns it (same array every time). */
  fill(
    ring: RingBuffer,
    min: number,
    max: number,
    maxPoints: number,
    gapMs = Infinity,
  ): MutablePoint[] {
    this.#used = 0;
    this.#gaps = 0;
    const start = ring.lowerBound(min);
    const end = ring.lowerBound(max + 1e-9); // exclusive: points at x <= max
    const count = end - start;
    let lastX = NaN;
    if (count <= maxPoints) {
      for (let i = start; i < end; i++) lastX = this.#emit(ring.xAt(i), ring.yAt(i), lastX, gapMs);
    } else {
      const buckets = Math.max(1, Math.floor(maxPoints / 2));
      const width = (max - min) / buckets;
      let i = start;
      for (let b = 0; b < buckets && i < end; b++) {
        const to = b === buckets - 1 ? Infinity : min + (b + 1) * width;
        let lo = i;
        let hi = i;
        let j = i;
        for (; j < end && ring.xAt(j) < to; j++) {
          if (ring.yAt(j) < ring.yAt(lo)) lo = j;
          if (ring.yAt(j) > ring.yAt(hi)) hi = j;
        }
        if (j === i) continue; // empty bucket
        const first = Math.min(lo, hi);
        const second = Math.max(lo, hi);
        lastX = this.#emit(ring.xAt(first), ring.yAt(first), lastX, gapMs);
        if (second !== first) lastX = this.#emit(ring.xAt(second), ring.yAt(second), lastX, gapMs);
        i = j;
      }
    }
    this.points.length = this.#used;
    return this.points;
  }

  #emit(x: number, y: number, lastX: number, gapMs: number): number {
    if (x - lastX > gapMs) {
      this.#put((x + lastX) / 2, NaN);
      this.#gaps++;
    }
    this.#put(x, y);
    return x;
  }

  #put(x: number, y: number): void {
    let p = this.#pool[this.#used];
    if (p) {
      p.x = x;
      p.y = y;
    } else {
      p = { x, y };
      this.#pool.push(p);
    }
    this.points[this.#used++] = p;
  }
}

/**
 * The spacing above which two neighbouring points count as a gap: four times the median
 * spacing of the last points (robust to a backfill denser than the live throttle), and never
 * under `minMs`.
 */
export function gapFor(ring: RingBuffer, minMs = 2000, sample = 32): number {
  const n = ring.length;
  if (n < 3) return Infinity;
  const from = Math.max(1, n - sample);
  const steps: number[] = [];
  for (let i = from; i < n; i++) steps.push(ring.xAt(i) - ring.xAt(i - 1));
  steps.sort((a, b) => a - b);
  return Math.max(minMs, 4 * steps[steps.length >> 1]!);
}
