import { BusMessage } from './bus-message.js';
import type { BudgetedHistory, HistoryBudget } from './history-budget.js';

/**
 * One topic's sequence counter and bounded history: a ring of the last `capacity` messages,
 * from which the process-wide memory budget may also evict the oldest (never the latest).
 */
export class TopicLog implements BudgetedHistory {
  private readonly ring: (BusMessage | undefined)[];
  private readonly sizes: Float64Array;
  private seq = 0;
  /** Oldest seq held; lastSeq + 1 when empty. */
  private floor = 1;
  parkedSeq: number | undefined;

  constructor(
    readonly topic: string,
    readonly epoch: string,
    private readonly capacity: number,
    private readonly budget?: HistoryBudget,
    /** Estimated bytes a stored message holds (see `MemoryBus`). */
    private readonly sizeOf: (message: BusMessage) => number = () => 0,
  ) {
    this.ring = new Array<BusMessage | undefined>(capacity);
    this.sizes = new Float64Array(capacity);
  }

  get lastSeq(): number {
    return this.seq;
  }

  get oldestSeq(): number {
    return this.floor;
  }

  append(payload: unknown, ts: number): BusMessage {
    this.seq += 1;
    const message = new BusMessage(this.topic, this.seq, this.epoch, ts, payload);
    const slot = this.seq % this.capacity;
    if (this.seq - this.capacity >= this.floor) {
      // The ring wraps over the oldest held message.
      this.budget?.release(this.sizes[slot]!, 1);
      this.floor = this.seq - this.capacity + 1;
    }
    const bytes = this.sizeOf(message);
    this.ring[slot] = message;
    this.sizes[slot] = bytes;
    this.budget?.charge(this, this.seq, bytes);
    return message;
  }

  dropThrough(seq: number): [bytes: number, count: number] {
    const to = Math.min(seq, this.seq - 1); // the latest stays
    let bytes = 0;
    let count = 0;
    for (; this.floor <= to; this.floor++, count++) {
      const slot = this.floor % this.capacity;
      bytes += this.sizes[slot]!;
      this.ring[slot] = undefined;
    }
    return [bytes, count];
  }

  /** Messages with seq in (afterSeq, lastSeq], or undefined when some are no longer held. */
  after(afterSeq: number): BusMessage[] | undefined {
    if (afterSeq > this.seq || afterSeq < this.floor - 1) return undefined;
    return this.range(afterSeq + 1, this.seq);
  }

  /** The last `count` messages (as many as are held), oldest first. */
  last(count: number): BusMessage[] {
    return this.range(Math.max(this.floor, this.seq - count + 1), this.seq);
  }

  private range(from: number, to: number): BusMessage[] {
    const out: BusMessage[] = [];
    for (let s = from; s <= to; s++) out.push(this.ring[s % this.capacity]!);
    return out;
  }
}
