import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Principal } from '../auth/claims.js';
import { CONFIG } from '../config/config.module.js';
import type { GatewayConfig } from '../config/config.schema.js';
import { TokenBucket } from './token-bucket.js';

const SWEEP_MS = 60_000;

/**
 * Publish quota per publisher (token subject), shared by all its connections on this
 * instance: per role from PUBLISH_LIMITS, per subject from PUBLISH_LIMIT_OVERRIDES.
 */
@Injectable()
export class PublishLimiter implements OnModuleDestroy {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(@Inject(CONFIG) private readonly config: GatewayConfig) {
    // Buckets of publishers that went quiet are full again: forget them so the map stays bounded.
    this.sweeper = setInterval(() => this.sweep(Date.now()), SWEEP_MS).unref();
  }

  /** 0 when the publish may go ahead, else the ms to wait. */
  take(who: Principal, now = Date.now()): number {
    let bucket = this.buckets.get(who.subject);
    if (!bucket) {
      const spec =
        this.config.publishLimitOverrides.get(who.subject) ??
        this.config.publishLimits.get(who.role);
      if (!spec) return 0;
      bucket = new TokenBucket(spec, now);
      this.buckets.set(who.subject, bucket);
    }
    return bucket.take(now);
  }

  sweep(now: number): void {
    for (const [subject, bucket] of this.buckets)
      if (bucket.full(now)) this.buckets.delete(subject);
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }
}
