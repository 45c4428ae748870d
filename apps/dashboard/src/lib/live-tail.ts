import type { LivePoint } from './history-stitch.js';

type Listener<P> = (p: P) => void;

/**
 * The live messages of one topic kept for a long chart, by payload time and seq. It records
 * from the moment a view opens it — before the history request leaves — so whatever arrives
 * while the request is in flight is there to stitch, and afterwards it hands each new message
 * to the stitched series. Bounded: past `capacity` the oldest go (the stitch then starts the
 * tail later, still seamless while the history reaches that far).
 */
export class LiveTail<P extends LivePoint> {
  /**
   * When recording began (this browser's clock): every message delivered since is here, so
   * every one stamped at or after it is (as far as the device's clock agrees with this one).
   */
  readonly openedAt: number;
  readonly #capacity: number;
  #points: P[] = [];
  readonly #listeners = new Set<Listener<P>>();

  constructor(capacity = 5000, openedAt = Date.now()) {
    this.#capacity = Math.max(1, capacity);
    this.openedAt = openedAt;
  }

  /** What was recorded, oldest first (arrival order). */
  get points(): readonly P[] {
    return this.#points;
  }

  push(p: P): void {
    this.#points.push(p);
    // Halve when full instead of shifting one at a time: amortised O(1) per message.
    if (this.#points.length > this.#capacity) {
      this.#points = this.#points.slice(this.#points.length - (this.#capacity >> 1));
    }
    for (const fn of this.#listeners) fn(p);
  }

  /** Calls `fn` with each message pushed from now on; returns the unsubscribe. */
  listen(fn: Listener<P>): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }
}

/**
 * Live tails by topic, recording only the topics a view has opened (a lookup per message
 * otherwise). Opened by reference count: two charts of one topic share a tail.
 */
export class LiveTails<P extends LivePoint> {
  readonly #tails = new Map<string, { tail: LiveTail<P>; refs: number }>();
  readonly #capacity: number;
  readonly #now: () => number;

  constructor(capacity = 5000, now: () => number = Date.now) {
    this.#capacity = capacity;
    this.#now = now;
  }

  /** Records `p` when `topic` is open. */
  push(topic: string, p: P): void {
    this.#tails.get(topic)?.tail.push(p);
  }

  /** Starts (or shares) recording `topic`; `close` stops it when the last user closes. */
  open(topic: string): { tail: LiveTail<P>; close: () => void } {
    let entry = this.#tails.get(topic);
    if (!entry) {
      entry = { tail: new LiveTail<P>(this.#capacity, this.#now()), refs: 0 };
      this.#tails.set(topic, entry);
    }
    entry.refs++;
    const e = entry;
    let closed = false;
    return {
      tail: e.tail,
      close: () => {
        if (closed) return;
        closed = true;
        if (--e.refs === 0) this.#tails.delete(topic);
      },
    };
  }

  /** Topics being recorded. */
  get size(): number {
    return this.#tails.size;
  }
}
