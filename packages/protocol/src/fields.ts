import * as v from 'valibot';
import { isTopic, isTopicPattern } from './topics.js';

/** Largest request id (a 31-bit integer, so every client language holds it exactly). */
export const MAX_REQUEST_ID = 2 ** 31 - 1;
/** Longest `unit` of a sensor reading. */
export const MAX_UNIT_LENGTH = 16;
/** Latest millisecond timestamp (ECMAScript's largest date). */
export const MAX_TIMESTAMP = 8.64e15;
/** Request id chosen by the client, echoed in replies (`subscribed`, `ack`, `error.ref`). */
export const RequestId = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(MAX_REQUEST_ID));
/** Per-topic sequence: 1 for the first message, +1 per message, never reused within an epoch. */
export const Seq = v.pipe(
  v.number(),
  v.integer(),
  v.minValue(0),
  v.maxValue(Number.MAX_SAFE_INTEGER),
);
/** Identifies one lifetime of a topic's history; a new epoch means earlier sequences are gone. */
export const Epoch = v.pipe(v.string(), v.minLength(1), v.maxLength(64));
export const Timestamp = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(MAX_TIMESTAMP));
export const Topic = v.pipe(v.string(), v.check(isTopic, 'not a valid topic'));
export const TopicPattern = v.pipe(
  v.string(),
  v.check(isTopicPattern, 'not a valid topic pattern'),
);
/** Updates per second. */
export const Rate = v.pipe(v.number(), v.finite(), v.gtValue(0), v.maxValue(1000));
/** Longest idempotency key a `publish` may carry. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 64;
/** What an idempotency key may be made of (its length included). */
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
/**
 * A publisher's name for one publish (1–64 of `A-Z a-z 0-9 _ - .`): a retry with the same key
 * within the server's idempotency window is answered with the original `ack` and stores
 * nothing. Unique per token subject and topic. @since protocol 1
 */
export const IdempotencyKey = v.pipe(
  v.string(),
  v.regex(IDEMPOTENCY_KEY_PATTERN, 'must be 1 to 64 of A-Z a-z 0-9 _ - .'),
);
