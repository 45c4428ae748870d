import { validatePayload, type PriceTick } from '@pulse/protocol';
import { describe, expect, it } from 'vitest';
import { Rng } from '../random.js';
import { createPriceWalk, type Regime } from './price.js';

const T0 = Date.UTC(2025, 0, 1);

describe('price walk', () => {
  it.each([
    ['a stock', 190, 0.0008],
    ['FX under 1', 0.6, 0.0008],
    ['a violent penny', 0.02, 0.05],
    ['bitcoin', 65_000, 0.002],
  ])('%s never quotes <= 0 and never bid > ask', (_name, start, calmVol) => {
    const walk = createPriceWalk(new Rng(11), { start, calmVol });
    const bad: PriceTick[] = [];
    for (let i = 0; i < 50_000; i++) {
      const t = walk.step(50, T0 + i * 50);
      const ok = t.bid > 0 && t.bid <= t.last && t.last <= t.ask && t.volume >= 0;
      if (!ok || (i % 997 === 0 && !validatePayload('price.X', t).ok)) bad.push(t);
    }
    expect(bad).toEqual([]);
  });

  it('bursts raise realised volatility', () => {
    const walk = createPriceWalk(new Rng(12), { start: 100 });
    const returns: Record<Regime, number[]> = { calm: [], burst: [] };
    let prev = walk.last;
    // Two simulated hours at 10 ticks/s.
    for (let i = 0; i < 72_000; i++) {
      walk.step(100, T0 + i * 100);
      returns[walk.regime].push(Math.log(walk.last / prev));
      prev = walk.last;
    }
    const sd = (xs: number[]) => Math.sqrt(xs.reduce((s, x) => s + x * x, 0) / xs.length);
    // Both regimes occur, and calm dominates.
    expect(returns.burst.length).toBeGreaterThan(500);
    expect(returns.calm.length).toBeGreaterThan(returns.burst.length);
    expect(sd(returns.burst)).toBeGreaterThan(3 * sd(returns.calm));
  });

  it('bursts widen the spread and raise volume', () => {
    const walk = createPriceWalk(new Rng(13), { start: 100, burstStartPerMinute: 0.5 });
    const spread: Record<Regime, number[]> = { calm: [], burst: [] };
    const volume: Record<Regime, number[]> = { calm: [], burst: [] };
    for (let i = 0; i < 36_000; i++) {
      const t = walk.step(100, T0 + i * 100);
      spread[walk.regime].push(t.ask - t.bid);
      volume[walk.regime].push(t.volume);
    }
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean(spread.burst)).toBeGreaterThan(2 * mean(spread.calm));
    expect(mean(volume.burst)).toBeGreaterThan(2 * mean(volume.calm));
  });

  it('is deterministic for a seed', () => {
    const ticks = (seed: number) => {
      const w = createPriceWalk(new Rng(seed), { start: 50 });
      return Array.from({ length: 100 }, (_, i) => w.step(200, T0 + i * 200));
    };
    expect(ticks(3)).toEqual(ticks(3));
    expect(ticks(3)).not.toEqual(ticks(4));
  });

  it('rejects a non-positive start price', () => {
    expect(() => createPriceWalk(new Rng(1), { start: 0 })).toThrow(RangeError);
  });
});
