import { describe, expect, it } from 'vitest';
import { CandleSeries, candleInterval, isPriceAggregate } from './candles.js';

const T0 = 1_700_000_000_000; // a whole second
const plain = (cs: readonly object[]) => cs.map((c) => ({ ...c }));

describe('CandleSeries', () => {
  it('builds OHLC and volume from plain ticks, one candle per interval', () => {
    const s = new CandleSeries();
    s.add(T0 + 100, 10, 1);
    s.add(T0 + 400, 12, 2);
    s.add(T0 + 900, 9, 1);
    s.add(T0 + 1200, 11, 5);
    expect(plain(s.rollup(1000))).toEqual([
      { x: T0, o: 10, h: 12, l: 9, c: 9, v: 4 },
      { x: T0 + 1000, o: 11, h: 11, l: 11, c: 11, v: 5 },
    ]);
    expect(plain(s.rollup(5000))).toEqual([{ x: T0, o: 10, h: 12, l: 9, c: 11, v: 9 }]);
  });

  it('takes OHLC from the aggregate throttle, so folded ticks keep their highs and lows', () => {
    const s = new CandleSeries();
    s.add(T0 + 10, 100, 1); // the first update goes out unfolded
    // The next message stands for 7 ticks whose high and low the client never saw as ticks.
    s.add(T0 + 60, 101, 1, { count: 7, open: 100.5, high: 104, low: 97, close: 101, volume: 20 });
    s.add(T0 + 1010, 102, 1, {
      count: 3,
      open: 101,
      high: 102.5,
      low: 100.8,
      close: 102,
      volume: 6,
    });
    expect(plain(s.rollup(1000))).toEqual([
      { x: T0, o: 100, h: 104, l: 97, c: 101, v: 21 },
      { x: T0 + 1000, o: 101, h: 102.5, l: 100.8, c: 102, v: 6 },
    ]);
  });

  it('ignores a sensor aggregate (min/max/mean) and uses the value', () => {
    expect(isPriceAggregate({ count: 2, min: 1, max: 2, mean: 1.5 })).toBe(false);
    const s = new CandleSeries();
    s.add(T0, 5, 1, { count: 2, min: 1, max: 9, mean: 5 });
    expect(plain(s.rollup(1000))).toEqual([{ x: T0, o: 5, h: 5, l: 5, c: 5, v: 1 }]);
  });

  it('returns only candles from the window start, into the same reused array', () => {
    const s = new CandleSeries();
    for (let i = 0; i < 10; i++) s.add(T0 + i * 1000, i, 1);
    const all = s.rollup(1000);
    expect(all).toHaveLength(10);
    const recent = s.rollup(1000, T0 + 7000);
    expect(recent).toBe(all);
    expect(recent.map((c) => c.o)).toEqual([7, 8, 9]);
  });

  it('keeps at most its capacity of base candles, dropping the oldest', () => {
    const s = new CandleSeries(1000, 5);
    for (let i = 0; i < 12; i++) s.add(T0 + i * 1000, i, 1);
    expect(s.length).toBe(5);
    expect(s.rollup(1000).map((c) => c.o)).toEqual([7, 8, 9, 10, 11]);
  });

  it('folds a late message into the newest candle rather than reopening an old one', () => {
    const s = new CandleSeries();
    s.add(T0 + 2000, 10, 1);
    s.add(T0 + 500, 8, 1);
    expect(plain(s.rollup(1000))).toEqual([{ x: T0 + 2000, o: 10, h: 10, l: 8, c: 8, v: 2 }]);
  });
});

describe('candleInterval', () => {
  it('picks a natural width giving about 60 candles', () => {
    expect(candleInterval(60_000)).toBe(1000);
    expect(candleInterval(5 * 60_000)).toBe(5000);
    expect(candleInterval(15 * 60_000)).toBe(15_000);
  });
});
