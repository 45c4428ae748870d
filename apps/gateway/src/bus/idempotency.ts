/**
 * The memory bus's record of publish keys: key → the seq it was stored as, for `windowMs`.
 * Every entry lives equally long, so insertion order is expiry order and the sweep only ever
 * looks at the oldest entries: memory is bounded by the keys used within one window.
 */
export class IdempotencyRecords {
  private readonly seen = new Map<string, { readonly seq: number; readonly until: number }>();

  constructor(private readonly windowMs: number) {}

  get size(): number {
    return this.seen.size;
  }

  /** The seq stored under `key` within the window, if any. */
  lookup(key: string, now: number): number | undefined {
    this.sweep(now);
    return this.seen.get(key)?.seq;
  }

  remember(key: string, seq: number, now: number): void {
    this.seen.delete(key); // re-inserted at the end: insertion order stays expiry order
    this.seen.set(key, { seq, until: now + this.windowMs });
  }

  private sweep(now: number): void {
    for (const [key, record] of this.seen) {
      if (record.until > now) return;
      this.seen.delete(key);
    }
  }
}
