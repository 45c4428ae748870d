import type { Role } from '@pulse/protocol';
import { shouldReconnect } from '@pulse/protocol';
import type { Clock } from './clock.js';
import type { Connection, Opener } from './connection.js';
import { FlowControl } from './flow.js';
import { Publisher } from './publisher.js';
import type { Rng } from './random.js';
import type { Stats } from './stats.js';

export interface SessionOptions {
  readonly role: Role;
  readonly sub: string;
  readonly open: Opener;
  readonly stats: Stats;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly ackRatio: number;
  /** Time between sends at full rate. */
  readonly intervalMs: number;
}

/**
 * One publishing identity (a device or the feed): its current connection, which a dropout
 * replaces with a fresh one, and its flow control, which outlives connections because the
 * gateway's limits are per publisher.
 */
export class PublisherSession {
  readonly flow: FlowControl;
  readonly publisher: Publisher;
  private conn: Connection | undefined;
  private up = false;

  constructor(private readonly o: SessionOptions) {
    this.flow = new FlowControl(o.intervalMs);
    this.publisher = new Publisher({
      flow: this.flow,
      stats: o.stats,
      clock: o.clock,
      rng: o.rng,
      ackRatio: o.ackRatio,
      link: () => (this.up ? this.conn : undefined),
    });
  }

  /** Whether a connection is open and welcomed. */
  get connected(): boolean {
    return this.up;
  }

  /** Opens a new connection (no-op when one exists). */
  connect(): void {
    if (this.conn) return;
    let everConnected = false;
    // `let`, not `const`: the status callback may run inside `open()`, before it returns.
    // eslint-disable-next-line prefer-const
    let conn: Connection | undefined;
    // Events from a connection we already replaced must not touch the current one.
    const mine = () => conn !== undefined && this.conn === conn;
    conn = this.o.open(this.o.role, this.o.sub, {
      onStatus: (e) => {
        if (!mine()) return;
        this.up = e.status === 'connected';
        if (e.status === 'connected') {
          if (everConnected) this.o.stats.reconnects++;
          everConnected = true;
        } else if (e.status === 'reconnecting') {
          this.o.stats.connectFailures++;
          const why = [e.closeCode, e.closeReason]
            .filter((x) => x !== undefined && x !== '')
            .join(' ');
          if (why) this.o.stats.lastFailure = why;
        } else if (
          e.status === 'disconnected' &&
          e.closeCode !== undefined &&
          !shouldReconnect(e.closeCode)
        ) {
          this.o.stats.fatalClose(e.closeCode);
        }
      },
      onError: (frame) => {
        if (mine()) this.publisher.onError(frame);
      },
      onNotice: (notice) => {
        if (mine()) this.publisher.onNotice(notice);
      },
    });
    this.conn = conn;
  }

  /** Closes the current connection on purpose (dropout or shutdown). */
  disconnect(): void {
    const conn = this.conn;
    this.conn = undefined;
    this.up = false;
    conn?.close();
  }

  /** Disconnects and stops retries for good. */
  stop(): void {
    this.publisher.stop();
    this.disconnect();
  }
}
