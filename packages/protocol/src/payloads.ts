import * as v from 'valibot';
import { checkSensorReading } from './fast-path.js';
import { MAX_TIMESTAMP, MAX_UNIT_LENGTH } from './fields.js';
import { topicFamily, type TopicFamily } from './topics.js';

/** A finite number: JSON and MessagePack can both carry NaN/Infinity-free values only. */
const num = v.pipe(v.number(), v.finite());
/** Milliseconds since the Unix epoch. */
const timestamp = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(MAX_TIMESTAMP));

/** `device.<id>.<metric>`: one sensor reading. */
export const SensorReadingSchema = v.strictObject({
  value: num,
  unit: v.pipe(v.string(), v.maxLength(MAX_UNIT_LENGTH)),
  ts: timestamp,
});
export type SensorReading = v.InferOutput<typeof SensorReadingSchema>;

/** `price.<symbol>`: one price tick. */
export const PriceTickSchema = v.pipe(
  v.strictObject({
    bid: num,
    ask: num,
    last: num,
    volume: v.pipe(num, v.minValue(0)),
    ts: timestamp,
  }),
  v.check((t) => t.bid <= t.ask, 'bid must not exceed ask'),
);
export type PriceTick = v.InferOutput<typeof PriceTickSchema>;

/** How a connection reaches the gateway: Pulse's WebSocket protocol, SSE, or MQTT. */
export const TransportSchema = v.picklist(['ws', 'sse', 'mqtt']);
export type Transport = v.InferOutput<typeof TransportSchema>;

/** `presence.<deviceId>`: written by the gateway when a device connects or goes away. */
export const PresenceSchema = v.strictObject({
  deviceId: v.string(),
  online: v.boolean(),
  lastSeen: timestamp,
  /**
   * The transport of the connection that brought the device online or took it offline.
   * Optional: presence stored by gateways before it was added has none.
   * @since protocol 1
   */
  transport: v.optional(TransportSchema),
});
export type Presence = v.InferOutput<typeof PresenceSchema>;

/** `alarm.<deviceId>.<metric>`: written by the gateway when a threshold rule changes state. */
export const AlarmSchema = v.strictObject({
  deviceId: v.string(),
  metric: v.string(),
  state: v.picklist(['raised', 'cleared']),
  value: num,
  threshold: num,
  rule: v.string(),
  ts: timestamp,
});
export type Alarm = v.InferOutput<typeof AlarmSchema>;

/**
 * Summary of the updates folded into one message by an `aggregate` throttle (sensor topics).
 * The message's payload is still the latest reading.
 * @since protocol 1
 */
export const SensorAggregateSchema = v.strictObject({
  count: v.pipe(v.number(), v.integer(), v.minValue(1)),
  min: num,
  max: num,
  mean: num,
});
export type SensorAggregate = v.InferOutput<typeof SensorAggregateSchema>;

/** OHLC + volume of the ticks folded into one message (price topics). @since protocol 1 */
export const PriceAggregateSchema = v.strictObject({
  count: v.pipe(v.number(), v.integer(), v.minValue(1)),
  open: num,
  high: num,
  low: num,
  close: num,
  volume: num,
});
export type PriceAggregate = v.InferOutput<typeof PriceAggregateSchema>;

export const AggregateSchema = v.union([SensorAggregateSchema, PriceAggregateSchema]);
export type Aggregate = v.InferOutput<typeof AggregateSchema>;

/** Payload type per topic family. */
export interface PayloadByFamily {
  device: SensorReading;
  price: PriceTick;
  presence: Presence;
  alarm: Alarm;
}

export const PAYLOAD_SCHEMAS = {
  device: SensorReadingSchema,
  price: PriceTickSchema,
  presence: PresenceSchema,
  alarm: AlarmSchema,
} as const satisfies Record<TopicFamily, v.GenericSchema>;

/** Payload type for a topic string literal, e.g. `PayloadOf<'price.X'>` is `PriceTick`. */
export type PayloadOf<T extends string> = T extends `${infer F extends TopicFamily}.${string}`
  ? PayloadByFamily[F]
  : unknown;

export type AnyPayload = PayloadByFamily[TopicFamily];

/** Validates `payload` against the schema of `topic`'s family. Returns an issue text or the value. */
export function validatePayload(
  topic: string,
  payload: unknown,
): { ok: true; value: AnyPayload } | { ok: false; reason: string } {
  const family = topicFamily(topic);
  if (!family) return { ok: false, reason: 'unknown topic family' };
  // The common case checked by hand; the schema decides (and explains) everything else.
  if (family === 'device') {
    const reading = checkSensorReading(payload);
    if (reading) return { ok: true, value: reading };
  }
  const result = v.safeParse(PAYLOAD_SCHEMAS[family], payload);
  if (result.success) return { ok: true, value: result.output };
  return { ok: false, reason: describeIssues(result.issues) };
}

/** One line that names the path and the problem, for error frames. */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string {
  const first = issues[0];
  if (!first) return 'invalid';
  const path = v.getDotPath(first);
  return path ? `${path}: ${first.message}` : first.message;
}
