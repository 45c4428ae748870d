import type { Aggregate, PriceTick, SensorReading } from '@pulse/protocol';

/** Folds the updates of one interval into a summary: min/max/mean for readings, OHLC for ticks. */
export interface Fold {
  add(payload: unknown): void;
  /** The summary of what was added since the last reset, then starts over. */
  take(): Aggregate | undefined;
}

export class SensorFold implements Fold {
  private count = 0;
  private min = Infinity;
  private max = -Infinity;
  private sum = 0;

  add(payload: unknown): void {
    const { value } = payload as SensorReading;
    this.count += 1;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  take(): Aggregate | undefined {
    if (this.count === 0) return undefined;
    const agg = { count: this.count, min: this.min, max: this.max, mean: this.sum / this.count };
    this.count = 0;
    this.min = Infinity;
    this.max = -Infinity;
    this.sum = 0;
    return agg;
  }
}

export class PriceFold implements Fold {
  private count = 0;
  private open = 0;
  private high = -Infinity;
  private low = Infinity;
  private close = 0;
  private volume = 0;

  add(payload: unknown): void {
    const { last, volume } = payload as PriceTick;
    if (this.count === 0) this.open = last;
    this.count += 1;
    if (last > this.high) this.high = last;
    if (last < this.low) this.low = last;
    this.close = last;
    this.volume += volume;
  }

  take(): Aggregate | undefined {
    if (this.count === 0) return undefined;
    const agg = {
      count: this.count,
      open: this.open,
      high: this.high,
      low: this.low,
      close: this.close,
      volume: this.volume,
    };
    this.count = 0;
    this.high = -Infinity;
    this.low = Infinity;
    this.volume = 0;
    return agg;
  }
}

/** The fold for a topic's family, or undefined where aggregation means nothing (presence, alarms). */
export function foldFor(topic: string): Fold | undefined {
  if (topic.startsWith('device.')) return new SensorFold();
  if (topic.startsWith('price.')) return new PriceFold();
  return undefined;
}
