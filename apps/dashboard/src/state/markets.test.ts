import { describe, expect, it } from 'vitest';
import { MarketsState } from './markets.svelte.js';
import { tick } from './test-messages.js';

describe('MarketsState', () => {
  it('lists symbols as their first tick arrives, with change against the first seen price', () => {
    const markets = new MarketsState();
    markets.ingest(tick('ACME', 1, 1000, 100));
    markets.ingest(tick('ACME', 2, 1100, 101.5));
    markets.ingest(tick('AAPL', 1, 1100, 50));
    markets.flush();
    expect(markets.rows.map((r) => r.symbol)).toEqual(['AAPL', 'ACME']);
    const acme = markets.rows[1]!;
    expect(acme.tick.last).toBe(101.5);
    expect(acme.first).toBe(100);
    expect(acme.change).toBeCloseTo(1.5);
    expect(acme.updatedAt).toBe(1100);
    expect(markets.rows[0]).toMatchObject({ change: 0, direction: 'flat' });
  });

  it('tracks the direction of the latest move and keeps it through flat ticks', () => {
    const markets = new MarketsState();
    markets.ingest(tick('X', 1, 1, 10));
    markets.ingest(tick('X', 2, 2, 9));
    markets.flush();
    expect(markets.rows[0]?.direction).toBe('down');
    markets.ingest(tick('X', 3, 3, 9));
    markets.flush();
    expect(markets.rows[0]?.direction).toBe('down');
    markets.ingest(tick('X', 4, 4, 9.5));
    markets.flush();
    expect(markets.rows[0]).toMatchObject({ direction: 'up', change: -0.5 });
  });

  it('records the last price as a bounded chart series', () => {
    const markets = new MarketsState({ capacity: 2 });
    markets.ingest(tick('X', 1, 10, 1));
    markets.ingest(tick('X', 2, 20, 2));
    markets.ingest(tick('X', 3, 30, 3));
    expect(markets.series.get('price.X').toPoints()).toEqual([
      { x: 20, y: 2 },
      { x: 30, y: 3 },
    ]);
  });
});

describe('MarketsState ticker columns', () => {
  it('adds change %, session volume (aggregates count every folded tick) and a move counter', () => {
    const markets = new MarketsState();
    markets.ingest(tick('X', 1, 1000, 100)); // volume 10 each
    markets.ingest(tick('X', 2, 1100, 100));
    markets.ingest({
      ...tick('X', 9, 1200, 102),
      agg: { count: 7, open: 100, high: 103, low: 99, close: 102, volume: 70 },
    });
    markets.flush();
    expect(markets.rows[0]).toMatchObject({ change: 2, changePct: 2, volume: 90, moves: 1 });
    const [candle] = markets.candles('X').rollup(1000);
    expect(candle).toMatchObject({ o: 100, h: 103, l: 99, c: 102, v: 90 });
  });
});
