import * as v from 'valibot';
import { isTopic, isTopicPattern } from './topics.js';

/** Request id chosen by the client, echoed in replies (`subscribed`, `ack`, `error.ref`). */
export const RequestId = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2 ** 31 - 1));
/** Per-topic sequence: 1 for the first message, +1 per message, never reused within an epoch. */
export const Seq = v.pipe(
  v.number(),
  v.integer(),
  v.minValue(0),
  v.maxValue(Number.MAX_SAFE_INTEGER),
);
/** Identifies one lifetime of a topic's history; a new epoch means earlier sequences are gone. */
export const Epoch = v.pipe(v.string(), v.minLength(1), v.maxLength(64));
export const Timestamp = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(8.64e15));
export const Topic = v.pipe(v.string(), v.check(isTopic, 'not a valid topic'));
export const TopicPattern = v.pipe(
  v.string(),
  v.check(isTopicPattern, 'not a valid topic pattern'),
);
/** Updates per second. */
export const Rate = v.pipe(v.number(), v.finite(), v.gtValue(0), v.maxValue(1000));
/** Longest idempotency key a `publish` may carry. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 64;
/**
 * A publisher's name for one publish (1–64 of `A-Z a-z 0-9 _ - .`): a retry with the same key
 * within the server's idempotency window is answered with the original `ack` and stores
 * nothing. Unique per token subject and topic. @since protocol 1
 */
export const IdempotencyKey = v.pipe(
  v.string(),
  v.regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1 to 64 of A-Z a-z 0-9 _ - .'),
);
