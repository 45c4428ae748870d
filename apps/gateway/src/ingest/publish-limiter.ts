import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Principal } from '../auth/claims.js';
import { CONFIG } from '../config/config.module.js';
import type { GatewayConfig } from '../config/config.schema.js';
import { SHARED_QUOTA, type SharedQuota } from './shared-quota.js';
import { TokenBucket } from '../client/token-bucket.js';

const SWEEP_MS = 60_000;

/**
 * Publish quota per publisher (token subject), shared by all its connections: per role from
 * PUBLISH_LIMITS, per subject from PUBLISH_LIMIT_OVERRIDES. A local token bucket answers every
 * publish at once; the shared quota (Redis, with several instances) adds what the publisher
 * sends through the other instances.
 */
@Injectable()
export class PublishLimiter implements OnModuleDestroy {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    @Inject(CONFIG) private readonly config: GatewayConfig,
    @Inject(SHARED_QUOTA) private readonly shared: SharedQuota,
  ) {
    // Buckets of publishers that went quiet are full again: forget them so the map stays bounded.
    this.sweeper = setInterval(() => this.sweep(Date.now()), SWEEP_MS).unref();
  }

  /** 0 when the publish may go ahead, else the ms to wait. */
  take(who: Principal, now = Date.now()): number {
    const spec =
      this.config.publishLimitOverrides.get(who.subject) ?? this.config.publishLimits.get(who.role);
    if (!spec) return 0;
    let bucket = this.buckets.get(who.subject);
    if (!bucket) {
      bucket = new TokenBucket(spec, now);
      this.buckets.set(who.subject, bucket);
    }
    const wait = bucket.take(now) || this.shared.blockedFor(who.subject, now);
    if (wait === 0) this.shared.record(who.subject, spec);
    return wait;
  }

  sweep(now: number): void {
    for (const [subject, bucket] of this.buckets)
      if (bucket.full(now)) this.buckets.delete(subject);
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
    this.shared.close();
  }
}
