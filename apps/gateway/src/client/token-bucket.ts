import type { BucketSpec } from '../config/flow-settings.js';

/**
 * A token bucket: `rate` tokens/s up to `burst`. Hand-written because it runs once per inbound
 * message: a Map lookup and some arithmetic, where a general limiter would allocate a promise.
 */
export class TokenBucket {
  private tokens: number;
  private refilledAt: number;

  constructor(
    private readonly spec: BucketSpec,
    now = Date.now(),
  ) {
    this.tokens = spec.burst;
    this.refilledAt = now;
  }

  /** Takes one token: 0 when allowed, else the ms until one is available. */
  take(now = Date.now()): number {
    const { rate, burst } = this.spec;
    if (now > this.refilledAt) {
      this.tokens = Math.min(burst, this.tokens + ((now - this.refilledAt) * rate) / 1000);
      this.refilledAt = now;
    }
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil(((1 - this.tokens) * 1000) / rate));
  }

  /** True when the bucket has refilled completely (an idle publisher's bucket can be dropped). */
  full(now = Date.now()): boolean {
    return this.tokens + ((now - this.refilledAt) * this.spec.rate) / 1000 >= this.spec.burst;
  }
}
