import type { ServerMessage } from '@pulse/protocol';
import { BusMessage } from '../bus/bus-message.js';
import type { Client, Outbox as OutboxPort } from '../client/client.js';
import { BINARY, SINK_OPEN, TEXT } from '../client/sink.js';
import { batchFrame } from './batch-frame.js';

/** Most messages in one batch frame: stays under decoders' array caps (4096 in ours). */
export const MAX_BATCH = 1000;

/** The network socket under a WebSocket: writes between cork and uncork leave in one syscall. */
export interface Corkable {
  cork(): void;
  uncork(): void;
}

/** What an outbox needs from the outflow that runs it (timers, limits, metrics). */
export interface OutboxHost {
  readonly softBytes: number;
  readonly hardBytes: number;
  readonly maxSlowMs: number;
  /** A live update or reply arrived: flush within the batching window (or at once). */
  schedule(box: Outbox): void;
  /** Look again shortly: the reader has not taken what was sent yet. */
  later(box: Outbox): void;
  closeSlow(box: Outbox, why: string): void;
  /** Replay bytes this box may still write in this pass (shared by every box). */
  replayRoom(box: Outbox): number;
  spendReplay(box: Outbox, bytes: number): void;
  countSent(bytes: number, messages: readonly BusMessage[]): void;
  countConflated(skipped: number): void;
}

/** A control frame, encoded, waiting behind the updates queued before it. */
class Control {
  constructor(readonly data: string | Uint8Array) {}
}

/** A replay the client asked for, sent a page at a time from `next` as the reader keeps up. */
class Replay {
  next = 0;
  constructor(readonly messages: readonly BusMessage[]) {}
}

/** `null`: a live update that a later one of its topic replaced while the client was slow. */
type Entry = BusMessage | Control | Replay | null;

/**
 * One client's outbound queue, and the delivery rules of the protocol in one place:
 *
 * 1. Frames leave in the order they were queued. A reply (`subscribed`, `ack`, `pong`, an
 *    error, a notice) never overtakes an update queued before it, and no update queued after
 *    it is sent before it — also while the client is over its send budget.
 * 2. A replay (history, resume) is never conflated. It is paged out only while the client's
 *    send buffer is under the soft mark, so a large replay costs the reader's pace, not memory
 *    in the socket; the messages it holds are the bus's own history entries. The outflow caps
 *    the replay bytes of one pass over all clients, so a storm of replays (every console
 *    reopening after a restart) cannot hold the event loop away from live traffic.
 * 3. Live updates are batched per flush window. While the send buffer is over the soft mark,
 *    live updates of one topic between two other frames are conflated to the latest, and a
 *    `notice CONFLATED` with the number skipped precedes the next update sent.
 * 4. Over the hard mark, or over the soft mark for longer than allowed, the client is closed
 *    with 4100: a replay cut that way is resumed from the positions the client holds.
 */
export class Outbox implements OutboxPort {
  /** In the outflow's list for the next flush. */
  flushQueued = false;
  /** When the send buffer went over the soft mark (0 = it is not). */
  slowSince = 0;
  /** The outflow's pass this box last wrote replay bytes in, and how many (its share). */
  replayPass = -1;
  replayBytes = 0;
  private entries: Entry[] = [];
  /** While slow: the index of the last live entry per topic since the last other frame. */
  private latest: Map<string, number> | undefined;
  /** Live updates conflated and not yet told to the client. */
  private skipped = 0;
  private corked = false;

  constructor(
    readonly client: Client,
    private readonly host: OutboxHost,
    /** The WebSocket's TCP socket (SSE has none): replies of one turn are written together. */
    private readonly socket?: Corkable,
  ) {}

  get pending(): boolean {
    return this.entries.length > 0;
  }

  live(message: BusMessage): void {
    if (this.client.closed) return;
    const latest = this.latest;
    if (latest) {
      const at = latest.get(message.topic);
      if (at !== undefined) {
        this.entries[at] = message;
        this.skipped += 1;
        return;
      }
      latest.set(message.topic, this.entries.length);
    }
    this.entries.push(message);
    this.host.schedule(this);
  }

  replay(messages: readonly BusMessage[]): void {
    if (this.client.closed || messages.length === 0) return;
    this.entries.push(new Replay(messages));
    this.latest?.clear();
    this.host.schedule(this);
  }

  reply(message: ServerMessage): void {
    const sink = this.client.sink;
    if (sink.readyState !== SINK_OPEN) return;
    const data = this.client.codec.encode(message);
    if (this.entries.length === 0) {
      if (sink.bufferedAmount > this.host.hardBytes)
        return this.host.closeSlow(this, 'send buffer over hard limit');
      return this.write(data);
    }
    this.entries.push(new Control(data));
    this.latest?.clear();
    // Not slow: the updates ahead of it go now, so a reply is not held for the batch window.
    if (this.slowSince === 0) this.flush(Date.now());
    else this.host.schedule(this);
  }

  clear(): void {
    this.entries = [];
    this.latest = undefined;
  }

