import type { ReadingBucket, TickBucket } from '@pulse/protocol';
import type { BucketFolder, LivePoint } from './history-stitch.js';

/** A live `device.*` reading for a long chart. */
export interface ReadingPoint extends LivePoint {
  readonly value: number;
}

/** A live `price.*` tick for a long chart. */
export interface TickPoint extends LivePoint {
  readonly last: number;
  readonly volume: number;
}

/** Folds readings the way the store's rollups do: count, min, max, mean and the last value. */
export const readingFolder: BucketFolder<ReadingBucket, ReadingPoint> = {
  open: (t, p) => ({ t, count: 1, min: p.value, max: p.value, mean: p.value, last: p.value }),
  add(b, p) {
    b.mean += (p.value - b.mean) / (b.count + 1);
    b.count++;
    if (p.value < b.min) b.min = p.value;
    if (p.value > b.max) b.max = p.value;
    b.last = p.value;
  },
};

/** Folds ticks into OHLC of `last` and the summed volume. */
export const tickFolder: BucketFolder<TickBucket, TickPoint> = {
  open: (t, p) => ({
    t,
    count: 1,
    open: p.last,
    high: p.last,
    low: p.last,
    close: p.last,
    volume: p.volume,
  }),
  add(b, p) {
    b.count++;
    if (p.last > b.high) b.high = p.last;
    if (p.last < b.low) b.low = p.last;
    b.close = p.last;
    b.volume += p.volume;
  },
};
