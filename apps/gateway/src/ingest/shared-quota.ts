import type { BucketSpec } from '../config/flow-settings.js';

/** DI token for the cross-instance publish quota. */
export const SHARED_QUOTA = Symbol('SharedQuota');

/**
 * A publisher's quota as seen by every gateway instance. The local token bucket answers each
 * publish; this only learns, a little later, that the publisher's total across instances is
 * over its rate, and then refuses it everywhere until the window passes. Nothing on the
 * per-message path waits for Redis.
 */
export interface SharedQuota {
  /** Counts one accepted publish of `subject` (limit `spec`) on this instance. */
  record(subject: string, spec: BucketSpec): void;
  /** Ms until `subject` may publish again across instances, 0 when it may now. */
  blockedFor(subject: string, now: number): number;
  close(): void;
}

/** One instance: the local token bucket already is the whole quota. */
export class LocalQuota implements SharedQuota {
  record(): void {}
  blockedFor(): number {
    return 0;
  }
  close(): void {}
}
