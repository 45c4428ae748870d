import { keyMaker } from '@pulse/client';
import { ErrorCode } from '@pulse/protocol';
import type { Clock } from './clock.js';
import type { FlowControl } from './flow.js';
import type { Rng } from './random.js';
import type { Stats } from './stats.js';

/** The slice of a client connection a publisher needs (a `PulseClient` behind `connection.ts`). */
export interface Link {
  /** Fire and forget: failures arrive later as error frames. */
  publish(topic: string, payload: unknown): void;
  /**
   * Resolves on `ack`; rejects with an error carrying `code` and maybe `retryAfterMs`. `key` is
   * the publish's idempotency key: its retry sends the same one, so it is never stored twice.
   */
  publishAcked(topic: string, payload: unknown, key: string): Promise<unknown>;
}

/** What the server told us went wrong (an error frame or a rejected ack). */
export interface Rejection {
  readonly code: string;
  readonly retryAfterMs?: number | undefined;
}

/** An advisory `notice` frame. */
export interface FlowNotice {
  readonly code: string;
  readonly retryAfterMs?: number | undefined;
}

export interface PublisherOptions {
  readonly flow: FlowControl;
  readonly stats: Stats;
  readonly clock: Clock;
  /** Decides which publishes ask for an ack. */
  readonly rng: Rng;
  /** Fraction of publishes sent with `{ ack: true }`. */
  readonly ackRatio: number;
  /** The live link, or undefined while not connected. */
  readonly link: () => Link | undefined;
}

export type SendResult = 'sent' | 'held' | 'skipped';

/**
 * Sends one publisher's messages and applies what the server says back: rate-limit pauses,
 * slow-down notices, one retry for acked publishes rejected with a retry hint (`RATE_LIMITED`,
 * `UNAVAILABLE`, `OUTCOME_UNKNOWN`), under the same idempotency key.
 */
export class Publisher {
  private readonly retries = new Set<unknown>();
  private readonly nextKey = keyMaker();
  private stopped = false;

  constructor(private readonly o: PublisherOptions) {}

  /** Sends now unless paused or not connected. */
  send(topic: string, payload: unknown): SendResult {
    const { stats, flow, clock } = this.o;
    if (this.stopped) return 'skipped';
    if (flow.isPaused(clock.now())) {
      stats.held++;
      return 'held';
    }
    const link = this.o.link();
    if (!link) {
      stats.skipped++;
      return 'skipped';
    }
    stats.sent++;
    if (this.o.rng.chance(this.o.ackRatio)) {
      stats.ackRequested++;
      this.sendAcked(link, topic, payload, this.nextKey(), false);
    } else {
      try {
        link.publish(topic, payload);
      } catch (err) {
        // A client that refuses synchronously (queue full, closed) counts as a rejection.
        this.rejected(toRejection(err));
      }
    }
    return 'sent';
  }

  /** An error frame that answered no awaited publish (e.g. a fire-and-forget one). */
  onError(frame: Rejection): void {
    if (!this.stopped) this.rejected(frame);
  }

  onNotice(notice: FlowNotice): void {
    if (this.stopped || notice.code !== 'SLOW_DOWN') return;
    this.o.flow.slowDown(notice.retryAfterMs, this.o.clock.now());
    this.o.stats.slowDowns++;
  }

  /** Cancels pending retries and ignores outcomes that arrive from now on. */
  stop(): void {
    this.stopped = true;
    for (const handle of this.retries) this.o.clock.clearTimeout(handle);
    this.retries.clear();
  }

  private sendAcked(
    link: Link,
    topic: string,
    payload: unknown,
    key: string,
    isRetry: boolean,
  ): void {
    link.publishAcked(topic, payload, key).then(
      () => {
        if (!this.stopped) this.o.stats.acked++;
      },
      (err: unknown) => {
        if (this.stopped) return;
        const rejection = toRejection(err);
        this.rejected(rejection);
        if (!isRetry && rejection.retryAfterMs !== undefined)
          this.retryLater(topic, payload, key, rejection.retryAfterMs);
      },
    );
  }

  private rejected(r: Rejection): void {
    const { stats, flow, clock } = this.o;
    stats.reject(r.code);
    if (r.code === ErrorCode.RATE_LIMITED) {
      const now = clock.now();
      if (!flow.isPaused(now)) stats.pauses++;
      flow.rateLimited(r.retryAfterMs, now);
    }
  }

  private retryLater(topic: string, payload: unknown, key: string, delayMs: number): void {
    const handle = this.o.clock.setTimeout(
      () => {
        this.retries.delete(handle);
        const link = this.o.link();
        if (this.stopped || !link) return;
        this.o.stats.retried++;
        this.sendAcked(link, topic, payload, key, true);
      },
      Math.max(0, delayMs),
    );
    this.retries.add(handle);
  }
}

/** Reads `code` / `retryAfterMs` from whatever the client rejected with. */
export function toRejection(err: unknown): Rejection {
  if (err && typeof err === 'object') {
    const { code, retryAfterMs } = err as { code?: unknown; retryAfterMs?: unknown };
    return {
      code: typeof code === 'string' ? code : 'UNKNOWN',
      retryAfterMs:
        typeof retryAfterMs === 'number' && Number.isFinite(retryAfterMs)
          ? retryAfterMs
          : undefined,
    };
  }
  return { code: 'UNKNOWN' };
}
