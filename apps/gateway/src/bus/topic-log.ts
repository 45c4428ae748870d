import { BusMessage } from './bus-message.js';

/** One topic's sequence counter and bounded history (a ring buffer of the last `capacity`). */
export class TopicLog {
  private readonly ring: (BusMessage | undefined)[];
  private seq = 0;

  constructor(
    readonly topic: string,
    readonly epoch: string,
    private readonly capacity: number,
  ) {
    this.ring = new Array<BusMessage | undefined>(capacity);
  }

  get lastSeq(): number {
    return this.seq;
  }

  /** Oldest seq still held (lastSeq + 1 when empty). */
  get oldestSeq(): number {
    return Math.max(1, this.seq - this.capacity + 1);
  }

  append(payload: unknown, ts: number): BusMessage {
    this.seq += 1;
    const message = new BusMessage(this.topic, this.seq, this.epoch, ts, payload);
    this.ring[this.seq % this.capacity] = message;
    return message;
  }

  /** Messages with seq in (afterSeq, lastSeq], or undefined when some are no longer held. */
  after(afterSeq: number): BusMessage[] | undefined {
    if (afterSeq > this.seq || afterSeq < this.oldestSeq - 1) return undefined;
    return this.range(afterSeq + 1, this.seq);
  }

  /** The last `count` messages, oldest first. */
  last(count: number): BusMessage[] {
    return this.range(Math.max(this.oldestSeq, this.seq - count + 1), this.seq);
  }

  private range(from: number, to: number): BusMessage[] {
    const out: BusMessage[] = [];
    for (let s = from; s <= to; s++) out.push(this.ring[s % this.capacity]!);
    return out;
  }
}
