/** One chart point: x in ms since the epoch, y the value. Shaped for chart.js with `parsing: false`. */
export interface Point {
  readonly x: number;
  readonly y: number;
}

const INITIAL_SLOTS = 64;

/**
 * A bounded series of (x, y) pairs, oldest first. Storage grows on demand up to `capacity`
 * and then wraps, overwriting the oldest point, so memory follows what actually arrived and
 * never exceeds the bound. x must not decrease (readers binary-search it); a late x is
 * clamped to the last one so the series stays sorted.
 */
export class RingBuffer {
  readonly capacity: number;
  #xs: Float64Array;
  #ys: Float64Array;
  /** Index of the oldest point. */
  #head = 0;
  #length = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    }
    this.capacity = capacity;
    const slots = Math.min(capacity, INITIAL_SLOTS);
    this.#xs = new Float64Array(slots);
    this.#ys = new Float64Array(slots);
  }

  /** Number of points held. */
  get length(): number {
    return this.#length;
  }

  /** Appends a point, dropping the oldest when full. */
  push(x: number, y: number): void {
    const last = this.lastX();
    if (last !== undefined && x < last) x = last;
    if (this.#length < this.capacity) {
      // Not yet wrapped: points sit contiguously from slot 0, so growing is a plain copy.
      if (this.#length === this.#xs.length) this.#grow();
      this.#xs[this.#length] = x;
      this.#ys[this.#length] = y;
      this.#length++;
      return;
    }
    this.#xs[this.#head] = x;
    this.#ys[this.#head] = y;
    this.#head = (this.#head + 1) % this.capacity;
  }

  /** The i-th point, oldest first, or undefined when out of range. */
  at(i: number): Point | undefined {
    if (i < 0 || i >= this.#length) return undefined;
    const slot = this.#slot(i);
    return { x: this.#xs[slot]!, y: this.#ys[slot]! };
  }

  /** x of the i-th point, oldest first (no bounds check: 0 <= i < length). Allocation-free. */
  xAt(i: number): number {
    return this.#xs[this.#slot(i)]!;
  }

  /** y of the i-th point, oldest first (no bounds check: 0 <= i < length). Allocation-free. */
  yAt(i: number): number {
    return this.#ys[this.#slot(i)]!;
  }

  /** x of the newest point. */
  lastX(): number | undefined {
    return this.#length === 0 ? undefined : this.#xs[this.#slot(this.#length - 1)];
  }

  /** y of the newest point. */
  lastY(): number | undefined {
    return this.#length === 0 ? undefined : this.#ys[this.#slot(this.#length - 1)];
  }

  /** Index (oldest first) of the first point with x >= `x`; `length` when there is none. */
  lowerBound(x: number): number {
    let lo = 0;
    let hi = this.#length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#xs[this.#slot(mid)]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Points with x >= `fromX` (all when omitted), oldest first, as fresh chart.js data. */
  toPoints(fromX = -Infinity): Point[] {
    const start = this.lowerBound(fromX);
    const out = new Array<Point>(this.#length - start);
    for (let i = start; i < this.#length; i++) {
      const slot = this.#slot(i);
      out[i - start] = { x: this.#xs[slot]!, y: this.#ys[slot]! };
    }
    return out;
  }

  /** Drops every point. */
  clear(): void {
    this.#head = 0;
    this.#length = 0;
  }

  #slot(i: number): number {
    const slot = this.#head + i;
    return slot >= this.capacity ? slot - this.capacity : slot;
  }

  #grow(): void {
    const slots = Math.min(this.capacity, this.#xs.length * 2);
    const xs = new Float64Array(slots);
    const ys = new Float64Array(slots);
    xs.set(this.#xs);
    ys.set(this.#ys);
    this.#xs = xs;
    this.#ys = ys;
  }
}
