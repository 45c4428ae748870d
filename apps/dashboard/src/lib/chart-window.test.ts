import { describe, expect, it } from 'vitest';
import { ChartWindow, gapFor } from './chart-window.js';
import { RingBuffer } from './ring-buffer.js';

function ring(points: [number, number][]): RingBuffer {
  const r = new RingBuffer(10_000);
  for (const [x, y] of points) r.push(x, y);
  return r;
}

const plain = (ps: readonly { x: number; y: number }[]) => ps.map((p) => ({ x: p.x, y: p.y }));

describe('ChartWindow', () => {
  it('gives the points inside the window, oldest first', () => {
    const w = new ChartWindow();
    const r = ring([
      [10, 1],
      [20, 2],
      [30, 3],
      [40, 4],
    ]);
    expect(plain(w.fill(r, 15, 30, 100))).toEqual([
      { x: 20, y: 2 },
      { x: 30, y: 3 },
    ]);
    expect(plain(w.fill(r, 0, 100, 100))).toHaveLength(4);
    expect(w.fill(r, 50, 60, 100)).toEqual([]);
  });

  it('reuses its array and point objects from one fill to the next', () => {
    const w = new ChartWindow();
    const r = ring([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    const first = w.fill(r, 0, 10, 100);
    const p0 = first[0];
    const second = w.fill(r, 2, 10, 100);
    expect(second).toBe(first);
    expect(second).toHaveLength(2);
    expect(second[0]).toBe(p0);
    expect(plain(second)).toEqual([
      { x: 2, y: 2 },
      { x: 3, y: 3 },
    ]);
    w.fill(r, 0, 10, 100);
    expect(w.points[0]).toBe(p0);
  });

  it('decimates a long window to at most maxPoints, keeping every bucket’s extremes', () => {
    const w = new ChartWindow();
    const pts: [number, number][] = [];
    for (let i = 0; i < 9000; i++) pts.push([i, Math.sin(i / 50)]);
    pts[4321] = [4321, 50]; // a spike
    pts[7000] = [7000, -50]; // and a dip
    const r = ring(pts);
    const out = w.fill(r, 0, 8999, 600);
    expect(out.length).toBeLessThanOrEqual(600);
    expect(out.length).toBeGreaterThan(500);
    const ys = out.map((p) => p.y);
    expect(Math.max(...ys)).toBe(50);
    expect(Math.min(...ys)).toBe(-50);
    for (let i = 1; i < out.length; i++) expect(out[i]!.x).toBeGreaterThan(out[i - 1]!.x);
    expect(out.at(-1)!.x).toBeGreaterThanOrEqual(8980); // the newest bucket is drawn
  });

  it('breaks the line where no data arrived for longer than the gap', () => {
    const w = new ChartWindow();
    const r = ring([
      [0, 1],
      [1000, 2],
      [9000, 3],
      [10_000, 4],
    ]);
    const out = plain(w.fill(r, 0, 10_000, 100, 2000));
    expect(out).toHaveLength(5);
    expect(out[2]).toEqual({ x: 5000, y: NaN });
    expect(out[3]).toEqual({ x: 9000, y: 3 });
    expect(w.gaps).toBe(1);
    w.fill(r, 8000, 10_000, 100, 2000);
    expect(w.gaps).toBe(0);
  });
});

describe('gapFor', () => {
  it('is four median spacings, at least the minimum, infinite while too few points', () => {
    expect(gapFor(ring([[0, 0]]))).toBe(Infinity);
    const steady = ring(Array.from({ length: 50 }, (_, i) => [i * 1000, 0] as [number, number]));
    expect(gapFor(steady)).toBe(4000);
    const fast = ring(Array.from({ length: 50 }, (_, i) => [i * 50, 0] as [number, number]));
    expect(gapFor(fast)).toBe(2000);
  });
});
