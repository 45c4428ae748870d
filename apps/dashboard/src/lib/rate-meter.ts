/** A monotonic-enough millisecond clock; injectable so tests control time. */
export type Now = () => number;

export interface RateMeterOptions {
  /** Span the rate is averaged over (default 2000 ms). */
  windowMs?: number;
  /** Resolution of the window (default 250 ms). */
  bucketMs?: number;
  now?: Now;
}

/**
 * Events per second over a sliding window, counted in fixed buckets so `mark()` is O(1)
 * and memory is constant however fast events arrive.
 */
export class RateMeter {
  readonly #bucketMs: number;
  readonly #counts: Float64Array;
  readonly #now: Now;
  /** Absolute bucket number (time / bucketMs) of the newest bucket. */
  #current: number;
  readonly #startedAt: number;

  constructor(options: RateMeterOptions = {}) {
    const windowMs = options.windowMs ?? 2000;
    this.#bucketMs = options.bucketMs ?? 250;
    this.#counts = new Float64Array(Math.max(1, Math.round(windowMs / this.#bucketMs)));
    this.#now = options.now ?? (() => performance.now());
    this.#startedAt = this.#now();
    this.#current = Math.floor(this.#startedAt / this.#bucketMs);
  }

  /** Counts `n` events now. */
  mark(n = 1): void {
    this.#advance();
    this.#counts[this.#current % this.#counts.length]! += n;
  }

  /** Events per second over the window (or over the time since creation, if shorter). */
  rate(): number {
    this.#advance();
    let total = 0;
    for (const c of this.#counts) total += c;
    const now = this.#now();
    // The newest bucket is only partly elapsed, and early on the window is not full yet:
    // divide by the time the buckets actually cover, not by the nominal window.
    const coveredMs =
      (this.#counts.length - 1) * this.#bucketMs + (now - this.#current * this.#bucketMs);
    const observedMs = Math.max(this.#bucketMs, Math.min(coveredMs, now - this.#startedAt));
    return (total * 1000) / observedMs;
  }

  /** Zeroes buckets that fell out of the window since the last call. */
  #advance(): void {
    const bucket = Math.floor(this.#now() / this.#bucketMs);
    const steps = Math.min(bucket - this.#current, this.#counts.length);
    for (let i = 1; i <= steps; i++) this.#counts[(this.#current + i) % this.#counts.length] = 0;
    if (bucket > this.#current) this.#current = bucket;
  }
}
