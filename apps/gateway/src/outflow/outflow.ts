import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { CloseCode } from '@pulse/protocol';
import type { BusMessage } from '../bus/bus-message.js';
import type { Client } from '../client/client.js';
import { SINK_OPEN } from '../client/sink.js';
import { CONFIG } from '../config/config.module.js';
import type { GatewayConfig } from '../config/config.schema.js';
import { Stats } from '../metrics/stats.js';
import { Outbox, type Corkable, type OutboxHost } from './outbox.js';

/** How often a client over its soft mark, or with a replay still to page out, is looked at. */
const RECHECK_MS = 20;
/**
 * Replay bytes written per pass over all clients (a pass every RECHECK_MS while replays are
 * pending: up to 50 MB/s). Measured with `bench` scenario `replay`: without a cap, 200 consoles
 * opening at once wrote ~1 MB each in one turn and the live p99 of the others went ×60.
 */
const REPLAY_BYTES_PER_PASS = 1 << 20;
/** At most this much of one client's replay per pass, so a pass is shared between clients. */
const REPLAY_BYTES_PER_CLIENT = 64 << 10;

/**
 * Outbound flow: gives each client an `Outbox` (the delivery rules live there), flushes the
 * outboxes with pending frames once per batching window, and holds every client to its send
 * budget. Nothing here waits on a client, so one stalled socket costs only its own bounded
 * buffer.
 */
@Injectable()
export class Outflow implements OnModuleDestroy, OutboxHost {
  readonly softBytes: number;
  readonly hardBytes: number;
  readonly maxSlowMs: number;
  private readonly windowMs: number;
  private dirty: Outbox[] = [];
  private replayLeft = REPLAY_BYTES_PER_PASS;
  /** Counts passes, so each box's replay share restarts with each one. */
  private pass = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(CONFIG) config: GatewayConfig,
    @Inject(Stats) private readonly stats: Stats,
  ) {
    this.windowMs = config.batchWindowMs;
    this.softBytes = config.slowConsumer.softBytes;
    this.hardBytes = config.slowConsumer.hardBytes;
    this.maxSlowMs = config.slowConsumer.maxMs;
  }

  /** Gives a new client its outbox; `socket` is the TCP socket under a WebSocket. */
  attach<C extends Client>(client: C, socket?: Corkable): C {
    client.outbox = new Outbox(client, this, socket);
    return client;
  }

  schedule(box: Outbox): void {
    if (this.windowMs === 0 && box.slowSince === 0) return box.flush(Date.now());
    this.queue(box, box.slowSince === 0 ? this.windowMs : RECHECK_MS);
  }

  later(box: Outbox): void {
    this.queue(box, RECHECK_MS);
  }

  flushAll(now = Date.now()): void {
    this.timer = undefined;
    this.replayLeft = REPLAY_BYTES_PER_PASS;
    this.pass += 1;
    const batch = this.dirty;
    this.dirty = [];
    for (const box of batch) {
      box.flushQueued = false;
      box.flush(now);
    }
  }

  replayRoom(box: Outbox): number {
    if (box.replayPass !== this.pass) {
      box.replayPass = this.pass;
      box.replayBytes = 0;
    }
    return Math.min(this.replayLeft, REPLAY_BYTES_PER_CLIENT - box.replayBytes);
  }

  spendReplay(box: Outbox, bytes: number): void {
    this.replayLeft -= bytes;
    box.replayBytes += bytes;
  }

  closeSlow(box: Outbox, why: string): void {
    const client = box.client;
    box.clear();
    if (client.closed || client.sink.readyState !== SINK_OPEN) return;
    this.stats.slowConsumerCloses += 1;
    client.close(CloseCode.SLOW_CONSUMER, `slow consumer: ${why}`);
    // A stalled peer never reads the close frame: do not wait for its handshake.
    setTimeout(() => client.sink.terminate(), 1000).unref();
  }

  countSent(bytes: number, messages: readonly BusMessage[]): void {
    this.stats.frames += 1;
    this.stats.bytesOut += bytes;
    if (messages.length > 1) this.stats.batches += 1;
    this.stats.countDelivered(messages);
  }

  countConflated(skipped: number): void {
    this.stats.conflated += skipped;
  }

  onModuleDestroy(): void {
    clearTimeout(this.timer);
  }

  private queue(box: Outbox, ms: number): void {
    if (box.flushQueued) return;
    box.flushQueued = true;
    this.dirty.push(box);
    this.timer ??= setTimeout(() => this.flushAll(), ms);
  }
}
