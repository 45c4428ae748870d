import type { BusMessage } from '../bus-message.js';
import type { TopicHistory } from '../recover.js';
import { messageFromFrame } from './frame-header.js';

/** Raw reply of `READ_LUA` as Buffers: `[]`, or `[epoch, seq, entries]`. */
export type ReadReply = [] | [Buffer, number, (Buffer | [Buffer, Buffer[]])[]];

/**
 * What one atomic read returned about a topic: its epoch, latest seq and a contiguous tail of
 * its history. It answers the questions `recoverTopic` asks, so Redis applies the same resume
 * rule as the memory bus.
 */
export class TopicSnapshot implements TopicHistory {
  private constructor(
    readonly topic: string,
    readonly epoch: string,
    readonly lastSeq: number,
    /** Consecutive messages ending at `lastSeq`, oldest first. */
    readonly tail: readonly BusMessage[],
  ) {}

  /** Undefined for a topic Redis does not know. */
  static fromReply(topic: string, reply: ReadReply): TopicSnapshot | undefined {
    if (reply.length === 0) return undefined;
    const [epoch, seq, entries] = reply;
    const tail: BusMessage[] = [];
    for (const entry of entries) {
      // XRANGE gives [id, [field, frame]]; the latest-only shortcut gives the frame itself.
      const frame = Buffer.isBuffer(entry) ? entry : entry[1][1];
      const message = frame && messageFromFrame(frame);
      if (message) tail.push(message);
    }
    return new TopicSnapshot(topic, epoch.toString(), Number(seq), tail);
  }

  after(seq: number): readonly BusMessage[] | undefined {
    if (seq > this.lastSeq) return undefined;
    if (seq === this.lastSeq) return [];
    const first = this.tail[0];
    if (!first || first.seq > seq + 1) return undefined; // trimmed
    return this.tail.slice(seq + 1 - first.seq);
  }

  last(count: number): readonly BusMessage[] {
    return count > 0 ? this.tail.slice(-count) : [];
  }
}
