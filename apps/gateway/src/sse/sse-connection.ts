import { formatEventId, MAX_EVENT_ID_TOPICS, type ResumePosition } from '@pulse/protocol';
import type { BusMessage } from '../bus/bus-message.js';
import { Client } from '../client/client.js';
import type { SseSink } from './sse-sink.js';

/**
 * A read-only subscriber on an SSE stream. The fan-out treats it like any connection; the only
 * difference is here: each frame of updates carries the stream's position in every topic as
 * its event id, so `Last-Event-ID` can resume the lot.
 */
export class SseConnection extends Client {
  /** Last delivered seq per topic, seeded from `Last-Event-ID` so a second resume keeps them. */
  readonly positions = new Map<string, { seq: number; epoch: string }>();

  override get transport(): 'sse' {
    return 'sse';
  }

  /** Seeds the positions a resumed stream starts from. */
  resumeFrom(positions: ReadonlyMap<string, ResumePosition>): void {
    for (const [topic, p] of positions) {
      if (this.positions.size >= MAX_EVENT_ID_TOPICS) break;
      this.positions.set(topic, { seq: p.seq, epoch: p.epoch });
    }
  }

  override sendUpdates(frame: Buffer, messages: readonly BusMessage[]): void {
    const positions = this.positions;
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i]!;
      const p = positions.get(m.topic);
      if (p) {
        p.seq = m.seq;
        p.epoch = m.epoch;
      } else if (positions.size < MAX_EVENT_ID_TOPICS) {
        positions.set(m.topic, { seq: m.seq, epoch: m.epoch });
      }
    }
    (this.sink as SseSink).event(formatEventId(positions), frame);
  }
}
