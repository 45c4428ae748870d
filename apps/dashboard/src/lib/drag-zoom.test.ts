import { describe, expect, it } from 'vitest';
import { dragRange } from './drag-zoom.js';

describe('dragRange', () => {
  const valueAt = (px: number) => 1000 + px * 10;

  it('maps a drag either way to an ascending range clamped to the plot', () => {
    expect(dragRange(50, 150, 40, 400, valueAt)).toEqual([1500, 2500]);
    expect(dragRange(150, 50, 40, 400, valueAt)).toEqual([1500, 2500]);
    expect(dragRange(10, 500, 40, 400, valueAt)).toEqual([1400, 5000]);
  });

  it('treats a short drag as a click', () => {
    expect(dragRange(100, 103, 40, 400, valueAt)).toBeUndefined();
    expect(dragRange(0, 30, 40, 400, valueAt)).toBeUndefined();
  });
});