  /** Sends what the send budget allows, in order; called by the outflow. */
  flush(now: number): void {
    const sink = this.client.sink;
    if (sink.readyState !== SINK_OPEN) return this.clear();
    const buffered = sink.bufferedAmount;
    if (buffered > this.host.hardBytes)
      return this.host.closeSlow(this, 'send buffer over hard limit');
    if (buffered > this.host.softBytes) {
      if (this.slowSince === 0) {
        this.slowSince = now;
        this.conflate();
      } else if (now - this.slowSince > this.host.maxSlowMs) {
        return this.host.closeSlow(this, `over its send budget for ${this.host.maxSlowMs} ms`);
      }
      return this.host.later(this);
    }
    this.slowSince = 0;
    this.latest = undefined;
    if (this.skipped > 0) this.tellSkipped();
    this.drain();
    if (this.entries.length > 0) this.host.later(this);
  }

  /** Writes entries in order until the budget stops it; keeps the rest. */
  private drain(): void {
    const entries = this.entries;
    const sink = this.client.sink;
    const soft = this.host.softBytes;
    let run: BusMessage[] = [];
    let i = 0;
    for (; i < entries.length; i++) {
      const e = entries[i]!;
      if (e === null) continue;
      if (e instanceof BusMessage) {
        run.push(e);
        continue;
      }
      if (run.length > 0) {
        this.sendUpdates(run);
        run = [];
      }
      if (sink.bufferedAmount > soft || sink.readyState !== SINK_OPEN) break;
      if (e instanceof Control) {
        this.write(e.data);
        continue;
      }
      while (e.next < e.messages.length && sink.bufferedAmount <= soft) {
        const room = Math.min(soft - sink.bufferedAmount, this.host.replayRoom(this));
        if (room <= 0) break;
        this.sendUpdates(this.page(e, room));
      }
      if (e.next < e.messages.length) break;
    }
    if (run.length > 0) this.sendUpdates(run);
    this.entries = i >= entries.length ? [] : entries.slice(i);
  }

  /**
   * The next page of a replay: at most `room` bytes (at least one message), so a page never
   * takes the send buffer from under the soft mark to over the hard one.
   */
  private page(replay: Replay, room: number): BusMessage[] {
    const { messages } = replay;
    const codec = this.client.codec;
    const start = replay.next;
    const end = Math.min(messages.length, start + MAX_BATCH);
    let bytes = 0;
    let i = start;
    while (i < end) {
      bytes += messages[i]!.frame(codec).length + 1;
      if (bytes > room && i > start) break;
      i += 1;
    }
    replay.next = i;
    this.host.spendReplay(this, bytes);
    return messages.slice(start, i);
  }

  /** Entering slow mode: keep the latest live update per topic between two other frames. */
  private conflate(): void {
    const entries = this.entries;
    const seen = new Set<string>();
    let skipped = 0;
    for (let i = entries.length - 1; i >= 0; i--) {
      const e = entries[i];
      if (e instanceof BusMessage) {
        if (seen.has(e.topic)) {
          entries[i] = null;
          skipped += 1;
        } else seen.add(e.topic);
      } else if (e !== null) seen.clear();
    }
    this.skipped += skipped;
    const latest = new Map<string, number>();
    for (let i = entries.length - 1; i >= 0; i--) {
      const e = entries[i];
      if (e instanceof BusMessage) latest.set(e.topic, i);
      else if (e !== null) break;
    }
    this.latest = latest;
  }

  private tellSkipped(): void {
    const skipped = this.skipped;
    this.skipped = 0;
    this.host.countConflated(skipped);
    this.write(
      this.client.codec.encode({
        type: 'notice',
        code: 'CONFLATED',
        message: `${skipped} live updates skipped while over the send budget`,
        skipped,
      }),
    );
  }

  private sendUpdates(messages: BusMessage[]): void {
    const codec = this.client.codec;
    for (let i = 0; i < messages.length; i += MAX_BATCH) {
      const part = messages.length <= MAX_BATCH ? messages : messages.slice(i, i + MAX_BATCH);
      const frame =
        part.length === 1
          ? part[0]!.frame(codec)
          : batchFrame(
              codec,
              part.map((m) => m.frame(codec)),
            );
      this.client.sendUpdates(frame, part);
      this.host.countSent(frame.length, part);
    }
  }

  private write(data: string | Uint8Array): void {
    this.coalesce();
    this.client.sink.send(data, this.client.codec.binary ? BINARY : TEXT);
  }

  /**
   * Holds this turn's writes back until the turn ends. A publisher with many publishes in flight
   * gets their acks in bursts (a batch of Redis replies resolves at once): one write for the
   * burst instead of a syscall per ack, which was a fifth of the gateway's time at 40k acks/s.
   */
  private coalesce(): void {
    if (this.corked || !this.socket) return;
    this.corked = true;
    this.socket.cork();
    process.nextTick(this.uncork);
  }

  private readonly uncork = (): void => {
    this.corked = false;
    this.socket!.uncork();
  };
}
