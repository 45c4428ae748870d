import { describe, expect, it } from 'vitest';
import { RateMeter } from './rate-meter.js';

function fakeClock(start = 1_000_000) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

describe('RateMeter', () => {
  it('reports a steady rate over the window', () => {
    const clock = fakeClock();
    const meter = new RateMeter({ windowMs: 2000, bucketMs: 250, now: clock.now });
    // 50 events per 100 ms = 500/s, for 3 s.
    for (let i = 0; i < 30; i++) {
      meter.mark(50);
      clock.advance(100);
    }
    const rate = meter.rate();
    expect(rate).toBeGreaterThan(475);
    expect(rate).toBeLessThan(525);
  });

  it('does not under-report before the window has filled', () => {
    const clock = fakeClock();
    const meter = new RateMeter({ windowMs: 2000, bucketMs: 250, now: clock.now });
    clock.advance(500);
    meter.mark(100);
    expect(meter.rate()).toBe(200);
  });

  it('falls to zero once events stop for a whole window', () => {
    const clock = fakeClock();
    const meter = new RateMeter({ windowMs: 2000, bucketMs: 250, now: clock.now });
    for (let i = 0; i < 20; i++) {
      meter.mark(10);
      clock.advance(100);
    }
    expect(meter.rate()).toBeGreaterThan(0);
    clock.advance(1000);
    expect(meter.rate()).toBeGreaterThan(0);
    expect(meter.rate()).toBeLessThan(100);
    clock.advance(2000);
    expect(meter.rate()).toBe(0);
  });

  it('survives a long pause without stale buckets coming back', () => {
    const clock = fakeClock();
    const meter = new RateMeter({ windowMs: 1000, bucketMs: 250, now: clock.now });
    clock.advance(1000);
    meter.mark(1000);
    clock.advance(3_600_000);
    meter.mark(4);
    // Only the 4 new events count (over the <1 s the buckets cover), not the 1000 old ones.
    expect(meter.rate()).toBeLessThan(10);
    expect(meter.rate()).toBeGreaterThan(0);
  });
});
