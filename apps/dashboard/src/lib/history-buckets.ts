import type {
  Aggregate,
  PriceAggregate,
  ReadingBucket,
  SensorAggregate,
  TickBucket,
} from '@pulse/protocol';
import type { BucketFolder, LivePoint } from './history-stitch.js';

/** A live `device.*` reading for a long chart. */
export interface ReadingPoint extends LivePoint {
  /** The (latest) reading's value. */
  readonly value: number;
  /**
   * When the gateway's aggregate throttle folded several readings into this message (the
   * `device.*.*` default): their count, min, max and mean, so a long chart counts them all.
   */
  readonly agg?: SensorAggregate | undefined;
}

/** The sensor summary of a message's `agg`, if it has one. */
export function sensorAggregate(agg: Aggregate | undefined): SensorAggregate | undefined {
  return agg !== undefined && 'mean' in agg ? agg : undefined;
}

/** A live `price.*` tick for a long chart. */
export interface TickPoint extends LivePoint {
  readonly last: number;
  readonly volume: number;
  /** OHLC and volume of the ticks an aggregate throttle folded into this message. */
  readonly agg?: PriceAggregate | undefined;
}

/** The price summary of a message's `agg`, if it has one. */
export function priceAggregate(agg: Aggregate | undefined): PriceAggregate | undefined {
  return agg !== undefined && 'open' in agg ? agg : undefined;
}

/**
 * Folds readings the way the store's rollups do: count, min, max, mean and the last value (a
 * folded message counts as the readings it folded).
 */
export const readingFolder: BucketFolder<ReadingBucket, ReadingPoint> = {
  open: (t, p) => ({
    t,
    count: p.agg?.count ?? 1,
    min: p.agg?.min ?? p.value,
    max: p.agg?.max ?? p.value,
    mean: p.agg?.mean ?? p.value,
    last: p.value,
  }),
  add(b, p) {
    const n = p.agg?.count ?? 1;
    b.mean += ((p.agg?.mean ?? p.value) - b.mean) * (n / (b.count + n));
    b.count += n;
    b.min = Math.min(b.min, p.agg?.min ?? p.value);
    b.max = Math.max(b.max, p.agg?.max ?? p.value);
    b.last = p.value;
  },
};

/** Folds ticks into OHLC of `last` and the summed volume (a folded message: its OHLC). */
export const tickFolder: BucketFolder<TickBucket, TickPoint> = {
  open: (t, p) => ({
    t,
    count: p.agg?.count ?? 1,
    open: p.agg?.open ?? p.last,
    high: p.agg?.high ?? p.last,
    low: p.agg?.low ?? p.last,
    close: p.last,
    volume: p.agg?.volume ?? p.volume,
  }),
  add(b, p) {
    b.count += p.agg?.count ?? 1;
    b.high = Math.max(b.high, p.agg?.high ?? p.last);
    b.low = Math.min(b.low, p.agg?.low ?? p.last);
    b.close = p.last;
    b.volume += p.agg?.volume ?? p.volume;
  },
};
