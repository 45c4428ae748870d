import { describe, expect, it } from 'vitest';
import { SeqGuard } from './seq-guard.js';

describe('SeqGuard', () => {
  it('lets through only what is newer per topic, so an overlapping backfill adds just the gap', () => {
    const g = new SeqGuard();
    const applied = (topic: string, seqs: number[], epoch = 'e1') =>
      seqs.filter((s) => g.accept(topic, epoch, s));
    expect(applied('price.A', [1, 2, 3])).toEqual([1, 2, 3]);
    // The view came back and asked for history: 1..6, of which 4..6 were missed meanwhile.
    expect(applied('price.A', [1, 2, 3, 4, 5, 6])).toEqual([4, 5, 6]);
    expect(applied('price.B', [2, 1])).toEqual([2]);
    expect(g.size).toBe(2);
  });

  it('starts over when the topic’s epoch changes (a restarted in-memory gateway)', () => {
    const g = new SeqGuard();
    expect(g.accept('price.A', 'old', 900)).toBe(true);
    expect(g.accept('price.A', 'new', 1)).toBe(true);
    expect(g.accept('price.A', 'new', 1)).toBe(false);
    expect(g.accept('price.A', 'new', 2)).toBe(true);
  });
});
