import * as v from 'valibot';
import { ErrorCode } from './codes.js';
import { Epoch, Rate, RequestId, Seq, Timestamp, Topic, TopicPattern } from './fields.js';
import { PingSchema, PongSchema } from './client-messages.js';
import { AggregateSchema, type AnyPayload } from './payloads.js';

/** Limits the server enforces on this connection, told up front so clients can stay inside. */
export const LimitsSchema = v.strictObject({
  /** Largest inbound frame in bytes; bigger frames close the socket with 1009. */
  maxFrameBytes: v.number(),
  /** Most subscriptions one connection may hold. */
  maxSubscriptions: v.number(),
  /** History kept per topic (messages). */
  historySize: v.number(),
});

/** First frame on every connection. @since protocol 1 */
export const WelcomeSchema = v.strictObject({
  type: v.literal('welcome'),
  protocol: v.number(),
  serverId: v.string(),
  connectionId: v.string(),
  /** The server pings this often; no frame from the server for 2× this means the link is dead. */
  heartbeatMs: v.number(),
  role: v.picklist(['operator', 'device', 'feed', 'admin']),
  subject: v.string(),
  limits: LimitsSchema,
});

/**
 * Reply to `subscribe`. For an exact topic, `epoch` and `seq` give the topic's current state.
 * `recovered` is present when the subscribe asked to resume: true means every missed message
 * follows, false means some were older than history and only the latest value follows.
 * @since protocol 1
 */
export const SubscribedSchema = v.strictObject({
  type: v.literal('subscribed'),
  id: RequestId,
  topic: TopicPattern,
  epoch: v.optional(Epoch),
  seq: v.optional(Seq),
  recovered: v.optional(v.boolean()),
  /** The rate the server will deliver at most (the client's `maxRate` capped by topic policy). */
  maxRate: v.optional(Rate),
});

/** @since protocol 1 */
export const UnsubscribedSchema = v.strictObject({
  type: v.literal('unsubscribed'),
  id: RequestId,
  topic: TopicPattern,
});

/** The publish with `id` was stored as `seq` of `topic`. @since protocol 1 */
export const AckSchema = v.strictObject({
  type: v.literal('ack'),
  id: RequestId,
  topic: Topic,
  seq: Seq,
});

/** One update of a topic. @since protocol 1 */
export const TopicMessageSchema = v.strictObject({
  type: v.literal('message'),
  topic: Topic,
  seq: Seq,
  epoch: Epoch,
  /** Server time the message was accepted (ms since epoch). */
  ts: Timestamp,
  payload: v.unknown(),
  /** Present when an `aggregate` throttle folded several updates (seq is the last one's). */
  agg: v.optional(AggregateSchema),
});

/** Several topic messages in one frame, in delivery order. @since protocol 1 */
export const BatchSchema = v.strictObject({
  type: v.literal('batch'),
  messages: v.array(TopicMessageSchema),
});

/** @since protocol 1 */
export const ErrorSchema = v.strictObject({
  type: v.literal('error'),
  code: v.enum(ErrorCode),
  message: v.string(),
  /** The `id` of the request this error answers, when it had one. */
  ref: v.optional(RequestId),
  topic: v.optional(v.string()),
  retryAfterMs: v.optional(v.number()),
});

/**
 * Reply to `auth`: the new token is in force. `expiresAt` (ms since the Unix epoch) is its
 * expiry, absent for a token without one.
 * @since protocol 1
 */
export const AuthenticatedSchema = v.strictObject({
  type: v.literal('authenticated'),
  id: RequestId,
  expiresAt: v.optional(Timestamp),
});

/**
 * Advisory notices that need no reply.
 * - `TOKEN_EXPIRING`: the token expires in `retryAfterMs`; send `auth` with a fresh one or be
 *   closed with 4002.
 * - `SLOW_DOWN`: the gateway paused reading this publisher; `DRAINING`: it is shutting down.
 * - `CONFLATED`: the connection was over its send budget, so `skipped` live updates were
 *   dropped in favour of a later value of the same topic. Replays are never conflated. Sent
 *   before the first update that follows the skip.
 * - `EPOCH_CHANGED`: `topic` started a new epoch (its history was lost, e.g. Redis restarted
 *   empty) while this connection was subscribed live: messages after `seq` of the old epoch
 *   may be missing. Sent before the first message of the new epoch.
 * - `LOST`: `skipped` messages of `topic` after `seq` of `epoch` were lost between the bus and
 *   this gateway and no history holds them any more (e.g. a long Redis outage). Sent before the
 *   first message after them.
 * @since protocol 1 (`CONFLATED`, `EPOCH_CHANGED` and their fields: added before v1's release)
 */
export const NoticeSchema = v.strictObject({
  type: v.literal('notice'),
  code: v.picklist([
    'SLOW_DOWN',
    'DRAINING',
    'TOKEN_EXPIRING',
    'CONFLATED',
    'EPOCH_CHANGED',
    'LOST',
  ]),
  message: v.string(),
  retryAfterMs: v.optional(v.number()),
  /** `EPOCH_CHANGED`, `LOST`: the topic concerned. */
  topic: v.optional(Topic),
  /** `EPOCH_CHANGED`: the old epoch and the last seq of it that was sent; `LOST`: the epoch and the last seq before the loss. */
  epoch: v.optional(Epoch),
  seq: v.optional(Seq),
  /** `CONFLATED`: how many live updates were skipped; `LOST`: how many messages were lost. */
  skipped: v.optional(v.number()),
});

export const ServerMessageSchema = v.variant('type', [
  WelcomeSchema,
  SubscribedSchema,
  UnsubscribedSchema,
  AckSchema,
  TopicMessageSchema,
  BatchSchema,
  ErrorSchema,
  NoticeSchema,
  AuthenticatedSchema,
  PingSchema,
  PongSchema,
]);

export type Limits = v.InferOutput<typeof LimitsSchema>;
export type Welcome = v.InferOutput<typeof WelcomeSchema>;
export type Role = Welcome['role'];
export type Subscribed = v.InferOutput<typeof SubscribedSchema>;
export type Unsubscribed = v.InferOutput<typeof UnsubscribedSchema>;
export type Ack = v.InferOutput<typeof AckSchema>;
export type ErrorFrame = v.InferOutput<typeof ErrorSchema>;
export type Notice = v.InferOutput<typeof NoticeSchema>;
export type Authenticated = v.InferOutput<typeof AuthenticatedSchema>;
export type Batch = v.InferOutput<typeof BatchSchema>;
export type ServerMessage = v.InferOutput<typeof ServerMessageSchema>;

/** A topic message with its payload typed (the schema checks it per family on publish). */
export type TopicMessage<P = AnyPayload> = Omit<
  v.InferOutput<typeof TopicMessageSchema>,
  'payload'
> & {
  readonly payload: P;
};

export const ROLES = ['operator', 'device', 'feed', 'admin'] as const satisfies readonly Role[];
