import type { Cluster, Redis } from 'ioredis';
import type { BucketSpec } from '../config/flow-settings.js';
import type { SharedQuota } from './shared-quota.js';

/** Window of the shared count; a publisher may send `rate × 1 s + burst` per window in total. */
const WINDOW_MS = 1000;
/** How often counts are pushed to Redis and totals read back. */
const SYNC_MS = 100;

interface Pending {
  count: number;
  spec: BucketSpec;
}

/**
 * Publish quotas across instances, kept in Redis. Each instance counts accepted publishes per
 * subject and every `SYNC_MS` adds them to the subject's per-window counter (INCRBY, one
 * auto-pipelined command per active subject, not per message) and reads the previous window's.
 * The sliding estimate `previous × (1 − elapsed) + current` over its allowance blocks the
 * subject on every instance until the estimate falls back under it. Counts are approximate by
 * one sync interval; Redis being away only loosens the limit to the local buckets.
 */
export class RedisQuota implements SharedQuota {
  private readonly pending = new Map<string, Pending>();
  private readonly blockedUntil = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;
  private running: Promise<void> | undefined;

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly prefix: string,
    private readonly now: () => number = Date.now,
  ) {
    this.timer = setInterval(() => void this.sync(), SYNC_MS);
    this.timer.unref();
  }

  record(subject: string, spec: BucketSpec): void {
    const p = this.pending.get(subject);
    if (p) p.count += 1;
    else this.pending.set(subject, { count: 1, spec });
  }

  blockedFor(subject: string, now: number): number {
    const until = this.blockedUntil.get(subject);
    if (until === undefined) return 0;
    if (until > now) return until - now;
    this.blockedUntil.delete(subject);
    return 0;
  }

  /** Pushes this instance's counts and reads the totals (after any sync under way). */
  async sync(): Promise<void> {
    await this.running;
    if (this.pending.size === 0) return;
    this.running = this.push();
    await this.running;
    this.running = undefined;
  }

  private async push(): Promise<void> {
    const batch = [...this.pending];
    this.pending.clear();
    const now = this.now();
    const window = Math.floor(now / WINDOW_MS);
    const elapsed = (now % WINDOW_MS) / WINDOW_MS;
    await Promise.all(
      batch.map(async ([subject, { count, spec }]) => {
        const key = (w: number) => `${this.prefix}:{quota:${subject}}:${w}`;
        try {
          const [current, previous] = await Promise.all([
            this.redis.incrby(key(window), count),
            this.redis.get(key(window - 1)),
            this.redis.pexpire(key(window), 3 * WINDOW_MS),
          ]);
          const estimate = Number(previous ?? 0) * (1 - elapsed) + Number(current);
          const allowance = spec.rate * (WINDOW_MS / 1000) + spec.burst;
          if (estimate > allowance) {
            // Blocked until the excess has drained at the allowed rate.
            const excessMs = ((estimate - allowance) / spec.rate) * 1000;
            this.blockedUntil.set(subject, now + Math.max(SYNC_MS, Math.ceil(excessMs)));
          }
        } catch {
          // Redis away: the local bucket still limits each instance.
        }
      }),
    );
  }

  close(): void {
    clearInterval(this.timer);
  }
}
