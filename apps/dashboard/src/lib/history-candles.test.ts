import { describe, expect, it } from 'vitest';
import { shapeCandles } from './history-candles.js';

const bucket = (t: number, o: number, c: number) => ({
  t,
  count: 4,
  open: o,
  high: Math.max(o, c) + 1,
  low: Math.min(o, c) - 1,
  close: c,
  volume: 10,
});
const tick = (t: number, last: number, seq = t) => ({ t, seq, epoch: 'e', last, volume: 1 });

describe('shapeCandles', () => {
  it('draws the stored steps, then folds the live ticks into candles of the same step', () => {
    const shape = shapeCandles(
      {
        buckets: [bucket(0, 10, 11), bucket(60, 11, 12)],
        tail: [tick(125, 12), tick(130, 14), tick(170, 13), tick(185, 15)],
        step: 60,
        from: 0,
      },
      0,
      1000,
    );
    expect(shape.candles.map((c) => [c.x, c.o, c.h, c.l, c.c])).toEqual([
      [0, 10, 12, 9, 11],
      [60, 11, 13, 10, 12],
      [120, 12, 14, 12, 13],
      [180, 15, 15, 15, 15],
    ]);
    expect([shape.stored, shape.ticks]).toEqual([2, 4 + 4 + 4]);
  });

  it('counts the ticks an aggregated message folded', () => {
    const folded = {
      ...tick(10, 5),
      agg: { count: 7, open: 4, high: 6, low: 3, close: 5, volume: 9 },
    };
    const shape = shapeCandles({ buckets: [], tail: [folded], step: 60, from: 0 }, 0, 100);
    expect(shape.candles).toEqual([{ x: 0, o: 4, h: 6, l: 3, c: 5, v: 9 }]);
    expect(shape.ticks).toBe(7);
  });
});
