/**
 * Counts events in a fixed window that restarts when it has passed. Used for "a few mistakes
 * are answered, a stream of them closes the connection" (invalid frames, rate-limit refusals).
 */
export class WindowCounter {
  private count = 0;
  private start = 0;

  constructor(private readonly windowMs: number) {}

  /** Records one event and returns how many fell in the current window. */
  hit(now = Date.now()): number {
    if (now - this.start > this.windowMs) {
      this.start = now;
      this.count = 0;
    }
    return ++this.count;
  }
}
