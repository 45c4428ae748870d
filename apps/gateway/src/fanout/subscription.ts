import type { BusMessage } from '../bus/bus-message.js';
import type { BusLoss } from '../bus/bus.js';
import type { Client, ClientSubscription } from '../client/client.js';
import type { ThrottleMode } from '../config/flow-settings.js';

/**
 * One client subscription to a topic or pattern. While it is being set up (history being read)
 * live messages are held; `goLive` queues the replay (never conflated, see `outflow/outbox.ts`)
 * and then what arrived meanwhile, dropping what the replay already covered, so the client sees
 * each seq once and in order. A live topic that starts a new epoch is announced first
 * (`notice EPOCH_CHANGED`): its old epoch's tail may be lost.
 */
export class Subscription implements ClientSubscription {
  private pending: BusMessage[] | undefined = [];
  /** Last seq sent per concrete topic (and its epoch), the guard against duplicates. */
  private readonly sent = new Map<string, { epoch: string; seq: number }>();

  constructor(
    readonly client: Client,
    readonly pattern: string,
    readonly requestId: number,
    /** Minimum ms between updates of one topic (0 = unthrottled). */
    readonly intervalMs = 0,
    readonly mode: ThrottleMode = 'conflate',
  ) {}

  get live(): boolean {
    return this.pending === undefined;
  }

  /** A live message from the bus (or from this subscription's throttle). */
  deliver(message: BusMessage): void {
    if (this.pending) this.pending.push(message);
    else this.send(message);
  }

  /** Queues the replay, then what arrived meanwhile, then passes messages straight through. */
  goLive(replay: readonly BusMessage[]): void {
    const fresh = replay.filter((m) => this.advance(m));
    this.client.outbox.replay(fresh);
    const held = this.pending ?? [];
    this.pending = undefined;
    for (const m of held) this.send(m);
  }

  /** The bus lost messages of a topic this subscription delivers live: say so before the next. */
  lost(loss: BusLoss): void {
    if (!this.live) return; // its replay is read from history after the loss
    this.client.send({
      type: 'notice',
      code: 'LOST',
      message: `${loss.count} messages of ${loss.topic} after seq ${loss.afterSeq} were lost before this gateway got them`,
      topic: loss.topic,
      epoch: loss.epoch,
      seq: loss.afterSeq,
      skipped: loss.count,
    });
  }

  private send(message: BusMessage): void {
    const last = this.sent.get(message.topic);
    if (last && last.epoch !== message.epoch) {
      this.client.send({
        type: 'notice',
        code: 'EPOCH_CHANGED',
        message: `${message.topic} started a new epoch; messages after seq ${last.seq} of the old one may be missing`,
        topic: message.topic,
        epoch: last.epoch,
        seq: last.seq,
      });
    }
    if (this.advance(message)) this.client.outbox.live(message);
  }

  /** Records `message` as sent unless it is not newer than what was; false for a duplicate. */
  private advance(message: BusMessage): boolean {
    const last = this.sent.get(message.topic);
    if (last && last.epoch === message.epoch && message.seq <= last.seq) return false;
    if (last) {
      last.epoch = message.epoch;
      last.seq = message.seq;
    } else {
      this.sent.set(message.topic, { epoch: message.epoch, seq: message.seq });
    }
    return true;
  }
}
