import { ErrorCode } from '@pulse/protocol';
import type { Backoff } from './backoff.js';
import type { PulseError, PulseErrorCode } from './errors.js';

/**
 * Publish failures after which the same publish, with the same key, may still succeed:
 * `UNAVAILABLE` (not stored), `OUTCOME_UNKNOWN` and the client's own `DISCONNECTED`/`TIMEOUT`
 * (maybe stored: the key makes the retry answer the first ack instead of storing it twice),
 * `RATE_LIMITED` and `INTERNAL` (not applied).
 */
const RETRYABLE: ReadonlySet<PulseErrorCode> = new Set<PulseErrorCode>([
  ErrorCode.UNAVAILABLE,
  ErrorCode.OUTCOME_UNKNOWN,
  ErrorCode.RATE_LIMITED,
  ErrorCode.INTERNAL,
  'DISCONNECTED',
  'TIMEOUT',
]);

export function isRetryablePublishError(error: PulseError): boolean {
  return RETRYABLE.has(error.code);
}

/** The wait before retry `attempt` (1-based): the server's `retryAfterMs`, else the backoff. */
export function publishRetryDelay(error: PulseError, attempt: number, backoff: Backoff): number {
  return error.retryAfterMs ?? backoff(attempt);
}

const KEY_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/**
 * Idempotency keys for one client: a random prefix (so clients sharing a token subject do not
 * collide) and a counter. 12 random characters of 36 and a base-36 counter stay far below the
 * protocol's 64.
 */
export function keyMaker(random: () => number = Math.random): () => string {
  let prefix = '';
  for (let i = 0; i < 12; i++) prefix += KEY_ALPHABET[Math.floor(random() * KEY_ALPHABET.length)];
  let n = 0;
  return () => `${prefix}-${(n++).toString(36)}`;
}
