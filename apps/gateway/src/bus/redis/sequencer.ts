import type { BusMessage } from '../bus-message.js';
import type { BusLoss } from '../bus.js';
import type { TopicSnapshot } from './topic-snapshot.js';

/** Reads a topic's history after `from` (its whole retained history when the epoch differs). */
export type HistoryReader = (
  topic: string,
  from: { epoch: string; seq: number },
) => Promise<TopicSnapshot | undefined>;

/** Live messages held per topic while its history is re-read; beyond this they are re-read too. */
const MAX_HELD = 10_000;
/** A failed re-read (Redis slow or away) is tried again after this long, or on reconnect. */
const RETRY_MS = 1000;

interface Cursor {
  epoch: string;
  /** Last seq handed on (or, while `!delivered`, the seq a history read saw). */
  seq: number;
  /**
   * False while the position is only a baseline from a recovery read: the next live message is
   * passed on as it is (earlier ones may still be in flight on the subscriber connection), but
   * after a reconnect the baseline says where the missed messages start.
   */
  delivered: boolean;
  /** While history is re-read: live messages that arrived meanwhile, in arrival order. */
  held: BusMessage[] | undefined;
  healing: boolean;
  /** Held messages overflowed: read again once this read is done. */
  again: boolean;
}

/**
 * Turns what pub/sub delivers into what the `Bus` contract promises: each message once, in seq
 * order per topic. Duplicates (a topic and a pattern channel both carry a message; a healed
 * message arriving late) are dropped. A jump in seq or a new epoch is never passed on as a
 * silent gap: the topic's live messages are held, its history is re-read from the last seq
 * handed on, the missing ones are delivered, then the held ones. What history no longer holds
 * cannot be healed: the loss is reported (`lost`, which subscribers see as `notice LOST`) before
 * the message after it, and a client that resumes across it is told `recovered: false`.
 */
export class Sequencer {
  private readonly cursors = new Map<string, Cursor>();
  /** Messages that could not be healed (history trimmed), for logs and metrics. */
  unhealed = 0;

  constructor(
    private readonly read: HistoryReader,
    private readonly deliver: (message: BusMessage) => void,
    private readonly isWatched: (topic: string) => boolean,
    /** Told of messages history no longer holds, before the message after them. */
    private readonly lost: (loss: BusLoss) => void = () => {},
  ) {}

  get topicCount(): number {
    return this.cursors.size;
  }

  /** A live message from pub/sub. */
  accept(message: BusMessage): void {
    const cursor = this.cursors.get(message.topic);
    if (!cursor) {
      if (!this.isWatched(message.topic)) return; // in flight when interest ended
      this.cursors.set(message.topic, newCursor(message.epoch, message.seq, true));
      return this.deliver(message);
    }
    if (cursor.held) return this.hold(cursor, message);
    this.advance(message.topic, cursor, message);
  }

  /** Position from a recovery read, so a reconnect knows where this topic's gap would start. */
  baseline(topic: string, epoch: string, seq: number): void {
    if (this.cursors.has(topic) || !this.isWatched(topic)) return;
    this.cursors.set(topic, newCursor(epoch, seq, false));
  }

  /** A watched topic learnt of only after a reconnect: everything it holds was missed. */
  discover(topic: string): void {
    if (this.cursors.has(topic) || !this.isWatched(topic)) return;
    const cursor = newCursor('', 0, true);
    this.cursors.set(topic, cursor);
    this.startHeal(topic, cursor);
  }

  /** After a reconnect: re-read every known topic from its cursor. */
  resync(): void {
    for (const [topic, cursor] of this.cursors) {
      if (!cursor.healing) this.startHeal(topic, cursor);
    }
  }

  /** Drops the state of topics no watched pattern covers any more. */
  forgetUnwatched(): void {
    for (const topic of this.cursors.keys()) {
      if (!this.isWatched(topic)) this.cursors.delete(topic);
    }
  }

  private advance(topic: string, cursor: Cursor, message: BusMessage): void {
    if (!cursor.delivered) {
      cursor.delivered = true;
      cursor.epoch = message.epoch;
      cursor.seq = message.seq;
      return this.deliver(message);
    }
    if (message.epoch === cursor.epoch) {
      if (message.seq <= cursor.seq) return;
      if (message.seq === cursor.seq + 1) {
        cursor.seq = message.seq;
        return this.deliver(message);
      }
    }
    cursor.held = [message];
    this.startHeal(topic, cursor);
  }

  private hold(cursor: Cursor, message: BusMessage): void {
    if (cursor.held!.length < MAX_HELD) return void cursor.held!.push(message);
    // Everything held is in history too: drop it here and read it again from there.
    cursor.held = [];
    cursor.again = true;
  }

  private startHeal(topic: string, cursor: Cursor): void {
    cursor.held ??= [];
    cursor.healing = true;
    cursor.again = false;
    this.read(topic, { epoch: cursor.epoch, seq: cursor.seq }).then(
      (snapshot) => this.healed(topic, cursor, snapshot),
      () => {
        // Keep holding; try again later (`resync` also does when the subscriber is back).
        cursor.healing = false;
        setTimeout(() => {
          if (this.cursors.get(topic) === cursor && cursor.held && !cursor.healing)
            this.startHeal(topic, cursor);
        }, RETRY_MS).unref();
      },
    );
  }

  private healed(topic: string, cursor: Cursor, snapshot: TopicSnapshot | undefined): void {
    cursor.healing = false;
    if (this.cursors.get(topic) !== cursor) return; // forgotten meanwhile
    if (cursor.again) return this.startHeal(topic, cursor);
    const held = cursor.held ?? [];
    cursor.held = undefined;
    if (snapshot) {
      if (snapshot.epoch !== cursor.epoch || !cursor.delivered) {
        if (snapshot.epoch !== cursor.epoch) cursor.seq = 0;
        cursor.epoch = snapshot.epoch;
        cursor.delivered = true;
      }
      let expected = cursor.seq + 1;
      for (const m of withHeld(snapshot, held)) {
        if (m.seq < expected) continue;
        if (m.seq > expected) {
          this.unhealed += m.seq - expected;
          this.lost({ topic, epoch: m.epoch, afterSeq: expected - 1, count: m.seq - expected });
        }
        cursor.seq = m.seq;
        expected = m.seq + 1;
        this.deliver(m);
      }
    }
    for (const m of held) {
      // Held from an epoch the read did not confirm (Redis restarted again): stale.
      if (m.epoch !== cursor.epoch) continue;
      if (cursor.held) this.hold(cursor, m);
      else this.advance(topic, cursor, m);
    }
  }
}

/**
 * The snapshot's tail, completed by live messages held while it was read: a read that had to be
 * retried can come back after history was trimmed past messages this instance already holds.
 */
function withHeld(snapshot: TopicSnapshot, held: readonly BusMessage[]): readonly BusMessage[] {
  const first = snapshot.tail[0]?.seq ?? snapshot.lastSeq + 1;
  const older = held.filter(
    (m) => m.epoch === snapshot.epoch && m.seq < first && m.seq <= snapshot.lastSeq,
  );
  if (older.length === 0) return snapshot.tail;
  return [...older.sort((a, b) => a.seq - b.seq), ...snapshot.tail];
}

function newCursor(epoch: string, seq: number, delivered: boolean): Cursor {
  return { epoch, seq, delivered, held: undefined, healing: false, again: false };
}
