import { RingBuffer } from './ring-buffer.js';

type Listener = () => void;

/**
 * Chart series by key (`device.d1.temperature`, `price.ACME`), each a bounded ring. Not
 * reactive on purpose: points arrive far faster than Svelte should re-render, so charts
 * listen for pushes and redraw on their own frame schedule.
 */
export class SeriesStore {
  readonly #capacity: number;
  readonly #series = new Map<string, RingBuffer>();
  readonly #listeners = new Map<string, Set<Listener>>();

  /** `capacity`: most points kept per series. */
  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** The ring for `key`, created empty on first use. */
  get(key: string): RingBuffer {
    let ring = this.#series.get(key);
    if (!ring) {
      ring = new RingBuffer(this.#capacity);
      this.#series.set(key, ring);
    }
    return ring;
  }

  /** Whether `key` holds any points. */
  has(key: string): boolean {
    return (this.#series.get(key)?.length ?? 0) > 0;
  }

  /** Appends a point to `key` and tells its listeners. */
  push(key: string, x: number, y: number): void {
    this.get(key).push(x, y);
    const listeners = this.#listeners.get(key);
    if (listeners) for (const fn of listeners) fn();
  }

  /** Calls `fn` after each push to `key`; returns the unsubscribe. */
  listen(key: string, fn: Listener): () => void {
    let set = this.#listeners.get(key);
    if (!set) {
      set = new Set();
      this.#listeners.set(key, set);
    }
    set.add(fn);
    return () => {
      set.delete(fn);
      if (set.size === 0) this.#listeners.delete(key);
    };
  }
}
