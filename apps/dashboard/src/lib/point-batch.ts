import { RingBuffer } from './ring-buffer.js';

/**
 * New points of many charts, gathered between two animation frames and sent to the chart
 * worker as (chart id, x, y) triples in one Float64Array whose buffer is transferred.
 */
export class PointBatch {
  #numbers: number[] = [];

  /** Numbers gathered (three per point). */
  get size(): number {
    return this.#numbers.length;
  }

  add(id: number, x: number, y: number): void {
    this.#numbers.push(id, x, y);
  }

  /** The gathered triples, emptying the batch; undefined when there are none. */
  take(): Float64Array | undefined {
    if (this.#numbers.length === 0) return undefined;
    const data = Float64Array.from(this.#numbers);
    this.#numbers = [];
    return data;
  }
}

/** Calls `fn` for each (id, x, y) triple of a batch, in order. */
export function forEachPoint(
  data: Float64Array,
  fn: (id: number, x: number, y: number) => void,
): void {
  for (let i = 0; i + 2 < data.length; i += 3) fn(data[i]!, data[i + 1]!, data[i + 2]!);
}

/** A ring's points, x and y interleaved, oldest first (a chart's backfill). */
export function packRing(ring: RingBuffer): Float64Array {
  const out = new Float64Array(ring.length * 2);
  for (let i = 0; i < ring.length; i++) {
    out[2 * i] = ring.xAt(i);
    out[2 * i + 1] = ring.yAt(i);
  }
  return out;
}

/** A ring of `capacity` holding a packed backfill. */
export function unpackRing(capacity: number, packed: Float64Array): RingBuffer {
  const ring = new RingBuffer(capacity);
  for (let i = 0; i + 1 < packed.length; i += 2) ring.push(packed[i]!, packed[i + 1]!);
  return ring;
}
