import * as v from 'valibot';

/**
 * `GET /history` (protocol.md §26): the durable, downsampled history of one exact topic.
 * The response shapes are defined here once; the gateway builds them and the console parses them.
 * @since protocol 1 (an HTTP addition; the WebSocket protocol is unchanged)
 */

/** The most points `step=auto` aims for: it picks the smallest step that gives no more than this. */
export const HISTORY_AUTO_POINTS = 1000;
/** Raw mode (`step=raw`) spans at most this much time and returns at most HISTORY_RAW_MAX_ROWS. */
export const HISTORY_RAW_MAX_SPAN_MS = 3_600_000;
export const HISTORY_RAW_MAX_ROWS = 10_000;

const num = v.pipe(v.number(), v.finite());
const ms = v.pipe(v.number(), v.integer(), v.minValue(0));
const count = v.pipe(v.number(), v.integer(), v.minValue(1));

/** Which table answered: raw points, 1-minute or 1-hour rollups. */
export const HistorySourceSchema = v.picklist(['raw', '1m', '1h']);
export type HistorySource = v.InferOutput<typeof HistorySourceSchema>;

/** One step of a sensor topic: the readings whose payload `ts` falls in [t, t + step). */
export const ReadingBucketSchema = v.strictObject({
  t: ms,
  count,
  min: num,
  max: num,
  mean: num,
  /** The value of the reading with the greatest `ts` (then `seq`) in the step. */
  last: num,
});
export type ReadingBucket = v.InferOutput<typeof ReadingBucketSchema>;

/** One step of a price topic: OHLC of `last` and the summed `volume` of its ticks. */
export const TickBucketSchema = v.strictObject({
  t: ms,
  count,
  open: num,
  high: num,
  low: num,
  close: num,
  volume: num,
});
export type TickBucket = v.InferOutput<typeof TickBucketSchema>;

/** One stored message, as published (raw mode). `t` is the payload's `ts`. */
export const RawPointSchema = v.strictObject({
  t: ms,
  /** Server time when the bus sequenced it. */
  serverTime: ms,
  seq: v.pipe(v.number(), v.integer(), v.minValue(1)),
  payload: v.unknown(),
});
export type RawPoint = v.InferOutput<typeof RawPointSchema>;

const common = {
  topic: v.string(),
  /** The range actually answered: `from` rounded down to the step, `to` as asked (exclusive). */
  from: ms,
  to: ms,
};

/** `device.*` topics at a step (ms). */
export const ReadingHistorySchema = v.strictObject({
  ...common,
  kind: v.literal('readings'),
  step: v.pipe(v.number(), v.integer(), v.minValue(1)),
  source: HistorySourceSchema,
  points: v.array(ReadingBucketSchema),
});
/** `price.*` topics at a step (ms). */
export const TickHistorySchema = v.strictObject({
  ...common,
  kind: v.literal('ticks'),
  step: v.pipe(v.number(), v.integer(), v.minValue(1)),
  source: HistorySourceSchema,
  points: v.array(TickBucketSchema),
});
/** `step=raw`: the stored messages themselves, oldest first. `truncated` when over the row cap. */
export const RawHistorySchema = v.strictObject({
  ...common,
  kind: v.literal('raw'),
  step: v.literal('raw'),
  source: v.literal('raw'),
  truncated: v.boolean(),
  points: v.array(RawPointSchema),
});

/** The body of a 200 from `GET /history`, discriminated by `kind`. Points ascend by `t`. */
export const HistoryResponseSchema = v.variant('kind', [
  ReadingHistorySchema,
  TickHistorySchema,
  RawHistorySchema,
]);
export type HistoryResponse = v.InferOutput<typeof HistoryResponseSchema>;
export type ReadingHistory = v.InferOutput<typeof ReadingHistorySchema>;
export type TickHistory = v.InferOutput<typeof TickHistorySchema>;
export type RawHistory = v.InferOutput<typeof RawHistorySchema>;
