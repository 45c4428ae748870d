import * as v from 'valibot';
import {
  Epoch,
  IdempotencyKey,
  Rate,
  RequestId,
  Seq,
  Timestamp,
  Topic,
  TopicPattern,
} from './fields.js';

/** Largest `positions` map a wildcard resume may carry. */
export const MAX_RESUME_POSITIONS = 1000;
/** Largest `history` backfill per topic a subscribe may ask for. */
export const MAX_HISTORY_REQUEST = 1000;

export const ResumePositionSchema = v.strictObject({ seq: Seq, epoch: Epoch });

/**
 * Subscribe to a topic or a one-wildcard pattern.
 * Resume an exact topic with `since` + `epoch`; resume a pattern with `positions`.
 * Without resume, `history` recent messages per topic are sent first (default 1: the latest value).
 * @since protocol 1
 */
export const SubscribeSchema = v.pipe(
  v.strictObject({
    type: v.literal('subscribe'),
    id: RequestId,
    topic: TopicPattern,
    since: v.optional(Seq),
    epoch: v.optional(Epoch),
    positions: v.optional(
      v.pipe(
        v.record(Topic, ResumePositionSchema),
        v.check((r) => Object.keys(r).length <= MAX_RESUME_POSITIONS, 'too many positions'),
      ),
    ),
    history: v.optional(
      v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(MAX_HISTORY_REQUEST)),
    ),
    maxRate: v.optional(Rate),
  }),
  v.check(
    (s) => (s.since === undefined) === (s.epoch === undefined),
    'since and epoch go together',
  ),
  v.check(
    (s) => s.since === undefined || !s.topic.includes('*'),
    'since is for exact topics; resume a pattern with positions',
  ),
  v.check(
    (s) => s.positions === undefined || s.topic.includes('*'),
    'positions are for patterns; resume an exact topic with since and epoch',
  ),
);

/** @since protocol 1 */
export const UnsubscribeSchema = v.strictObject({
  type: v.literal('unsubscribe'),
  id: RequestId,
  topic: TopicPattern,
});

/**
 * Publish one payload to a concrete topic. With `id`, the server answers `ack` (or `error`
 * with `ref: id`); without it, only errors are reported. With `key`, a retry of the same key
 * (same token subject and topic) within the idempotency window is answered with the original
 * `ack` and stores nothing, so `UNAVAILABLE`, `OUTCOME_UNKNOWN` or a lost connection can be
 * retried safely.
 * @since protocol 1
 */
export const PublishSchema = v.strictObject({
  type: v.literal('publish'),
  id: v.optional(RequestId),
  topic: Topic,
  key: v.optional(IdempotencyKey),
  payload: v.unknown(),
});

/** Either side may ping; the other answers `pong` with the same `ts`. @since protocol 1 */
export const PingSchema = v.strictObject({ type: v.literal('ping'), ts: v.optional(Timestamp) });
export const PongSchema = v.strictObject({ type: v.literal('pong'), ts: v.optional(Timestamp) });

/** Longest token an `auth` message may carry (HS256 tokens are a few hundred bytes). */
export const MAX_TOKEN_LENGTH = 4096;

/**
 * Replaces the connection's token without reconnecting, typically after a `TOKEN_EXPIRING`
 * notice. The new token must name the same subject, role and topic allow-list; the server
 * answers `authenticated` (new expiry) or `error` with `ref: id` (`UNAUTHORIZED`,
 * `TOKEN_EXPIRED`, `FORBIDDEN`), and the old token stays in force until it expires.
 * @since protocol 1
 */
export const AuthSchema = v.strictObject({
  type: v.literal('auth'),
  id: RequestId,
  token: v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_TOKEN_LENGTH)),
});

export const ClientMessageSchema = v.variant('type', [
  SubscribeSchema,
  UnsubscribeSchema,
  PublishSchema,
  PingSchema,
  PongSchema,
  AuthSchema,
]);

export type Subscribe = v.InferOutput<typeof SubscribeSchema>;
export type Unsubscribe = v.InferOutput<typeof UnsubscribeSchema>;
export type Publish = v.InferOutput<typeof PublishSchema>;
export type Ping = v.InferOutput<typeof PingSchema>;
export type Pong = v.InferOutput<typeof PongSchema>;
export type Auth = v.InferOutput<typeof AuthSchema>;
export type ResumePosition = v.InferOutput<typeof ResumePositionSchema>;
export type ClientMessage = v.InferOutput<typeof ClientMessageSchema>;
