import { describe, expect, it } from 'vitest';
import { chanceWithin, mulberry32, Rng } from './random.js';

describe('Rng', () => {
  it('repeats exactly for the same seed and differs for another', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const draw = (r: Rng) => Array.from({ length: 20 }, () => r.next());
    const seqA = draw(a);
    expect(draw(b)).toEqual(seqA);
    expect(draw(c)).not.toEqual(seqA);
  });

  it('forks streams that are stable per label and independent of each other', () => {
    expect(new Rng(7).fork('dev-001').next()).toBe(new Rng(7).fork('dev-001').next());
    expect(new Rng(7).fork('dev-001').next()).not.toBe(new Rng(7).fork('dev-002').next());
  });

  it('draws uniforms in [0, 1) and gaussians with the asked mean and sd', () => {
    const next = mulberry32(1);
    const us = Array.from({ length: 10_000 }, next);
    expect(Math.min(...us)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...us)).toBeLessThan(1);
    const r = new Rng(99);
    const xs = Array.from({ length: 50_000 }, () => r.normal(10, 2));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length);
    expect(mean).toBeCloseTo(10, 1);
    expect(sd).toBeCloseTo(2, 1);
  });

  it('int covers both ends of its range', () => {
    const r = new Rng(5);
    const seen = new Set(Array.from({ length: 1000 }, () => r.int(1, 3)));
    expect([...seen].sort()).toEqual([1, 2, 3]);
  });
});

describe('chanceWithin', () => {
  it('compounds a per-minute chance over the interval', () => {
    expect(chanceWithin(0.5, 60_000)).toBeCloseTo(0.5);
    expect(chanceWithin(0.5, 120_000)).toBeCloseTo(0.75);
    expect(chanceWithin(0, 60_000)).toBe(0);
    expect(chanceWithin(1, 1)).toBe(1);
    expect(chanceWithin(0.5, 0)).toBe(0);
  });
});
