import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gapThreshold, isBreak, withBreaks } from './history-gaps.js';

/** Ascending x positions from positive spacings, each with a finite y. */
const line = fc
  .array(
    fc.tuple(fc.integer({ min: 1, max: 10_000 }), fc.double({ noNaN: true, min: -1e6, max: 1e6 })),
    {
      maxLength: 60,
    },
  )
  .map((steps) => {
    let x = 0;
    return steps.map(([dx, y]) => ({ x: (x += dx), y }));
  });

describe('withBreaks', () => {
  it('breaks once per larger gap, never within the threshold, keeping every point in order', () => {
    fc.assert(
      fc.property(line, fc.integer({ min: 1, max: 10_000 }), (points, threshold) => {
        const out = withBreaks(points, threshold);
        // The points, unchanged and in order, once the breaks are taken out.
        expect(out.filter((p) => !isBreak(p))).toEqual(points);
        const gaps = points.slice(1).filter((p, i) => p.x - points[i]!.x > threshold).length;
        expect(out.filter(isBreak)).toHaveLength(gaps);
        for (let i = 0; i < out.length; i++) {
          if (!isBreak(out[i]!)) continue;
          // A break stands between two points more than the threshold apart, inside that gap.
          const before = out[i - 1]!;
          const after = out[i + 1]!;
          expect(isBreak(before) || isBreak(after)).toBe(false);
          expect(after.x - before.x).toBeGreaterThan(threshold);
          expect(out[i]!.x).toBeGreaterThan(before.x);
          expect(out[i]!.x).toBeLessThan(after.x);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('adds no break beside one already there', () => {
    const out = withBreaks(
      [
        { x: 0, y: 1 },
        { x: 100, y: NaN },
        { x: 200, y: 2 },
        { x: 400, y: 3 },
      ],
      50,
    );
    expect(out.map((p) => p.x)).toEqual([0, 100, 200, 300, 400]);
    expect(out.filter(isBreak)).toHaveLength(2);
  });
});

describe('gapThreshold', () => {
  it('is four median spacings, at least two steps, and no break with under three points', () => {
    expect(gapThreshold([0, 10, 20, 30, 80], 10)).toBe(40);
    expect(gapThreshold([0, 100, 200, 300], 10)).toBe(400);
    expect(gapThreshold([0, 1, 2, 3], 10)).toBe(20);
    expect(gapThreshold([0, 100], 10)).toBe(Infinity);
  });
});
