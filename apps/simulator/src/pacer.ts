import type { Clock } from './clock.js';
import type { FlowControl } from './flow.js';

/** After a stall longer than this the pacer starts afresh instead of bursting to catch up. */
const MAX_LAG_MS = 1_000;

/**
 * Calls `onTick` at the rate `flow` allows: every `baseIntervalMs`, stretched while slowed
 * down, and not again until a rate-limit pause ends. Ticks are scheduled against when they
 * were due, so timer lateness does not erode the rate.
 */
export class Pacer {
  private timer: unknown;
  private due = 0;
  private running = false;

  constructor(
    private readonly clock: Clock,
    private readonly flow: FlowControl,
    private readonly onTick: (now: number) => void,
  ) {}

  /** Starts ticking; the first tick comes after `initialDelayMs` (spreads publishers out). */
  start(initialDelayMs = 0): void {
    if (this.running) return;
    this.running = true;
    this.due = this.clock.now() + initialDelayMs;
    this.timer = this.clock.setTimeout(() => this.tick(), initialDelayMs);
  }

  stop(): void {
    this.running = false;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    if (!this.running) return;
    this.onTick(this.clock.now());
    if (!this.running) return;
    const now = this.clock.now();
    let next = this.flow.isPaused(now)
      ? now + this.flow.nextDelay(now)
      : this.due + this.flow.nextDelay(now);
    if (next < now - MAX_LAG_MS) next = now;
    this.due = next;
    this.timer = this.clock.setTimeout(() => this.tick(), Math.max(0, next - now));
  }
}
