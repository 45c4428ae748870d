import { describe, expect, it } from 'vitest';
import { shapeReadings } from './history-points.js';

const b = (t: number, min: number, max: number) => ({
  t,
  count: 2,
  min,
  max,
  mean: (min + max) / 2,
  last: max,
});
const p = (t: number, value: number) => ({ t, value, epoch: 'e', seq: t });

describe('shapeReadings', () => {
  it('draws steps at their middle with a band, then the live points, breaking at an outage', () => {
    const shape = shapeReadings(
      {
        buckets: [b(0, 1, 3), b(10, 2, 4), b(20, 2, 4), b(30, 2, 4), b(80, 0, 2)],
        tail: [p(90, 5), p(91, 6)],
        step: 10,
        gapMs: 0,
      },
      0,
      100,
    );
    // Steps 10 apart (the median): 50 without data is an outage (over 4 × 10).
    expect(shape.line.map((q) => [q.x, q.y])).toEqual([
      [5, 2],
      [15, 3],
      [25, 3],
      [35, 3],
      [60, NaN],
      [85, 1],
      [90, 5],
      [91, 6],
    ]);
    expect(shape.upper.map((q) => q.y)).toEqual([3, 4, 4, 4, NaN, 2]);
    expect(shape.lower.map((q) => q.y)).toEqual([1, 2, 2, 2, NaN, 0]);
    expect([shape.buckets, shape.live, shape.readings, shape.breaks]).toEqual([5, 2, 12, 1]);
  });

  it('breaks live readings at an outage, and the join when history and live are far apart', () => {
    const buckets = [0, 10, 20, 30].map((t) => b(t, 1, 1));
    // Live every 1 ms from 100 (far after the last step: 4 × 10 spacing), then silent for 50.
    const tail = [100, 101, 102, 103, 153, 154].map((t) => p(t, 2));
    const shape = shapeReadings({ buckets, tail, step: 1, gapMs: 0 }, 0, 200);
    const breaks = shape.line.filter((q) => Number.isNaN(q.y)).map((q) => q.x);
    expect(breaks).toEqual([99, 128]);
    expect(shape.breaks).toBe(2);
    expect(shape.upper.some((q) => Number.isNaN(q.y))).toBe(false);
  });

  it('draws a sparse device (a reading every few steps) as one line', () => {
    const buckets = [0, 100, 200, 300].map((t) => b(t, 1, 1));
    const shape = shapeReadings({ buckets, tail: [], step: 10, gapMs: 0 }, 0, 400);
    expect(shape.line.every((q) => !Number.isNaN(q.y))).toBe(true);
  });

  it('keeps only what is in view and breaks the line at a reported gap', () => {
    const shape = shapeReadings(
      { buckets: [b(0, 1, 3), b(10, 2, 4)], tail: [p(40, 5), p(200, 6)], step: 10, gapMs: 15 },
      12,
      100,
    );
    expect(shape.line.map((q) => [q.x, q.y])).toEqual([
      [15, 3],
      [39, NaN],
      [40, 5],
    ]);
  });
});
