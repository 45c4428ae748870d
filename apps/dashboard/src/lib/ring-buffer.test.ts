import { describe, expect, it } from 'vitest';
import { RingBuffer } from './ring-buffer.js';

function filled(capacity: number, count: number): RingBuffer {
  const ring = new RingBuffer(capacity);
  for (let i = 1; i <= count; i++) ring.push(i * 10, i);
  return ring;
}

describe('RingBuffer', () => {
  it('keeps points oldest first', () => {
    const ring = filled(8, 3);
    expect(ring.length).toBe(3);
    expect(ring.toPoints()).toEqual([
      { x: 10, y: 1 },
      { x: 20, y: 2 },
      { x: 30, y: 3 },
    ]);
    expect(ring.at(0)).toEqual({ x: 10, y: 1 });
    expect(ring.at(3)).toBeUndefined();
    expect(ring.lastX()).toBe(30);
    expect(ring.lastY()).toBe(3);
  });

  it('never holds more than its capacity and drops the oldest on wraparound', () => {
    const ring = filled(4, 10);
    expect(ring.length).toBe(4);
    expect(ring.toPoints().map((p) => p.y)).toEqual([7, 8, 9, 10]);
    expect(ring.at(0)).toEqual({ x: 70, y: 7 });
    expect(ring.lastY()).toBe(10);
  });

  it('grows its storage past the initial allocation without losing order', () => {
    const ring = filled(1000, 300);
    expect(ring.length).toBe(300);
    const ys = ring.toPoints().map((p) => p.y);
    expect(ys[0]).toBe(1);
    expect(ys[299]).toBe(300);
    expect(ys.every((y, i) => y === i + 1)).toBe(true);
  });

  it('wraps correctly after growing to its capacity', () => {
    const ring = filled(100, 250);
    expect(ring.length).toBe(100);
    expect(ring.toPoints().map((p) => p.y)).toEqual(Array.from({ length: 100 }, (_, i) => 151 + i));
  });

  it('returns only the points inside a window, across the wrap point', () => {
    const ring = filled(5, 8); // holds x = 40..80
    expect(ring.toPoints(55)).toEqual([
      { x: 60, y: 6 },
      { x: 70, y: 7 },
      { x: 80, y: 8 },
    ]);
    expect(ring.toPoints(80)).toEqual([{ x: 80, y: 8 }]);
    expect(ring.toPoints(81)).toEqual([]);
    expect(ring.toPoints(0)).toHaveLength(5);
  });

  it('gives chart.js fresh arrays, so a draw never sees later pushes', () => {
    const ring = filled(4, 2);
    const before = ring.toPoints();
    ring.push(30, 3);
    expect(before).toHaveLength(2);
    expect(ring.toPoints()).toHaveLength(3);
  });

  it('keeps x sorted when a point arrives late', () => {
    const ring = new RingBuffer(4);
    ring.push(100, 1);
    ring.push(90, 2);
    expect(ring.toPoints()).toEqual([
      { x: 100, y: 1 },
      { x: 100, y: 2 },
    ]);
  });

  it('empties on clear and rejects a useless capacity', () => {
    const ring = filled(4, 6);
    ring.clear();
    expect(ring.length).toBe(0);
    expect(ring.toPoints()).toEqual([]);
    expect(ring.lastX()).toBeUndefined();
    ring.push(1, 1);
    expect(ring.toPoints()).toEqual([{ x: 1, y: 1 }]);
    expect(() => new RingBuffer(0)).toThrow(RangeError);
  });
});
