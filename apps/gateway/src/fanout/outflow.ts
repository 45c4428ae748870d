import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { CloseCode } from '@pulse/protocol';
import { CONFIG } from '../config/config.module.js';
import type { GatewayConfig } from '../config/config.schema.js';
import { Stats } from '../metrics/stats.js';
import { batchFrame } from './batch-frame.js';
import type { Connection } from './connection.js';
import { SINK_OPEN } from './sink.js';

/** Most messages in one batch frame: stays under decoders' array caps (4096 in ours). */
const MAX_BATCH = 1000;
/** How often a connection over its soft mark is looked at again. */
const SLOW_RECHECK_MS = 20;

/**
 * Outbound flow: batches each connection's updates per flush window into one frame, and holds
 * every connection to its send budget. Over the soft mark a connection's pending updates are
 * conflated per topic (it skips to the latest); over the hard mark, or over the soft mark for
 * longer than allowed, it is closed as a slow consumer (4100). Nothing here waits on a client,
 * so one stalled socket costs only its own bounded buffer.
 */
@Injectable()
export class Outflow implements OnModuleDestroy {
  private dirty: Connection[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly windowMs: number;
  private readonly soft: number;
  private readonly hard: number;
  private readonly maxSlowMs: number;

  constructor(
    @Inject(CONFIG) config: GatewayConfig,
    @Inject(Stats) private readonly stats: Stats,
  ) {
    this.windowMs = config.batchWindowMs;
    this.soft = config.slowConsumer.softBytes;
    this.hard = config.slowConsumer.hardBytes;
    this.maxSlowMs = config.slowConsumer.maxMs;
  }

  /** Called when a connection gets its first pending update since its last flush. */
  schedule(conn: Connection): void {
    if (this.windowMs === 0 && conn.slowSince === 0) return this.flush(conn, Date.now());
    if (conn.flushQueued) return;
    conn.flushQueued = true;
    this.dirty.push(conn);
    this.timer ??= setTimeout(
      () => this.flushAll(),
      conn.slowSince === 0 ? this.windowMs : SLOW_RECHECK_MS,
    );
  }

  /** Control frames (replies, acks, errors) bypass batching but not the hard limit. */
  checkHardLimit(conn: Connection): boolean {
    if (conn.sink.bufferedAmount <= this.hard) return true;
    this.closeSlow(conn, 'send buffer over hard limit');
    return false;
  }

  /** Sends a connection's pending updates now (before a control frame), unless it is slow. */
  flushNow(conn: Connection): void {
    if (conn.slowSince === 0) this.flush(conn, Date.now());
  }

  flushAll(now = Date.now()): void {
    this.timer = undefined;
    const batch = this.dirty;
    this.dirty = [];
    for (const conn of batch) {
      conn.flushQueued = false;
      this.flush(conn, now);
    }
  }

  onModuleDestroy(): void {
    clearTimeout(this.timer);
  }

  private flush(conn: Connection, now: number): void {
    const sink = conn.sink;
    if (sink.readyState !== SINK_OPEN) return conn.dropPending();
    const buffered = sink.bufferedAmount;
    if (buffered > this.hard) return this.closeSlow(conn, 'send buffer over hard limit');
    if (buffered > this.soft) {
      if (conn.slowSince === 0) {
        conn.slowSince = now;
        conn.conflatePending();
      } else if (now - conn.slowSince > this.maxSlowMs) {
        return this.closeSlow(conn, `over its send budget for ${this.maxSlowMs} ms`);
      }
      return this.schedule(conn);
    }
    if (conn.slowSince !== 0) conn.slowSince = 0;
    const messages = conn.takePending();
    this.stats.conflated += conn.takeConflatedCount();
    if (messages.length === 0) return;
    const codec = conn.codec;
    for (let i = 0; i < messages.length; i += MAX_BATCH) {
      const part = messages.length <= MAX_BATCH ? messages : messages.slice(i, i + MAX_BATCH);
      const frame =
        part.length === 1
          ? part[0]!.frame(codec)
          : batchFrame(
              codec,
              part.map((m) => m.frame(codec)),
            );
      conn.sendUpdates(frame, part);
      this.stats.frames += 1;
      this.stats.bytesOut += frame.length;
      if (part.length > 1) this.stats.batches += 1;
    }
    this.stats.countDelivered(messages);
  }

  private closeSlow(conn: Connection, why: string): void {
    if (conn.closed) return;
    this.stats.slowConsumerCloses += 1;
    conn.dropPending();
    conn.close(CloseCode.SLOW_CONSUMER, `slow consumer: ${why}`);
    // A stalled peer never reads the close frame: do not wait for its handshake.
    setTimeout(() => conn.sink.terminate(), 1000).unref();
  }
}
