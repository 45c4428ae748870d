import { describe, expect, it } from 'vitest';
import { RingBuffer } from './ring-buffer.js';
import { sparklinePath } from './sparkline.js';

function ring(points: [number, number][]) {
  const r = new RingBuffer(100_000);
  for (const [x, y] of points) r.push(x, y);
  return r;
}

describe('sparklinePath', () => {
  it('scales the window into the box, lowest value at the bottom', () => {
    const r = ring([
      [0, 0],
      [50, 10],
      [100, 5],
    ]);
    expect(sparklinePath(r, 0, 100, 102, 12)).toBe('M1,11.0L51,1.0L101,6.0');
  });

  it('draws a flat series mid-height and nothing for an empty window', () => {
    const r = ring([
      [0, 3],
      [10, 3],
    ]);
    expect(sparklinePath(r, 0, 10, 12, 10)).toBe('M1,5.0L11,5.0');
    expect(sparklinePath(r, 20, 30, 12, 10)).toBe('');
  });

  it('keeps at most two points per pixel column however dense the data', () => {
    const pts: [number, number][] = [];
    for (let i = 0; i < 50_000; i++) pts.push([i, Math.sin(i)]);
    const d = sparklinePath(ring(pts), 0, 49_999, 62, 20);
    const segments = d.split(/[ML]/).filter(Boolean);
    expect(segments.length).toBeLessThanOrEqual(2 * 61);
  });
});
