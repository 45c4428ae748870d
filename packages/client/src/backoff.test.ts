import { describe, expect, it } from 'vitest';
import { fullJitterBackoff } from './backoff.js';

describe('fullJitterBackoff', () => {
  it('spreads each attempt over [0, min(max, min·2^(n-1)))', () => {
    const top = fullJitterBackoff({ minMs: 100, maxMs: 1000, random: () => 0.999_999 });
    const bottom = fullJitterBackoff({ minMs: 100, maxMs: 1000, random: () => 0 });
    expect([1, 2, 3, 4].map(top)).toEqual([99, 199, 399, 799]);
    expect([1, 2, 3, 4].map(bottom)).toEqual([0, 0, 0, 0]);
  });

  it('caps the ceiling at maxMs, even for huge attempt numbers', () => {
    const top = fullJitterBackoff({ minMs: 100, maxMs: 1000, random: () => 0.999_999 });
    expect(top(5)).toBe(999);
    expect(top(60)).toBe(999);
    expect(top(5000)).toBe(999);
  });

  it('uses the documented defaults (250 ms doubling to 10 s) and stays in bounds with Math.random', () => {
    const half = fullJitterBackoff({ random: () => 0.5 });
    expect(half(1)).toBe(125);
    expect(half(3)).toBe(500);
    expect(half(20)).toBe(5000);
    const real = fullJitterBackoff();
    for (let attempt = 1; attempt <= 30; attempt++) {
      const delay = real(attempt);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(Math.min(10_000, 250 * 2 ** (attempt - 1)));
    }
  });
});
