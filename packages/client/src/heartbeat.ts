import type { Clock } from './clock.js';
import { PulseError } from './errors.js';
import type { Waiter } from './pending.js';

export interface HeartbeatOptions {
  /** How often to send our own ping (the server's heartbeat interval). */
  readonly intervalMs: number;
  /** Silence after which the link is presumed dead. */
  readonly deadAfterMs: number;
  readonly onInterval: () => void;
  readonly onDead: (silentMs: number) => void;
}

/**
 * Detects a dead link: TCP can stay "open" for minutes after a laptop sleeps or a NAT forgets
 * us, so silence longer than the server's promised ping interval (×2 + grace) ends the socket.
 * `touch` only stores a timestamp: it runs for every frame, so it must not re-arm a timer; the
 * one dead-link timer re-arms itself for the remaining time when it fires early.
 */
export class Heartbeat {
  #lastFrameAt: number;
  #intervalTimer: unknown;
  #deadTimer: unknown;
  #stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly options: HeartbeatOptions,
  ) {
    this.#lastFrameAt = clock.now();
    this.#scheduleInterval();
    this.#scheduleDeadCheck(options.deadAfterMs);
  }

  /** Something arrived from the server. */
  touch(): void {
    this.#lastFrameAt = this.clock.now();
  }

  stop(): void {
    this.#stopped = true;
    this.clock.clearTimeout(this.#intervalTimer);
    this.clock.clearTimeout(this.#deadTimer);
  }

  #scheduleInterval(): void {
    this.#intervalTimer = this.clock.setTimeout(() => {
      if (this.#stopped) return;
      this.options.onInterval();
      this.#scheduleInterval();
    }, this.options.intervalMs);
  }

  #scheduleDeadCheck(delayMs: number): void {
    this.#deadTimer = this.clock.setTimeout(() => {
      if (this.#stopped) return;
      const silentMs = this.clock.now() - this.#lastFrameAt;
      if (silentMs >= this.options.deadAfterMs) this.options.onDead(silentMs);
      else this.#scheduleDeadCheck(this.options.deadAfterMs - silentMs);
    }, delayMs);
  }
}

interface OutstandingPing {
  readonly ts: number;
  readonly waiter: Waiter<number> | undefined;
  readonly timer: unknown;
}

/** Heartbeat pings that go unanswered are forgotten beyond this many. */
const MAX_OUTSTANDING = 16;

/**
 * Our pings awaiting a pong. The pong echoes `ts` (our clock at send time), so the round trip
 * is `now - ts` and needs no other state; waiters are `ping()` calls.
 */
export class PingTracker {
  #outstanding: OutstandingPing[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly timeoutMs: number,
  ) {}

  /** Registers a ping about to be sent and returns its `ts` (integer ms, as the wire wants). */
  start(waiter?: Waiter<number>): number {
    const ts = Math.max(0, Math.round(this.clock.now()));
    const timer = waiter
      ? this.clock.setTimeout(() => {
          this.#outstanding = this.#outstanding.filter((p) => p.timer !== timer);
          waiter.reject(new PulseError('TIMEOUT', `no pong within ${this.timeoutMs} ms`));
        }, this.timeoutMs)
      : undefined;
    this.#outstanding.push({ ts, waiter, timer });
    if (this.#outstanding.length > MAX_OUTSTANDING) {
      // Only unanswered heartbeat pings pile up here; a `ping()` call always has a timer.
      const index = this.#outstanding.findIndex((p) => !p.waiter);
      if (index !== -1) this.#outstanding.splice(index, 1);
    }
    return ts;
  }

  /** Settles the ping `ts` answers (the oldest when the pong carries none); returns the RTT. */
  pong(ts: number | undefined): number | undefined {
    const index = ts === undefined ? 0 : this.#outstanding.findIndex((p) => p.ts === ts);
    const ping = this.#outstanding[index];
    if (!ping) return undefined;
    this.#outstanding.splice(index, 1);
    this.clock.clearTimeout(ping.timer);
    const rttMs = Math.max(0, this.clock.now() - ping.ts);
    ping.waiter?.resolve(rttMs);
    return rttMs;
  }

  rejectAll(error: PulseError): void {
    const outstanding = this.#outstanding;
    this.#outstanding = [];
    for (const ping of outstanding) {
      this.clock.clearTimeout(ping.timer);
      ping.waiter?.reject(error);
    }
  }
}
