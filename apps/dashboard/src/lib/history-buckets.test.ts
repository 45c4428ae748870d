import { describe, expect, it } from 'vitest';
import { readingFolder, tickFolder, type ReadingPoint } from './history-buckets.js';

const reading = (value: number, agg?: ReadingPoint['agg']): ReadingPoint => ({
  t: 0,
  epoch: 'e',
  seq: 1,
  value,
  agg,
});

describe('bucket folders', () => {
  it('fold readings into count, min, max, mean and last, counting what a message folded', () => {
    const b = readingFolder.open(0, reading(2));
    readingFolder.add(b, reading(4));
    // One message standing for three readings (the aggregate throttle): 1, 9 and 5.
    readingFolder.add(b, reading(5, { count: 3, min: 1, max: 9, mean: 5 }));
    expect(b).toEqual({ t: 0, count: 5, min: 1, max: 9, mean: (2 + 4 + 15) / 5, last: 5 });
    const folded = readingFolder.open(10, reading(7, { count: 2, min: 6, max: 7, mean: 6.5 }));
    expect(folded).toEqual({ t: 10, count: 2, min: 6, max: 7, mean: 6.5, last: 7 });
  });

  it('fold ticks into OHLC of last and summed volume', () => {
    const tick = (last: number, volume: number) => ({ t: 0, epoch: 'e', seq: 1, last, volume });
    const b = tickFolder.open(0, tick(10, 1));
    tickFolder.add(b, tick(12, 2));
    tickFolder.add(b, tick(9, 3));
    expect(b).toEqual({ t: 0, count: 3, open: 10, high: 12, low: 9, close: 9, volume: 6 });
  });
});
