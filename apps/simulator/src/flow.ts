/**
 * Flow control for one publisher, as pure state over the caller's clock:
 * - `RATE_LIMITED` pauses every send until `now + retryAfterMs`;
 * - a `SLOW_DOWN` notice halves the send rate for `retryAfterMs` (1 s when absent); notices
 *   that arrive while already slowed halve it again, down to 1/8, and extend the window.
 */

export const DEFAULT_PAUSE_MS = 1_000;
export const DEFAULT_SLOW_DOWN_MS = 1_000;
/** The rate never drops below base/8, so a stream of notices cannot silence a publisher. */
export const MIN_RATE_FACTOR = 1 / 8;

export class FlowControl {
  private pausedUntil = 0;
  private slowUntil = 0;
  private factor = 1;

  /** @param baseIntervalMs time between sends at full rate */
  constructor(readonly baseIntervalMs: number) {}

  /** Honours a rate-limit rejection; returns when sending may resume. */
  rateLimited(retryAfterMs: number | undefined, now: number): number {
    this.pausedUntil = Math.max(this.pausedUntil, now + positive(retryAfterMs, DEFAULT_PAUSE_MS));
    return this.pausedUntil;
  }

  /** Honours a `SLOW_DOWN` notice. */
  slowDown(retryAfterMs: number | undefined, now: number): void {
    this.factor = Math.max(MIN_RATE_FACTOR, this.rateFactor(now) / 2);
    this.slowUntil = Math.max(this.slowUntil, now + positive(retryAfterMs, DEFAULT_SLOW_DOWN_MS));
  }

  isPaused(now: number): boolean {
    return now < this.pausedUntil;
  }

  /** 1 at full rate, 1/2 after one `SLOW_DOWN`, ... */
  rateFactor(now: number): number {
    return now < this.slowUntil ? this.factor : 1;
  }

  /** Delay until the next send should happen, given that one is due at `now`. */
  nextDelay(now: number): number {
    if (this.isPaused(now)) return this.pausedUntil - now;
    return this.baseIntervalMs / this.rateFactor(now);
  }
}

function positive(ms: number | undefined, fallback: number): number {
  return ms !== undefined && Number.isFinite(ms) && ms > 0 ? ms : fallback;
}
