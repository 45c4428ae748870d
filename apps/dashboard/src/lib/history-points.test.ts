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
  it('draws steps at their middle with a band, then the live points, breaking at a missing step', () => {
    const shape = shapeReadings(
      {
        buckets: [b(0, 1, 3), b(10, 2, 4), b(30, 0, 2)],
        tail: [p(40, 5), p(41, 6)],
        step: 10,
        gapMs: 0,
      },
      0,
      100,
    );
    expect(shape.line.map((q) => [q.x, q.y])).toEqual([
      [5, 2],
      [15, 3],
      [20, NaN],
      [35, 1],
      [40, 5],
      [41, 6],
    ]);
    expect(shape.upper.map((q) => q.y)).toEqual([3, 4, NaN, 2]);
    expect(shape.lower.map((q) => q.y)).toEqual([1, 2, NaN, 0]);
    expect([shape.buckets, shape.live, shape.readings]).toEqual([3, 2, 8]);
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
