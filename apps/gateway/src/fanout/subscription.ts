import type { BusMessage } from '../bus/bus-message.js';
import type { ThrottleMode } from '../config/flow-settings.js';
import type { Connection } from './connection.js';

/**
 * One client subscription to a topic or pattern. While it is being set up (history being read)
 * live messages are held; `goLive` sends them after the replay, dropping what the replay already
 * covered, so the client sees each seq once and in order.
 */
export class Subscription {
  private pending: BusMessage[] | undefined = [];
  /** Last seq sent per concrete topic (and its epoch), the guard against duplicates. */
  private readonly sent = new Map<string, { epoch: string; seq: number }>();

  constructor(
    readonly connection: Connection,
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

  /** Sends the replay, then what arrived meanwhile, then passes messages straight through. */
  goLive(replay: readonly BusMessage[]): void {
    for (const m of replay) this.send(m);
    const held = this.pending ?? [];
    this.pending = undefined;
    for (const m of held) this.send(m);
  }

  private send(message: BusMessage): void {
    const last = this.sent.get(message.topic);
    if (last && last.epoch === message.epoch && message.seq <= last.seq) return;
    if (last) {
      last.epoch = message.epoch;
      last.seq = message.seq;
    } else {
      this.sent.set(message.topic, { epoch: message.epoch, seq: message.seq });
    }
    this.connection.enqueue(message);
  }
}
