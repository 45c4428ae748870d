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
