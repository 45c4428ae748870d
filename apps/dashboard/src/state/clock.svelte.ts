/** A coarse reactive wall clock for "12 s ago" labels: one update per tick, not per message. */
export class Clock {
  now = $state(Date.now());

  /** Sets `now` to the current time. */
  tick(now = Date.now()): void {
    this.now = now;
  }
}
