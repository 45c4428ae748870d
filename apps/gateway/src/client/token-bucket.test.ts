import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket.js';

describe('TokenBucket', () => {
  it('allows a burst, then the rate, and says how long to wait', () => {
    const b = new TokenBucket({ rate: 10, burst: 3 }, 0);
    expect([b.take(0), b.take(0), b.take(0)]).toEqual([0, 0, 0]);
    expect(b.take(0)).toBe(100); // one token every 100 ms
    expect(b.take(50)).toBe(50);
    expect(b.take(100)).toBe(0);
    expect(b.take(100)).toBe(100);
  });

  it('never holds more than the burst and reports when it is full again', () => {
    const b = new TokenBucket({ rate: 1000, burst: 2 }, 0);
    b.take(0);
    b.take(0);
    expect(b.full(1)).toBe(false);
    expect(b.full(2)).toBe(true);
    expect([b.take(10_000), b.take(10_000), b.take(10_000)]).toEqual([0, 0, 1]);
  });
});
